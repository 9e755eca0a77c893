-- The live rows of the customers of customer_segments (segments.sql over customer_profile):
-- the profile, the scores of live_scores_frame (clv.live: the newest clv run's models), the
-- lifecycle stage, the rule segments of live_members_frame, consent, and the ids merged into
-- the customer. `profile` is the whole JSON answer of GET /v1/profiles/{id}.
-- Parameters: $as_of, $now, $run_id/$model/$cutoff/$unit (NULL without a fitted model),
-- $no_scores (why scores are missing), $not_live (rule segments that need the whole
-- population, left to `cvm segment`).
CREATE OR REPLACE TEMP TABLE live_rows AS
WITH ids AS (
    SELECT customer_id, list({'source': source, 'id': source_id} ORDER BY source, source_id) AS ids
    FROM identities
    WHERE customer_id IN (SELECT customer_id FROM customer_segments)
    GROUP BY customer_id
),
merged AS (
    SELECT into_customer_id AS customer_id,
           list(DISTINCT from_customer_id ORDER BY from_customer_id) AS merged_ids
    FROM customer_merges
    WHERE into_customer_id IN (SELECT customer_id FROM customer_segments)
    GROUP BY into_customer_id
),
members AS (
    SELECT customer_id, list(segment ORDER BY segment) AS segments
    FROM live_members_frame
    GROUP BY customer_id
),
facts AS (
    SELECT * EXCLUDE (consent_email, consent_sms, consent_push, consent_mail, clv, p_alive,
                      expected_purchases, r_score, f_score, m_score, rfm, rfm_segment, tier,
                      lifecycle)
    FROM customer_segments
),
scored AS (
    SELECT customer_id, frequency, recency, t, monetary,
           CASE WHEN NOT isnan(expected_purchases) THEN expected_purchases END AS expected_purchases,
           CASE WHEN NOT isnan(p_alive) THEN p_alive END AS p_alive,
           CASE WHEN NOT isnan(expected_spend) THEN expected_spend END AS expected_spend,
           CASE WHEN NOT isnan(clv) THEN clv END AS clv,
           spend_imputed
    FROM live_scores_frame
)
SELECT
    p.customer_id,
    CAST($as_of AS DATE) AS as_of,
    CAST($run_id AS VARCHAR) AS clv_run_id,
    CAST($model AS VARCHAR) AS model,
    s.frequency, s.recency, s.t, s.monetary, s.expected_purchases, s.p_alive,
    s.expected_spend, s.clv, s.spend_imputed,
    p.lifecycle,
    coalesce(m.segments, []::VARCHAR[]) AS segments,
    CAST($now AS TIMESTAMP) AS updated_at,
    CAST(to_json({
        'customer_id': p.customer_id,
        'as_of': CAST($as_of AS DATE),
        'updated_at': CAST($now AS TIMESTAMP),
        'ids': coalesce(i.ids, []),
        'merged_ids': coalesce(g.merged_ids, []::VARCHAR[]),
        'consent': {'email': p.consent_email, 'sms': p.consent_sms,
                    'push': p.consent_push, 'mail': p.consent_mail},
        'lifecycle': p.lifecycle,
        'segments': coalesce(m.segments, []::VARCHAR[]),
        'segments_not_live': CAST($not_live AS VARCHAR[]),
        'scores': {
            'available': s.customer_id IS NOT NULL,
            'reason': CASE
                WHEN $run_id IS NULL THEN CAST($no_scores AS VARCHAR)
                WHEN s.customer_id IS NULL
                    THEN 'no purchase on or before ' || CAST($as_of AS DATE) || ': nothing to score'
            END,
            'run_id': CAST($run_id AS VARCHAR),
            'model': CAST($model AS VARCHAR),
            'fitted_as_of': CAST($cutoff AS DATE),
            'time_unit': CAST($unit AS VARCHAR),
            'frequency': s.frequency,
            'recency': s.recency,
            't': s.t,
            'monetary': s.monetary,
            'expected_purchases': s.expected_purchases,
            'p_alive': s.p_alive,
            'expected_spend': s.expected_spend,
            'clv': s.clv,
            'spend_imputed': s.spend_imputed
        },
        'profile': f
    }) AS JSON) AS profile
FROM customer_segments AS p
JOIN facts AS f USING (customer_id)
LEFT JOIN scored AS s USING (customer_id)
LEFT JOIN ids AS i USING (customer_id)
LEFT JOIN merged AS g USING (customer_id)
LEFT JOIN members AS m USING (customer_id)
