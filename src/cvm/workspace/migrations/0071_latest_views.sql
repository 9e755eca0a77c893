-- Stable views for BI tools and SQL users: the latest result of each run-based table, with
-- the run it came from. "Latest" means the newest run that actually holds that result: a
-- `cvm fit` run stores parameters but no scores, so latest_scores follows the newest run with
-- CLV scores, not the newest clv run.

CREATE OR REPLACE VIEW latest_scores AS
WITH run AS (
    SELECT r.run_id, r.model, r.cutoff, r.created_at
    FROM model_runs AS r
    WHERE EXISTS (SELECT 1 FROM scores AS s WHERE s.run_id = r.run_id AND s.clv IS NOT NULL)
    ORDER BY r.created_at DESC, r.run_id DESC
    LIMIT 1
)
SELECT
    s.customer_id, s.frequency, s.recency, s.t, s.monetary, s.expected_purchases, s.p_alive,
    s.expected_spend, s.clv, s.clv_lower, s.clv_upper,
    run.run_id, run.model, run.cutoff, run.created_at AS scored_at
FROM scores AS s
JOIN run USING (run_id);

CREATE OR REPLACE VIEW latest_segments AS
WITH run AS (
    SELECT r.run_id, r.cutoff, r.created_at
    FROM model_runs AS r
    WHERE EXISTS (
        SELECT 1 FROM scores AS s WHERE s.run_id = r.run_id
        AND (s.segment IS NOT NULL OR s.tier IS NOT NULL OR s.lifecycle IS NOT NULL)
    )
    ORDER BY r.created_at DESC, r.run_id DESC
    LIMIT 1
)
SELECT
    s.customer_id, s.revenue, s.rfm, s.segment, s.tier, s.lifecycle, s.churn_risk,
    s.churn_reasons, run.run_id, run.cutoff, run.created_at AS segmented_at
FROM scores AS s
JOIN run USING (run_id);

CREATE OR REPLACE VIEW latest_plan AS
WITH run AS (
    SELECT run_id, as_of, created_at FROM plan_runs
    ORDER BY created_at DESC, run_id DESC
    LIMIT 1
)
SELECT d.*, run.as_of
FROM plan_decisions AS d
JOIN run USING (run_id);

-- measured lift of every measured campaign, per arm against control (segment 'all')
CREATE OR REPLACE VIEW campaign_results AS
SELECT
    p.campaign_id, c.name, p.offer_id, p.channel, p.arm, p.metric, p.n_treatment, p.n_control,
    p.treatment_rate, p.control_rate, p.lift, p.lift_lower, p.lift_upper, p.p_value, p.run_id,
    p.measured_at
FROM response_priors AS p
LEFT JOIN campaigns AS c USING (campaign_id)
WHERE p.segment = 'all';
