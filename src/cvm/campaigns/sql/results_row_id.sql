-- The customer id of a results row without one: the campaign id and the row number.
SELECT $campaign_id || ':' || CAST(line_ - 1 AS VARCHAR) AS customer_id_
