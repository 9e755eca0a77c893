DROP TABLE IF EXISTS attribute_text
