-- A chunk of a plan's decisions (plan_decisions_new, dictionary-coded) as rows of plan $run_id.
INSERT INTO plan_decisions
SELECT $run_id, CAST(customer_id AS VARCHAR), CAST(offer_id AS VARCHAR),
       CAST(channel AS VARCHAR), CAST(status AS VARCHAR), reason, propensity, lift,
       CAST(lift_source AS VARCHAR), value, cost, weight, context, ev, score
FROM plan_decisions_new
