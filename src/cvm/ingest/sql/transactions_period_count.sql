-- Stored transactions a --replace-period load removes: time in [$start, $end) (UTC), loaded
-- by a file load of transactions (load ids 'transactions-...': not the orders of events).
SELECT count(*)
FROM transactions
WHERE ts >= $start AND ts < $end AND starts_with(load_id, 'transactions-');
