-- The columns of the scores table (segment and tier appear once the segments step ran).
SELECT column_name FROM information_schema.columns
WHERE table_schema = 'main' AND table_name = 'scores';
