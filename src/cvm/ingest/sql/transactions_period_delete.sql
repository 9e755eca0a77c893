-- Remove what transactions_period_count.sql counts (a corrected re-export replaces it).
DELETE FROM transactions
WHERE ts >= $start AND ts < $end AND starts_with(load_id, 'transactions-');
