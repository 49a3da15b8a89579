package jbox.it;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A real `jbox daemon --trace` on a private socket in a test's jbox root, its output in daemon.log there;
 * close() stops it with SIGTERM and checks it left its socket and pid file behind it.
 */
final class JboxDaemon implements AutoCloseable {
    private static final Pattern SERVER_PID = Pattern.compile("Engine: daemon at \\S+, pid (\\d+) \\(keeper pid (\\d+)\\)");

    final Path socket;
    final Path log;
    final Process keeper;
    /** jbox's own CLI, talking to this daemon. */
    final Jbox client;

    JboxDaemon(Jbox jbox) throws Exception {
        socket = jbox.root.resolve("d.sock");
        log = jbox.root.resolve("daemon.log");
        client = new Jbox(jbox.root);
        client.env.putAll(jbox.env);
        client.env.put("JBOX_HOST", "unix://" + socket);
        List<String> cmd = List.of(Jbox.HOME.resolve("jbox").toString(), "daemon", "-H", "unix://" + socket, "--trace");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(jbox.env);
        keeper = pb.start();
        try {
            Eventually.waitFor(this::answers, "the daemon to come up");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ":\n" + Files.readString(log), e);
        }
    }

    boolean answers() {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The server's and the keeper's pids as `jbox info` names them, or -1s between two servers. */
    int[] pids() throws Exception {
        Matcher m = SERVER_PID.matcher(client.run("info").out());
        if (!m.find()) return new int[]{-1, -1};
        return new int[]{Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    static long threads(int pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Threads:")) return Long.parseLong(line.substring(8).trim());
        }
        return -1;
    }

    static boolean dockerCliInstalled() {
        try {
            return new ProcessBuilder("docker", "--version").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** The docker CLI against this daemon, stdin closed. */
    Jbox.Result docker(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("docker", "-H", "unix://" + socket));
        cmd.addAll(List.of(args));
        return Jbox.capture(new ProcessBuilder(cmd).start(), 60, "docker " + String.join(" ", args));
    }

    /** An HTTP answer read whole: its status and body. */
    record Reply(int status, String body) {}

    /** Sends bytes as they are (a hand-made request) and reads the answer until the daemon closes the connection. */
    Reply raw(byte[] request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            java.io.OutputStream out = java.nio.channels.Channels.newOutputStream(ch);
            out.write(request);
            out.flush();
            ch.shutdownOutput();
            String all = new String(java.nio.channels.Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(all.startsWith("HTTP/1.1 "), "an HTTP answer: " + all);
            return new Reply(Integer.parseInt(all.substring(9, 12)), all.substring(all.indexOf("\r\n\r\n") + 4));
        }
    }

    Reply raw(String request) throws IOException { return raw(request.getBytes(StandardCharsets.ISO_8859_1)); }

    @Override
    public void close() throws Exception {
        keeper.destroy(); // SIGTERM: the daemon stops its containers and removes its socket
        assertTrue(keeper.waitFor(60, TimeUnit.SECONDS), "the daemon stopped");
        assertEquals(0, keeper.exitValue(), Files.readString(log));
        assertFalse(Files.exists(socket), "the socket is removed: " + Files.readString(log));
        assertFalse(Files.exists(socket.resolveSibling("jbox.pid")), "the pid file is removed");
    }
}
