-- One measured rate and lift of a campaign's arm, segment and metric.
INSERT INTO response_priors (campaign_id, offer_id, channel, arm, segment, metric,
                             n_treatment, n_control, treatment_rate, control_rate, lift,
                             lift_lower, lift_upper, p_value, run_id)
VALUES ($campaign_id, $offer_id, $channel, $arm, $segment, $metric, $n_treatment, $n_control,
        $treatment_rate, $control_rate, $lift, $lift_lower, $lift_upper, $p_value, $run_id)
