package jbox.builder;

import jbox.image.ImageSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** HEALTHCHECK [--interval=30s] [--timeout=30s] [--start-period=0s] [--retries=3] CMD command | NONE, as docker reads it. */
final class Healthchecks {
    private Healthchecks() {}

    static ImageSpec.Healthcheck parse(Dockerfile.Instruction in) {
        String rest = in.args().trim();
        if (rest.toUpperCase(Locale.ROOT).equals("NONE")) {
            if (!in.flags().isEmpty()) throw in.error("HEALTHCHECK NONE takes no flags", "NONE turns off a check the base image has", "remove the flags");
            return new ImageSpec.Healthcheck(List.of("NONE"), null, null, null, null);
        }
        if (!rest.toUpperCase(Locale.ROOT).startsWith("CMD") || (rest.length() > 3 && !Character.isWhitespace(rest.charAt(3)) && rest.charAt(3) != '[')) {
            throw in.error("needs CMD or NONE", "the check is a command: HEALTHCHECK CMD wget -q -O- localhost", "write HEALTHCHECK [--interval=30s] CMD command");
        }
        String command = rest.substring(3).trim();
        if (command.isEmpty()) throw in.error("CMD needs a command", "the check runs it and looks at its exit code", "write e.g. HEALTHCHECK CMD test -f /ready");
        List<String> test = new ArrayList<>();
        List<String> json = command.startsWith("[") ? Dockerfile.jsonWords(command) : null;
        if (json != null) {
            test.add("CMD");
            test.addAll(json);
        } else {
            test.add("CMD-SHELL");
            test.add(command);
        }
        Long interval = null, timeout = null, startPeriod = null;
        Integer retries = null;
        for (var f : in.flags().entrySet()) {
            try {
                switch (f.getKey()) {
                    case "interval" -> interval = jbox.runtime.Health.parseDuration(f.getValue());
                    case "timeout" -> timeout = jbox.runtime.Health.parseDuration(f.getValue());
                    case "start-period" -> startPeriod = jbox.runtime.Health.parseDuration(f.getValue());
                    case "retries" -> retries = Integer.parseInt(f.getValue());
                    default -> throw in.error("unknown flag --" + f.getKey(), "HEALTHCHECK knows --interval, --timeout, --start-period and --retries", "remove --" + f.getKey());
                }
            } catch (NumberFormatException e) {
                throw in.error("--retries " + f.getValue() + " is not a number", "it counts failures in a row", "write e.g. --retries=3");
            } catch (IllegalArgumentException e) {
                throw in.error("--" + f.getKey() + ": " + e.getMessage(), "durations are numbers with a unit: ms, s, m, h", "write e.g. --" + f.getKey() + "=5s");
            }
        }
        return new ImageSpec.Healthcheck(test, interval, timeout, startPeriod, retries);
    }
}
