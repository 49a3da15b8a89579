package jbox.image;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A content address, "sha256:" and 64 hex digits. Only valid strings make one. */
public record Digest(String hex) {
    private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");

    public Digest {
        if (hex == null || hex.length() != 64 || !hex.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
            throw new IllegalArgumentException("invalid sha256 digest: " + hex);
        }
    }

    public static Digest parse(String s) {
        if (s == null || !SHA256.matcher(s).matches()) {
            throw new IllegalArgumentException("invalid digest \"" + s + "\": expected sha256: followed by 64 lowercase hex digits");
        }
        return new Digest(s.substring(7));
    }

    public static Digest of(byte[] data) {
        return new Digest(HexFormat.of().formatHex(sha256().digest(data)));
    }

    public static Digest of(InputStream in) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[65536];
        int n;
        while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        return new Digest(HexFormat.of().formatHex(md.digest()));
    }

    public static MessageDigest sha256() { return new jbox.sys.Sha256(); }

    public static Digest fromMessageDigest(MessageDigest md) {
        return new Digest(HexFormat.of().formatHex(md.digest()));
    }

    /** The 12-digit form docker shows as IMAGE ID. */
    public String shortHex() { return hex.substring(0, 12); }

    @Override
    public String toString() { return "sha256:" + hex; }
}
