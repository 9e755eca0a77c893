-- The co-purchase rules (associations.sql), strongest first.
SELECT * FROM product_associations ORDER BY lift DESC, antecedent, consequent
