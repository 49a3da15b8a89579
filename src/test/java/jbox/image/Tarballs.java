package jbox.image;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Crafts layer tarballs, including hostile ones no normal tool would write. */
final class Tarballs {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, "UTF-8");

    Tarballs() { tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX); }

    Tarballs dir(String name, int mode) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
        e.setMode(040000 | mode);
        return put(e, null);
    }

    Tarballs file(String name, String content, int mode) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, true); // preserve leading "/" and ".." as written
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        e.setSize(b.length);
        e.setMode(0100000 | mode);
        return put(e, b);
    }

    Tarballs owned(String name, String content, int uid, int gid) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        e.setSize(b.length);
        e.setMode(0100644);
        e.setUserId(uid);
        e.setGroupId(gid);
        return put(e, b);
    }

    Tarballs symlink(String name, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK, true);
        e.setLinkName(target);
        return put(e, null);
    }

    Tarballs hardlink(String name, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK, true);
        e.setLinkName(target);
        return put(e, null);
    }

    Tarballs charDevice(String name, int major, int minor) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_CHR, true);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        e.setMode(020666);
        return put(e, null);
    }

    private Tarballs put(TarArchiveEntry e, byte[] data) throws IOException {
        tar.putArchiveEntry(e);
        if (data != null) tar.write(data);
        tar.closeArchiveEntry();
        return this;
    }

    byte[] bytes() throws IOException {
        tar.finish();
        tar.close();
        return bytes.toByteArray();
    }
}
