-- Drop one of the segment's temporary views.
DROP VIEW IF EXISTS __view__;
