package jbox.sys;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

import java.lang.ref.Cleaner;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * SHA-256 of what jbox stores (layers, blobs, configs). jbox's JVMs run with the quick compiler only, and the
 * JDK's SHA-256 is fast only once the optimizing one compiles it to the CPU's SHA instructions (about 150 MB/s
 * before, 2 GB/s after): past its first 64 KB a digest goes to OpenSSL's libcrypto, which uses those
 * instructions at once. Small inputs (configs, manifests, names) never load it; where the host has no
 * libcrypto, the JDK's digest does it all.
 */
public final class Sha256 extends MessageDigest {
    private static final int SMALL = 64 * 1024;
    private static final Cleaner CLEANER = Cleaner.create();

    private byte[] head = new byte[256];
    private int headLength;
    private Native nat;
    private MessageDigest jdk;

    public Sha256() { super("SHA-256"); }

    /** Who hashes what went past the first 64 KB: "libcrypto" or "JDK"; "" while all of it is still small. */
    public String engine() { return nat != null ? "libcrypto" : jdk != null ? "JDK" : ""; }

    @Override
    protected int engineGetDigestLength() { return 32; }

    @Override
    protected void engineUpdate(byte input) {
        if (nat == null && jdk == null && headLength < head.length) head[headLength++] = input; // a stream's read() of one byte
        else engineUpdate(new byte[]{input}, 0, 1);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
        if (nat != null) {
            nat.update(input, offset, len);
        } else if (jdk != null) {
            jdk.update(input, offset, len);
        } else if (headLength + len <= SMALL) {
            if (headLength + len > head.length) head = Arrays.copyOf(head, Math.min(SMALL, Math.max(2 * head.length, headLength + len)));
            System.arraycopy(input, offset, head, headLength, len);
            headLength += len;
        } else {
            nat = Native.open();
            if (nat == null) jdk = jdk();
            engineUpdate(head, 0, headLength);
            engineUpdate(input, offset, len);
        }
    }

    @Override
    protected byte[] engineDigest() {
        byte[] out = nat != null ? nat.finish() : jdk != null ? jdk.digest() : jdk().digest(Arrays.copyOf(head, headLength));
        engineReset();
        return out;
    }

    @Override
    protected void engineReset() {
        if (nat != null) nat.close();
        nat = null;
        jdk = null;
        headLength = 0;
    }

    private static MessageDigest jdk() {
        try {
            return MessageDigest.getInstance("SHA-256", "SUN");
        } catch (NoSuchAlgorithmException | java.security.NoSuchProviderException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One EVP context and the native buffer updates gather in (a call through jnr per 64 KB, not per read). */
    private static final class Native {
        private final Pointer ctx;
        private final Pointer buffer;
        private final Cleaner.Cleanable freeCtx;
        private int filled;

        private Native(Pointer ctx) {
            this.ctx = ctx;
            this.buffer = Memory.allocateDirect(Library.RUNTIME, SMALL, true);
            Library.Crypto crypto = Library.CRYPTO;
            freeCtx = CLEANER.register(this, () -> crypto.lib().EVP_MD_CTX_free(ctx));
        }

        /** A context ready for SHA-256, or null where libcrypto cannot be loaded. */
        static Native open() {
            Library.Crypto crypto = Library.CRYPTO;
            if (crypto == null) return null;
            Pointer ctx = crypto.lib().EVP_MD_CTX_new();
            if (ctx == null) throw new OutOfMemoryError("EVP_MD_CTX_new");
            Native n = new Native(ctx);
            if (crypto.lib().EVP_DigestInit_ex(ctx, crypto.sha256(), null) != 1) {
                n.close();
                throw new IllegalStateException("EVP_DigestInit_ex(SHA-256) failed in libcrypto");
            }
            return n;
        }

        void update(byte[] input, int offset, int len) {
            while (len > 0) {
                int n = Math.min(len, SMALL - filled);
                buffer.put(filled, input, offset, n);
                filled += n;
                offset += n;
                len -= n;
                if (filled == SMALL) flush();
            }
        }

        private void flush() {
            if (filled > 0 && Library.CRYPTO.lib().EVP_DigestUpdate(ctx, buffer, filled) != 1) {
                throw new IllegalStateException("EVP_DigestUpdate failed in libcrypto");
            }
            filled = 0;
        }

        byte[] finish() {
            flush();
            if (Library.CRYPTO.lib().EVP_DigestFinal_ex(ctx, buffer, null) != 1) throw new IllegalStateException("EVP_DigestFinal_ex failed in libcrypto");
            byte[] out = new byte[32];
            buffer.get(0, out, 0, 32);
            return out;
        }

        void close() { freeCtx.clean(); }
    }

    /** Loaded at the first digest past 64 KB, never by a command that hashes only small things. */
    private static final class Library {
        record Crypto(LibCrypto lib, Pointer sha256) {}

        static final Crypto CRYPTO = load();
        static final Runtime RUNTIME = CRYPTO == null ? null : Runtime.getRuntime(CRYPTO.lib());

        private static Crypto load() {
            // libcrypto.so comes with the -dev package only; the library itself is libcrypto.so.3 (or .1.1)
            for (String name : new String[]{"libcrypto.so.3", "libcrypto.so.1.1", "crypto"}) {
                try {
                    LibCrypto lib = LibraryLoader.create(LibCrypto.class).failImmediately().load(name);
                    Pointer md = lib.EVP_sha256();
                    if (md != null) return new Crypto(lib, md);
                } catch (LinkageError | RuntimeException e) {
                    // not this one
                }
            }
            return null;
        }
    }
}
