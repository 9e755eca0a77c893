-- The contact policy's working view and table (contact_policy itself is the caller's).
DROP VIEW IF EXISTS policy_candidates;
DROP TABLE IF EXISTS suppressed_customers;
