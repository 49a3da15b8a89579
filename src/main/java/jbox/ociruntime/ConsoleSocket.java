package jbox.ociruntime;

import jbox.sys.Sys;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * --console-socket: the pty's master end goes to the caller over a Unix socket as SCM_RIGHTS, as
 * runc sends it (conmon and containerd's shim then own the terminal).
 */
final class ConsoleSocket {
    private static final int AF_UNIX = 1, SOCK_STREAM = 1, SOL_SOCKET = 1, SCM_RIGHTS = 1;

    private ConsoleSocket() {}

    static void send(String path, int fd) {
        int sock = Sys.socket(AF_UNIX, SOCK_STREAM | jbox.sys.Linux.SOCK_CLOEXEC, 0, "AF_UNIX, SOCK_STREAM");
        try {
            Pointer addr = Memory.allocateDirect(Sys.runtime(), 110, true);
            byte[] p = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (p.length > 107) throw new OciException("console socket path too long: " + path);
            addr.putShort(0, (short) AF_UNIX);
            addr.put(2, p, 0, p.length);
            addr.putByte(2 + p.length, (byte) 0);
            try {
                Sys.connect(sock, addr, 2 + p.length + 1, "the console socket " + path);
            } catch (jbox.sys.SyscallException e) {
                throw new OciException("cannot connect to the console socket " + path + ": " + jbox.sys.SyscallException.errnoText(e.errno()));
            }
            // One byte of data (the name runc sends), and the descriptor in a control message.
            byte[] name = "/dev/ptmx".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Pointer data = Memory.allocateDirect(Sys.runtime(), name.length, true);
            data.put(0, name, 0, name.length);
            Pointer iov = Memory.allocateDirect(Sys.runtime(), 16, true);
            iov.putPointer(0, data);
            iov.putLong(8, name.length);
            Pointer cmsg = Memory.allocateDirect(Sys.runtime(), 24, true); // CMSG_SPACE(sizeof(int))
            cmsg.putLong(0, 20); // CMSG_LEN(sizeof(int))
            cmsg.putInt(8, SOL_SOCKET);
            cmsg.putInt(12, SCM_RIGHTS);
            cmsg.putInt(16, fd);
            Pointer msg = Memory.allocateDirect(Sys.runtime(), 56, true);
            msg.putAddress(0, 0L);
            msg.putInt(8, 0);
            msg.putPointer(16, iov);
            msg.putLong(24, 1);
            msg.putPointer(32, cmsg);
            msg.putLong(40, 24);
            msg.putInt(48, 0);
            try {
                Sys.sendmsg(sock, msg, "SCM_RIGHTS " + fd + " to " + path);
            } catch (jbox.sys.SyscallException e) {
                throw new OciException("cannot send the terminal to the console socket " + path + ": " + jbox.sys.SyscallException.errnoText(e.errno()));
            }
        } finally {
            Sys.close(sock);
        }
    }
}
