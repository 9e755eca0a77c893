-- Per offer and channel chosen in plan $run_id: its customers and their mean cost.
SELECT offer_id, channel, list(customer_id ORDER BY customer_id), avg(cost)
FROM plan_decisions
WHERE run_id = $run_id AND status = 'chosen'
GROUP BY ALL
ORDER BY 1
