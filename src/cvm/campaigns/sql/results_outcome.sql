-- One outcome column (__value__, staged as a number) of the kept rows, as $outcome.
INSERT INTO imported_outcomes
SELECT $campaign_id, customer_id_, $outcome, __value__
FROM results_import
WHERE reason IS NULL
