-- Per offer: the customers plan $run_id chose for it, and the offers real-time decisions made
-- since $since (count and cost): what the plan's budget and capacities have left.
WITH planned AS (
    SELECT offer_id, count(*) AS planned, sum(cost) AS planned_cost
    FROM plan_decisions WHERE run_id = $run_id AND status = 'chosen'
    GROUP BY offer_id
),
live AS (
    SELECT offer_id, count(*) AS made, sum(cost) AS made_cost
    FROM decisions WHERE arm = 'treatment' AND ts >= $since
    GROUP BY offer_id
)
SELECT offer_id, coalesce(planned, 0) AS planned, coalesce(made, 0) AS made,
       coalesce(made_cost, 0) AS made_cost
FROM planned FULL JOIN live USING (offer_id)
