-- Store the valid campaigns and assignments of an import.
INSERT INTO campaigns (campaign_id, name, offer_id, channel, audience, starts, ends,
                       response_days, control_fraction, status, definition)
SELECT campaign_id, name, offer_id, coalesce(channel, 'email'), audience,
       CAST(starts AS TIMESTAMP), CAST(ends AS TIMESTAMP),
       coalesce(try_cast(response_days AS INTEGER), 30),
       try_cast(control_fraction AS DOUBLE),
       coalesce(nullif(status, ''), 'completed'), try_cast(definition AS JSON)
FROM campaign_import
WHERE reason IS NULL;
INSERT INTO assignments (campaign_id, customer_id, arm, stratum, assigned_at)
SELECT campaign_id, customer_id, arm, nullif(stratum, ''), assigned_ts
FROM assignment_import
WHERE reason IS NULL;
