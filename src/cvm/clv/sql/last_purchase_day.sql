-- The day of the newest transaction of summary_source (a workspace, a file or a frame).
SELECT max(CAST(ts AS DATE)) FROM summary_source
