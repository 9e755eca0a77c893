-- The actions of a stored plan by offer: customers chosen, their cost and expected value.
SELECT offer_id, channel, count(*) AS customers, sum(cost) AS cost, sum(ev) AS expected_value
FROM plan_decisions
WHERE run_id = $run_id AND status = 'chosen'
GROUP BY offer_id, channel
ORDER BY customers DESC, offer_id
