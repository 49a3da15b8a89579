package jbox.shell;

import jbox.engine.Engine;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** What a shell session remembers between commands: its sandbox, explain mode, where output goes. */
final class Session {
    final Engine engine;
    final PrintWriter out;
    final boolean terminal;
    Sandbox sandbox;
    boolean explain = true;
    /** Runs a jbox command (`keep` starts the kept container as `jbox start` does); set by the shell. */
    java.util.function.ToIntFunction<String[]> run;

    Session(Engine engine, PrintWriter out, boolean terminal) {
        this.engine = engine;
        this.out = out;
        this.terminal = terminal;
    }

    Sandbox sandbox() {
        if (sandbox == null) {
            throw jbox.text.Say.failure("err.nosandbox");
        }
        return sandbox;
    }

    /** Collects the kernel calls of a step for explain mode; print them with {@link #printTrace}. */
    List<String> newTrace() { return new ArrayList<>(); }

    Consumer<String> tracer(List<String> lines) { return explain ? lines::add : null; }

    /** explain full: every call as the kernel saw it, host paths and all. */
    boolean explainFull;
    private boolean legendSaid;

    void printTrace(List<String> lines) {
        List<String> shown = lines;
        if (!explainFull && sandbox != null) {
            shown = TraceView.compact(lines, sandbox.traceNames());
            if (!legendSaid && shown.stream().anyMatch(l -> l.contains("ROOT"))) {
                legendSaid = true;
                out.println(jbox.text.Say.t("explain.legend", sandbox.traceNames().keySet().iterator().next()));
            }
        }
        for (String l : shown) out.println("  \u2192 " + l);
    }

    void say(List<String> lines) {
        for (String l : lines) out.println(l);
    }
}
