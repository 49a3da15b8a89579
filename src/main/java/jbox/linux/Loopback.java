package jbox.linux;

import jbox.sys.Sys;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

import java.nio.charset.StandardCharsets;

import static jbox.sys.Linux.*;

/** Brings up "lo" in the calling thread's network namespace: a new one starts with lo down. */
public final class Loopback {
    private Loopback() {}

    public static void up() {
        int sock = Sys.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0, "AF_INET, SOCK_DGRAM");
        try {
            Pointer ifr = Memory.allocateDirect(Sys.runtime(), 40, true);
            byte[] name = "lo".getBytes(StandardCharsets.US_ASCII);
            ifr.put(0, name, 0, name.length);
            Sys.ioctl(sock, SIOCGIFFLAGS, ifr, "lo, SIOCGIFFLAGS");
            ifr.putShort(16, (short) (ifr.getShort(16) | IFF_UP));
            Sys.ioctl(sock, SIOCSIFFLAGS, ifr, "lo, SIOCSIFFLAGS IFF_UP");
        } finally {
            Sys.close(sock);
        }
    }
}
