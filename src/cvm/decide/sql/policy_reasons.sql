-- The contact policy's reason (NULL: none) per customer and channel.
SELECT customer_id, channel, reason FROM contact_policy
