-- The customers the contact policy is asked about, from the table or view __candidates__.
CREATE OR REPLACE TEMP VIEW policy_candidates AS SELECT customer_id FROM __candidates__
