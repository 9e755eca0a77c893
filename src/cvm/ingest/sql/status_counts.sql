SELECT status, count(*) FROM __status__ GROUP BY status
