-- Measured conversion and revenue lift with intervals per campaign and treatment arm (all
-- customers), from the newest measurement of each campaign.
SELECT campaign_id, arm, metric, n_treatment, n_control, treatment_rate, control_rate,
       lift, lift_lower, lift_upper, p_value, measured_at
FROM response_priors
WHERE segment = 'all'
QUALIFY rank() OVER (PARTITION BY campaign_id ORDER BY measured_at DESC) = 1
ORDER BY campaign_id, arm, metric;
