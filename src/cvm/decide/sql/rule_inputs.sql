-- The columns rules read (__columns__, customer_id first) of the segment table __source__.
SELECT __columns__ FROM __source__
