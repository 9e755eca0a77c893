-- RFM scores and segment, value tier and lifecycle stage of every customer of customer_profile.
-- The named RFM map comes from cvm.toml as the lookup table rfm_map_lookup (r, f, m -> name;
-- its rules are evaluated in the rule sandbox, see assign.rfm_map_table); every other value is
-- a parameter: $as_of, $bins, $r_edges/$f_edges/$m_edges
-- (empty list = quantile scores), $tier_cuts (cumulative shares), $tier_names, and the
-- lifecycle thresholds, and $typical_gap: the typical days between purchases that stages a
-- one-time buyer (NULL: the median over customer_profile; the live profiles, built for a few
-- customers at a time, pass the whole population's).
CREATE OR REPLACE TEMP TABLE customer_segments AS
WITH typical AS (
    SELECT coalesce(CAST($typical_gap AS DOUBLE), median(ipt_mean), 90.0) AS typical_gap
    FROM customer_profile
),
scored AS (
    SELECT customer_id,
           CAST(CASE WHEN array_length($r_edges) > 0
                     THEN array_length($r_edges) + 1 - array_length(list_filter($r_edges, lambda e: e < days_since_last))
                     ELSE least($bins, 1 + floor($bins * percent_rank() OVER (ORDER BY days_since_last DESC)))
                END AS INTEGER) AS r,
           CAST(CASE WHEN array_length($f_edges) > 0
                     THEN 1 + array_length(list_filter($f_edges, lambda e: e <= orders))
                     ELSE least($bins, 1 + floor($bins * percent_rank() OVER (ORDER BY orders)))
                END AS INTEGER) AS f,
           CAST(CASE WHEN array_length($m_edges) > 0
                     THEN 1 + array_length(list_filter($m_edges, lambda e: e <= revenue))
                     ELSE least($bins, 1 + floor($bins * percent_rank() OVER (ORDER BY revenue)))
                END AS INTEGER) AS m
    FROM customer_profile
    WHERE NOT is_prospect
),
rfm AS (
    SELECT customer_id, r, f, m, (f + m) / 2.0 AS fm,
           CAST(r AS VARCHAR) || CAST(f AS VARCHAR) || CAST(m AS VARCHAR) AS rfm
    FROM scored
),
named AS (
    SELECT rfm.customer_id, rfm.r, rfm.f, rfm.m, rfm.rfm, l.segment AS rfm_segment
    FROM rfm LEFT JOIN rfm_map_lookup AS l ON l.r = rfm.r AND l.f = rfm.f AND l.m = rfm.m
),
ranked AS (
    SELECT customer_id,
           row_number() OVER (ORDER BY clv DESC, customer_id) AS rn,
           count(*) OVER () AS n
    FROM customer_profile
    WHERE clv IS NOT NULL
)
SELECT p.*,
       n.r AS r_score, n.f AS f_score, n.m AS m_score, n.rfm, n.rfm_segment,
       CASE WHEN k.rn IS NOT NULL
            THEN $tier_names[1 + array_length(list_filter($tier_cuts, lambda c: k.rn > round(c * k.n)))]
       END AS tier,
       CASE
           -- a running contract makes a customer new or active, purchases or not; one whose
           -- contracts all ended, with no purchase since, has churned (a buyer who kept buying
           -- after the contract ended is staged by the purchases below)
           WHEN p.contract_state = 'active'
               THEN CASE WHEN date_diff('day', coalesce(p.first_purchase, p.first_seen), $as_of)
                              < $new_days
                         THEN 'new' ELSE 'active' END
           WHEN p.contract_state = 'ended'
                AND (p.last_purchase IS NULL OR p.last_purchase <= p.last_contract_end)
               THEN 'churned'
           WHEN p.is_prospect THEN 'prospect'
           WHEN p.days_since_last >= $churned_days OR p.p_alive < $churned_p_alive THEN 'churned'
           WHEN p.days_since_last / greatest(coalesce(p.ipt_mean, t.typical_gap), 1) >= $lapsed_ratio
                OR p.p_alive < $lapsed_p_alive THEN 'lapsed'
           WHEN p.days_since_last / greatest(coalesce(p.ipt_mean, t.typical_gap), 1) >= $at_risk_ratio
                OR p.p_alive < $at_risk_p_alive THEN 'at_risk'
           WHEN date_diff('day', p.first_purchase, $as_of) < $new_days THEN 'new'
           WHEN p.last_gap >= $reactivation_gap_days AND p.days_since_last < $reactivated_days
               THEN 'reactivated'
           ELSE 'active'
       END AS lifecycle
FROM customer_profile AS p
CROSS JOIN typical AS t
LEFT JOIN named AS n USING (customer_id)
LEFT JOIN ranked AS k USING (customer_id)
