-- The request's identifiers as collected in _pv_identifiers (subject.sql).
SELECT value, kind, is_phone FROM _pv_identifiers;
