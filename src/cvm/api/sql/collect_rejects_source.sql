-- The refused rows of one committed window, named by their stream (see collect_loads_source).
UPDATE rejected_rows SET source = $source
WHERE load_id IN ($load_id, $load_id || '-orders', $load_id || '-items');
