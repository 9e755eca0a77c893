-- Count the messages refused on the wire in their window's load row.
UPDATE loads
SET rows_read = coalesce(rows_read, 0) + $refused,
    rows_rejected = coalesce(rows_rejected, 0) + $refused
WHERE load_id = $load_id;
