-- The contact policy table, once read.
DROP TABLE contact_policy
