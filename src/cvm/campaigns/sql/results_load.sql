-- The load record of a results import.
INSERT INTO loads
VALUES ($load_id, 'imported_outcomes', $source, $started, $finished, $read, $loaded, 0,
        $rejected)
