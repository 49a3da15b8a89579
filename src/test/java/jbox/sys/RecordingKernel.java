package jbox.sys;

import jnr.ffi.byref.IntByReference;

import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in C library that does nothing and succeeds: every call is written down, with its
 * arguments, in the order the threads made them. Installed with {@link Sys#standIn}, it lets a
 * test run a whole container start without root and then read the calls it would have made.
 * The pids and tids it hands out are above any pid_max, so nothing real is ever named.
 */
public final class RecordingKernel implements AutoCloseable {
    /** A call as it was made: its name (a raw syscall by its name), and its arguments as text. */
    public record Call(String name, List<String> args, String thread) {
        public String arg(int i) { return args.get(i); }

        @Override
        public String toString() { return name + args; }
    }

    public static final int CHILD_PID = 99_999_001;
    private static final Map<Long, String> SYSCALL_NAMES = syscallNames();

    private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger nextFd = new AtomicInteger(1000);
    private final AtomicInteger nextTid = new AtomicInteger(99_999_100);
    private final AutoCloseable restore;

    public RecordingKernel() {
        LibC fake = (LibC) Proxy.newProxyInstance(LibC.class.getClassLoader(), new Class<?>[]{LibC.class}, (proxy, m, args) -> {
            if (m.getDeclaringClass() == Object.class) return m.invoke(this, args);
            return answer(m.getName(), args == null ? new Object[0] : args, m.getReturnType());
        });
        Sys.init();
        AutoCloseable kernel = Sys.standIn(new Sys.Kernel(fake, () -> 0));
        // A start says which step it is at on the trace: "# rootfs: ...". Those lines go in the list too.
        Sys.trace(line -> {
            if (line.startsWith("# ")) calls.add(new Call("step", List.of(line.substring(2, line.indexOf(':'))), Thread.currentThread().getName()));
        });
        restore = () -> {
            Sys.trace(null);
            kernel.close();
        };
    }

    private Object answer(String name, Object[] args, Class<?> type) {
        List<String> shown = new ArrayList<>();
        int from = 0;
        if (name.equals("syscall")) {
            name = SYSCALL_NAMES.getOrDefault((Long) args[0], "syscall#" + args[0]);
            from = 1;
        }
        for (int i = from; i < args.length; i++) shown.add(String.valueOf(args[i]));
        calls.add(new Call(name, shown, Thread.currentThread().getName()));
        Object result = switch (name) {
            case "open", "socket", "dup", "fsopen", "fsmount", "open_tree", "memfd_create", "pidfd_open" -> nextFd.getAndIncrement();
            case "gettid" -> nextTid.getAndIncrement();
            case "posix_spawn" -> {
                jnr.ffi.Pointer p = jnr.ffi.Memory.allocateDirect(Sys.runtime(), 4);
                p.putInt(0, CHILD_PID);
                ((IntByReference) args[0]).fromNative(Sys.runtime(), p, 0);
                yield 0;
            }
            case "write" -> args[2];
            case "geteuid", "isatty" -> 0;
            case "umask" -> 022;
            default -> 0;
        };
        if (type == void.class) return null;
        if (type == long.class) return ((Number) result).longValue();
        return ((Number) result).intValue();
    }

    private static Map<Long, String> syscallNames() {
        Map<Long, String> names = new HashMap<>();
        Syscalls nr = Syscalls.forThisMachine();
        for (Field f : Syscalls.class.getDeclaredFields()) {
            if (f.getType() != long.class) continue;
            try {
                f.setAccessible(true);
                names.put(f.getLong(nr), f.getName().replaceAll("([A-Z])", "_$1").toLowerCase());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return names;
    }

    /** The steps a start announced, in order ("rootfs", "mounts", ...). */
    public List<String> steps() { return calls().stream().filter(c -> c.name().equals("step")).map(c -> c.arg(0)).toList(); }

    /** Every call so far, in order. */
    public List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    @Override
    public void close() throws Exception { restore.close(); }
}
