-- Distinct (frequency, mean repeat spend) of repeat buyers with positive spend, with counts:
-- the Gamma-Gamma spend model's data. Spend is rounded to a millionth: sums of the same orders
-- in another order differ in the last bits, and every engine must fit the same rows.
SELECT frequency, round(monetary_value, 6) AS monetary_value, count(*) AS customers
FROM clv_summary
WHERE frequency > 0 AND monetary_value > 0
GROUP BY frequency, round(monetary_value, 6)
ORDER BY frequency, monetary_value
