-- The target list in a tool's layout: __columns__ are the layout's (expression, header) pairs
-- (cvm.campaigns.formats); the campaign id is bound as $campaign where a layout shows it.
SELECT __columns__
FROM campaign_export
WHERE reason IS NULL
ORDER BY arm, customer_id
