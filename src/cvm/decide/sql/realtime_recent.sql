-- Contacts per customer over the 7 and 30 days before $now (TIMESTAMP), the frequency caps'
-- windows of the contact policy: real-time decisions add their own contacts to these counts
-- until the next snapshot.
SELECT customer_id,
       count(*) FILTER (WHERE ts >= $now - INTERVAL 7 DAY) AS last_7,
       count(*) AS last_30
FROM contacts
WHERE ts >= $now - INTERVAL 30 DAY AND ts < $now
GROUP BY customer_id
