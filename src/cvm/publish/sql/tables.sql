-- What `cvm publish` writes: one query per published table. Run-based tables appear as their
-- latest run (the latest_* views of migration 0071). Every query reads the workspace only.

-- name: customers
SELECT * FROM customers;
-- name: identities
SELECT * FROM identities;
-- name: transactions
SELECT * FROM transactions;
-- name: order_items
SELECT * FROM order_items;
-- name: subscriptions
SELECT * FROM subscriptions;
-- name: events
SELECT * FROM events;
-- name: survey_responses
SELECT * FROM survey_responses;
-- name: offers
SELECT * FROM offers;
-- name: campaigns
SELECT * FROM campaigns;
-- name: assignments
SELECT * FROM assignments;
-- name: contacts
SELECT * FROM contacts;
-- name: campaign_outcomes
SELECT * FROM campaign_outcomes;
-- name: campaign_results
SELECT * FROM campaign_results;
-- name: model_runs
SELECT * FROM model_runs;
-- name: latest_scores
SELECT * FROM latest_scores;
-- name: latest_segments
SELECT * FROM latest_segments;
-- name: latest_segment_members
SELECT m.* FROM segment_members AS m
WHERE m.run_id = (SELECT max(run_id) FROM latest_segments);
-- name: latest_plan
SELECT * FROM latest_plan;
-- name: loads
SELECT * FROM loads;
