-- The loads of one committed window of collected events are named by their stream, not by
-- the window's working file ($load_id, and the "-orders"/"-items" loads it made).
UPDATE loads SET source = $source
WHERE load_id IN ($load_id, $load_id || '-orders', $load_id || '-items');
