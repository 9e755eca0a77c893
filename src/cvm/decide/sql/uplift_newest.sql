-- Per customer, the largest uplift of the newest uplift model fitted on a campaign of offer
-- $offer_id.
WITH newest AS (
    SELECT u.run_id
    FROM uplift_scores AS u
    JOIN campaigns AS c USING (campaign_id)
    JOIN model_runs AS r ON r.run_id = u.run_id
    WHERE c.offer_id = $offer_id
    ORDER BY r.created_at DESC, r.run_id DESC
    LIMIT 1
)
SELECT customer_id, max(uplift) AS uplift
FROM uplift_scores
WHERE run_id = (SELECT run_id FROM newest)
GROUP BY customer_id
