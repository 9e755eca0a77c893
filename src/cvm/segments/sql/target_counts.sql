SELECT (SELECT count(*) FROM transactions) AS transactions,
       (SELECT count(*) FROM subscriptions) AS subscriptions
