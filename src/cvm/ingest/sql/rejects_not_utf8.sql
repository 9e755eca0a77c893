UPDATE _cvm_rejects SET _raw = $raw, reason = 'unreadable row: invalid UTF-8' WHERE _line = $line
