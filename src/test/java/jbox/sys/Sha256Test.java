package jbox.sys;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class Sha256Test {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void aLargeFileHashesAsSha256sumSaysAndGoesToLibcrypto() throws Exception {
        Path file = Files.createTempFile("jbox-sha256-", ".bin");
        try {
            byte[] data = new byte[3 * 1024 * 1024 + 17];
            new Random(7).nextBytes(data);
            Files.write(file, data);
            Process p = new ProcessBuilder("sha256sum", file.toString()).redirectErrorStream(true).start();
            String expected = new String(p.getInputStream().readAllBytes()).split(" ")[0];
            assertEquals(0, p.waitFor());

            Sha256 md = new Sha256();
            for (int off = 0; off < data.length; off += 8192) md.update(data, off, Math.min(8192, data.length - off));
            assertEquals("libcrypto", md.engine(), "setup installs libcrypto (libssl3); past 64 KB it hashes");
            assertEquals(expected, HEX.formatHex(md.digest()));
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void everyWayOfFeedingItGivesTheJdksDigest() throws Exception {
        Random random = new Random(11);
        Sha256 md = new Sha256(); // reused: each digest resets it
        for (int size : new int[]{0, 1, 55, 64, 65_535, 65_536, 65_537, 200_000, 1_048_579}) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            String expected = HEX.formatHex(MessageDigest.getInstance("SHA-256", "SUN").digest(data));
            assertEquals(expected, HEX.formatHex(md.digest(data)), "all at once, " + size + " bytes");
            int off = 0;
            while (off < size) {
                int n = Math.min(size - off, random.nextInt(3) == 0 ? 1 : random.nextInt(100_000));
                if (n == 1) md.update(data[off]); else md.update(data, off, n);
                off += n;
            }
            assertEquals(expected, HEX.formatHex(md.digest()), "in pieces of every size, " + size + " bytes");
        }
    }

    @Test
    void resetForgetsWhatCameBefore() {
        byte[] junk = new byte[300_000];
        Sha256 md = new Sha256();
        md.update(junk);
        md.reset();
        md.update("hello".getBytes());
        assertEquals("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", HEX.formatHex(md.digest()));
        assertEquals("", md.engine(), "a small input after a reset stays in Java");
    }
}
