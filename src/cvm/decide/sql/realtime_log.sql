-- Store a batch of real-time decisions (realtime_new, one row per decision). Each offer's
-- decisions are the campaign 'rt.<offer_id>' (status 'live', created on its first decision,
-- its dates widened to the decisions'): a customer's first decision is the assignment
-- (treatment, or control when held out), every offer made is a contact. Parameters:
-- $response_days, $holdout_share.
INSERT INTO decisions
SELECT decision_id, ts, customer_id, anonymous_id, channel, placement, arm, offer_id,
       campaign_id, score, ev, lift, cost, explored, reason, context
FROM realtime_new;

INSERT INTO campaigns (campaign_id, name, offer_id, channel, audience, starts, ends,
                       response_days, control_fraction, status, definition)
SELECT campaign_id, 'real-time ' || any_value(offer_id), any_value(offer_id),
       any_value(channel), '{"kind": "realtime"}', min(ts), max(ts), $response_days,
       $holdout_share, 'live',
       json_object('arms', json_object('treatment', 1.0), 'audience',
                   json_object('kind', 'realtime'), 'cost_per_contact', max(unit_cost))::VARCHAR
FROM realtime_new
WHERE campaign_id IS NOT NULL
  AND campaign_id NOT IN (SELECT campaign_id FROM campaigns)
GROUP BY campaign_id;

UPDATE campaigns AS c SET ends = n.last
FROM (SELECT campaign_id, max(ts) AS last FROM realtime_new
      WHERE campaign_id IS NOT NULL GROUP BY campaign_id) AS n
WHERE c.campaign_id = n.campaign_id AND c.ends < n.last;

INSERT INTO assignments (campaign_id, customer_id, arm, stratum, assigned_at)
SELECT n.campaign_id, n.customer_id, arg_min(n.arm, n.ts), NULL, min(n.ts)
FROM realtime_new AS n
WHERE n.campaign_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM assignments AS a
                  WHERE a.campaign_id = n.campaign_id AND a.customer_id = n.customer_id)
GROUP BY n.campaign_id, n.customer_id;

INSERT INTO contacts (campaign_id, customer_id, channel, ts)
SELECT campaign_id, customer_id, channel, ts FROM realtime_new WHERE arm = 'treatment';
