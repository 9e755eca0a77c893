-- A live refresh replaces its customers' rows (an erased or merged-away one gets none back).
DELETE FROM live_profiles WHERE customer_id IN (SELECT customer_id FROM live_ids)
