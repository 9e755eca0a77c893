-- The messages of one window that the events load refused: their line and reason.
SELECT line, reason
FROM rejected_rows
WHERE load_id = $load_id AND kind = 'events'
ORDER BY line;
