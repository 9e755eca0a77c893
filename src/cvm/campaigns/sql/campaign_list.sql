-- One row per campaign with its arms' sizes and the contacts made so far.
SELECT c.campaign_id, c.name, c.offer_id, c.channel, c.status, c.starts, c.ends,
       c.response_days, c.control_fraction,
       (SELECT count(*) FROM assignments AS a WHERE a.campaign_id = c.campaign_id
          AND a.arm <> coalesce(c.definition->>'control_arm', 'control')) AS treated,
       (SELECT count(*) FROM assignments AS a WHERE a.campaign_id = c.campaign_id
          AND a.arm = coalesce(c.definition->>'control_arm', 'control')) AS control,
       (SELECT count(*) FROM contacts AS k WHERE k.campaign_id = c.campaign_id) AS contacts
FROM campaigns AS c
ORDER BY c.starts, c.campaign_id
