package jbox.linux;


import jbox.linux.SecurePath;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the program a container will run, inside its root and with its PATH, before anything
 * starts, so that "not found" and "cannot run" are reported clearly (exit 127 and 126, like Docker).
 */
public final class Executable {
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private Executable() {}

    /** The PATH a program is looked up in: the container's, or the usual default. */
    public static String pathOf(java.util.List<String> env) {
        for (String e : env) if (e.startsWith("PATH=")) return e.substring(5);
        return DEFAULT_PATH;
    }

    /** Returns the absolute path inside the container to exec. */
    public static String find(Path root, String command, String pathEnv) throws IOException {
        if (command.isEmpty()) throw new NotRunnableException(127, "no command given, and the image has none (Cmd/Entrypoint are empty): add a command after the image name");
        if (command.contains("/")) {
            String abs = command.startsWith("/") ? command : "/" + command;
            Path host = SecurePath.resolve(root, abs);
            if (!Files.exists(host)) throw new NotRunnableException(127, "exec: \"" + command + "\": no such file or directory in the image");
            check(root, host, command);
            return abs;
        }
        for (String dir : pathEnv.split(":")) {
            if (dir.isEmpty()) continue;
            String candidate = (dir.endsWith("/") ? dir : dir + "/") + command;
            Path host = SecurePath.resolve(root, candidate);
            if (Files.isRegularFile(host)) {
                check(root, host, command);
                return candidate;
            }
        }
        throw new NotRunnableException(127, "exec: \"" + command + "\": executable file not found in $PATH (" + pathEnv + ") of the image");
    }

    private static void check(Path root, Path host, String command) throws IOException {
        if (Files.isDirectory(host)) throw new NotRunnableException(126, "exec: \"" + command + "\": is a directory, not a program");
        if (!Files.isExecutable(host)) throw new NotRunnableException(126, "exec: \"" + command + "\": permission denied (the file is not executable: it needs chmod +x)");
        String interpreter = interpreter(host);
        if (interpreter != null && !Files.exists(SecurePath.resolve(root, interpreter))) {
            throw new NotRunnableException(127, "exec: \"" + command + "\": it needs " + interpreter
                    + " to run, and the image does not contain it. "
                    + (interpreter.contains("ld-") ? "The program is dynamically linked: use an image that has its C library, or a statically linked build."
                    : "Install that interpreter in the image or change the script's #! line."));
        }
    }

    /** The ELF program interpreter (dynamic loader) or the #! interpreter of a script, if any. */
    static String interpreter(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(256);
        }
        if (head.length >= 2 && head[0] == '#' && head[1] == '!') {
            String line = new String(head, 2, head.length - 2, StandardCharsets.UTF_8).split("\n", 2)[0].trim();
            return line.isEmpty() ? null : line.split("\\s+")[0];
        }
        if (head.length < 64 || head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F' || head[4] != 2) return null;
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer eh = ByteBuffer.wrap(head).order(head[5] == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            long phoff = eh.getLong(32);
            int phentsize = eh.getShort(54) & 0xffff;
            int phnum = eh.getShort(56) & 0xffff;
            for (int i = 0; i < phnum; i++) {
                ByteBuffer ph = ByteBuffer.allocate(phentsize).order(eh.order());
                ch.read(ph, phoff + (long) i * phentsize);
                if (ph.getInt(0) == 3) { // PT_INTERP
                    long off = ph.getLong(8);
                    int size = (int) Math.min(ph.getLong(32), 4096);
                    ByteBuffer s = ByteBuffer.allocate(size);
                    ch.read(s, off);
                    String name = new String(s.array(), StandardCharsets.UTF_8);
                    int nul = name.indexOf('\0');
                    return nul >= 0 ? name.substring(0, nul) : name;
                }
            }
        }
        return null;
    }
}
