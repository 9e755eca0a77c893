-- In the copy only: the erasures logged before are compacted once the copy replaces the file.
UPDATE _cvm_compact.main.erasures SET compacted_at = now()::TIMESTAMP WHERE compacted_at IS NULL;
