-- Every offer's decision for customer $customer_id in plan $run_id: the chosen first, then
-- by score.
SELECT * FROM plan_decisions
WHERE run_id = $run_id AND customer_id = $customer_id
ORDER BY status <> 'chosen', score DESC NULLS LAST, offer_id
