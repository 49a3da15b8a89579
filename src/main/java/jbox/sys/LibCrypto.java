package jbox.sys;

import jnr.ffi.Pointer;

/** The part of OpenSSL's libcrypto jbox uses: SHA-256 through the EVP interface (OpenSSL 1.1 and 3). */
public interface LibCrypto {
    Pointer EVP_MD_CTX_new();

    void EVP_MD_CTX_free(Pointer ctx);

    Pointer EVP_sha256();

    int EVP_DigestInit_ex(Pointer ctx, Pointer type, Pointer engine);

    int EVP_DigestUpdate(Pointer ctx, Pointer data, long count);

    int EVP_DigestFinal_ex(Pointer ctx, Pointer md, Pointer size);
}
