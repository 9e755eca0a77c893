SELECT _cvm_hmac($value, ipad, opad) FROM _cvm_erasure_key
