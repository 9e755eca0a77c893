SELECT count(*) FROM __rows__ WHERE reason IS NULL
