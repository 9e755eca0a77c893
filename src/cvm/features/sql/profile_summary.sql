-- The purchase summary (__summary__: summary.sql) as of the profile's day, for profile.sql.
CREATE OR REPLACE TEMP TABLE profile_summary AS
SELECT *
FROM __summary__
