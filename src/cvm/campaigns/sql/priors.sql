-- Learned response per offer, channel, arm, segment and metric, pooled over campaigns: rates
-- weighted by customers, lift by inverse variance (standard error from the interval width).
WITH rows AS (
    SELECT *, greatest((lift_upper - lift_lower) / (2 * 1.959964), 1e-12) AS se
    FROM response_priors
    WHERE lift IS NOT NULL AND lift_lower IS NOT NULL AND lift_upper IS NOT NULL
)
SELECT offer_id, channel, arm, segment, metric,
       count(DISTINCT campaign_id) AS campaigns,
       sum(n_treatment) AS n_treatment,
       sum(n_control) AS n_control,
       sum(treatment_rate * n_treatment) / sum(n_treatment) AS treatment_rate,
       sum(control_rate * n_control) / sum(n_control) AS control_rate,
       sum(lift / (se * se)) / sum(1 / (se * se)) AS lift,
       sqrt(1 / sum(1 / (se * se))) AS lift_se,
       max(measured_at) AS measured_at
FROM rows
GROUP BY ALL
ORDER BY offer_id, channel, arm, metric, segment;
