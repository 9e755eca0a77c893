-- The name of the workspace's database.
SELECT current_database();
