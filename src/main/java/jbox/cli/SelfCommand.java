package jbox.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command that runs jbox again as a new process: the launcher when there is one, else this JVM's java and class path. */
final class SelfCommand {
    private SelfCommand() {}

    static List<String> argv() {
        List<String> cmd = new ArrayList<>();
        String launcher = System.getenv("JBOX_LAUNCHER");
        if (launcher != null && !launcher.isEmpty()) {
            cmd.add(launcher);
        } else {
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Djnr.ffi.asm.enabled=false");
            cmd.add("-XX:TieredStopAtLevel=1");
            cmd.add("-XX:+UseSerialGC");
            cmd.add("-Xss512k");
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(Main.class.getName());
        }
        return cmd;
    }
}
