-- The customers of the segment table __source__, for the contact policy.
CREATE OR REPLACE TEMP TABLE decide_customers AS SELECT customer_id FROM __source__
