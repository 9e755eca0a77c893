-- Batch jobs started over HTTP (POST /v1/jobs): one row per job, kept after it ends so a
-- finished job can be read after the server restarts. A job still queued or running when
-- its server stopped is marked failed ("interrupted") by the next server.

-- key: job_id
CREATE TABLE IF NOT EXISTS jobs (
    job_id       VARCHAR PRIMARY KEY,
    kind         VARCHAR NOT NULL,            -- fit, score, segment, churn, plan
    args         JSON NOT NULL,               -- the request's arguments
    status       VARCHAR NOT NULL,            -- queued, running, succeeded, failed
    done         BIGINT,                      -- progress: steps done
    total        BIGINT,                      -- progress: steps in all (null: unknown)
    step         VARCHAR,                     -- progress: what it is doing
    result       JSON,                        -- summary when it succeeded (run id, counts)
    error        VARCHAR,                     -- one line when it failed
    created_at   TIMESTAMP NOT NULL,          -- UTC
    started_at   TIMESTAMP,
    finished_at  TIMESTAMP
);
