-- A refresh of every customer replaces every row.
DELETE FROM live_profiles
