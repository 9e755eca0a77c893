-- The load record of an assignments import.
INSERT INTO loads
VALUES ($load_id, 'assignments', $source, $started, current_timestamp, $read, $loaded, 0,
        $rejected)
