-- The ids of each row of an order file that link its customer: re-read from the file.
CREATE OR REPLACE TEMP TABLE _id_order_src AS
SELECT
    __customer_id__ AS customer_id,
    __customer_email__ AS customer_email,
    __customer_number__ AS customer_number
FROM __source__
