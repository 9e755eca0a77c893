-- Erasures whose bytes may still be in the database file.
SELECT count(*) FROM erasures WHERE compacted_at IS NULL;
