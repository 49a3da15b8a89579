package jbox.engine;

import jbox.sys.Failure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A container's environment: the image's Env, then -e flags, then what Docker adds. */
final class Environment {
    private Environment() {}

    static List<String> merge(List<String> image, List<String> flags, String hostname, boolean tty) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", Engine.DEFAULT_PATH.substring(5));
        env.put("HOSTNAME", hostname);
        if (image != null) for (String e : image) put(env, e);
        if (tty) env.putIfAbsent("TERM", "xterm");
        for (String e : flags) put(env, e);
        List<String> out = new ArrayList<>();
        env.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    private static void put(Map<String, String> env, String entry) {
        int eq = entry.indexOf('=');
        if (eq <= 0) throw new Failure("invalid environment variable \"" + entry + "\"", "variables are NAME=value", "write -e NAME=value");
        env.put(entry.substring(0, eq), entry.substring(eq + 1));
    }
}
