-- The workspace database's catalog name, to name its tables past the live scope's views.
SELECT current_database()
