-- Rows of a CRM export whose consent value its signal does not know.
SELECT count(*) FROM __source__ WHERE __unreadable__
