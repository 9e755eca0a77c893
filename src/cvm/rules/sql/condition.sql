-- One checked rule as a per-customer condition: NULL counts as false. __rule__ is the rule's
-- checked tree (cvm.rules.guard), put in on the SQLGlot tree.
SELECT coalesce(CAST((__rule__) AS BOOLEAN), false) AS holds
FROM profile
