-- Whether table __table__ (from the catalog) holds a row of customer id $id.
SELECT 1 FROM __table__ WHERE customer_id = $id LIMIT 1;
