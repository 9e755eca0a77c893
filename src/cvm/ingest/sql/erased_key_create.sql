CREATE OR REPLACE TEMP TABLE _cvm_erasure_key (ipad BLOB, opad BLOB, legacy BOOLEAN)
