-- A table's rows follow their customer's survivor.
UPDATE __table__ AS t SET customer_id = m.into_id FROM _id_merge_map AS m
WHERE t.customer_id = m.from_id
