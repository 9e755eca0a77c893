-- One stored decision.
SELECT decision_id, ts, customer_id, channel, arm, offer_id, campaign_id
FROM decisions
WHERE decision_id = $decision_id
