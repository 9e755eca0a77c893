-- One channel-share feature: the share of orders in the channel bound as $channel (churn.py
-- renames the parameter per channel and adds one such column per channel the model knows).
SELECT coalesce(channel_shares[$channel], 0) AS channel_share
FROM customer_profile
