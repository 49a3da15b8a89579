package jbox.linux;

import jbox.sys.Sys;
import jbox.sys.SyscallException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

import java.nio.charset.StandardCharsets;

import static jbox.sys.Linux.*;

/** Brings up "lo" in the calling thread's network namespace: a new one starts with lo down. */
public final class Loopback {
    private Loopback() {}

    public static void up() {
        int sock = Sys.libc().socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (sock < 0) throw new SyscallException("socket", "AF_INET, SOCK_DGRAM", Sys.errno());
        try {
            Pointer ifr = Memory.allocateDirect(Sys.runtime(), 40, true);
            byte[] name = "lo".getBytes(StandardCharsets.US_ASCII);
            ifr.put(0, name, 0, name.length);
            if (Sys.libc().ioctl(sock, SIOCGIFFLAGS, ifr) < 0) throw new SyscallException("ioctl", "lo, SIOCGIFFLAGS", Sys.errno());
            ifr.putShort(16, (short) (ifr.getShort(16) | IFF_UP));
            if (Sys.libc().ioctl(sock, SIOCSIFFLAGS, ifr) < 0) throw new SyscallException("ioctl", "lo, SIOCSIFFLAGS IFF_UP", Sys.errno());
        } finally {
            Sys.close(sock);
        }
    }
}
