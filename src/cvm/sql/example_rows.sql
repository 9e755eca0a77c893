-- The rows of the small example workspace (docstring examples): customers 007 and 008, and
-- four purchases in January and February 2024 (009 has bought without a customer record).
INSERT INTO customers (customer_id, email) VALUES ('007', 'Ann@Example.com'), ('008', NULL);
INSERT INTO transactions (transaction_id, customer_id, ts, amount) VALUES
    ('t1', '007', '2024-01-10', 50),
    ('t2', '008', '2024-01-20', 30),
    ('t3', '007', '2024-02-05', 20),
    ('t4', '009', '2024-02-07', 10);
