-- The journal's decisions already in the log (journal_ids: decision_id), so a replay after a
-- crash stores each decision once.
SELECT d.decision_id
FROM decisions AS d
JOIN journal_ids AS j ON j.decision_id = d.decision_id;
