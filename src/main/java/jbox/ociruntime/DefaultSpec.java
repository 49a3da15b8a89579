package jbox.ociruntime;

/** The config.json `spec` writes (runc's default, for a busybox-like rootfs/) and the `features` answer. */
final class DefaultSpec {
    private DefaultSpec() {}

    static final String JSON = """
            {
              "ociVersion": "1.0.2",
              "process": {
                "terminal": true,
                "user": {
                  "uid": 0,
                  "gid": 0
                },
                "args": [
                  "sh"
                ],
                "env": [
                  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                  "TERM=xterm"
                ],
                "cwd": "/",
                "capabilities": {
                  "bounding": [
                    "CAP_AUDIT_WRITE",
                    "CAP_KILL",
                    "CAP_NET_BIND_SERVICE"
                  ],
                  "effective": [
                    "CAP_AUDIT_WRITE",
                    "CAP_KILL",
                    "CAP_NET_BIND_SERVICE"
                  ],
                  "permitted": [
                    "CAP_AUDIT_WRITE",
                    "CAP_KILL",
                    "CAP_NET_BIND_SERVICE"
                  ],
                  "ambient": [
                    "CAP_AUDIT_WRITE",
                    "CAP_KILL",
                    "CAP_NET_BIND_SERVICE"
                  ]
                },
                "rlimits": [
                  {
                    "type": "RLIMIT_NOFILE",
                    "hard": 1024,
                    "soft": 1024
                  }
                ],
                "noNewPrivileges": true
              },
              "root": {
                "path": "rootfs",
                "readonly": true
              },
              "hostname": "jbox",
              "mounts": [
                {
                  "destination": "/proc",
                  "type": "proc",
                  "source": "proc"
                },
                {
                  "destination": "/dev",
                  "type": "tmpfs",
                  "source": "tmpfs",
                  "options": [
                    "nosuid",
                    "strictatime",
                    "mode=755",
                    "size=65536k"
                  ]
                },
                {
                  "destination": "/dev/pts",
                  "type": "devpts",
                  "source": "devpts",
                  "options": [
                    "nosuid",
                    "noexec",
                    "newinstance",
                    "ptmxmode=0666",
                    "mode=0620",
                    "gid=5"
                  ]
                },
                {
                  "destination": "/dev/shm",
                  "type": "tmpfs",
                  "source": "shm",
                  "options": [
                    "nosuid",
                    "noexec",
                    "nodev",
                    "mode=1777",
                    "size=65536k"
                  ]
                },
                {
                  "destination": "/dev/mqueue",
                  "type": "mqueue",
                  "source": "mqueue",
                  "options": [
                    "nosuid",
                    "noexec",
                    "nodev"
                  ]
                },
                {
                  "destination": "/sys",
                  "type": "sysfs",
                  "source": "sysfs",
                  "options": [
                    "nosuid",
                    "noexec",
                    "nodev",
                    "ro"
                  ]
                },
                {
                  "destination": "/sys/fs/cgroup",
                  "type": "cgroup",
                  "source": "cgroup",
                  "options": [
                    "nosuid",
                    "noexec",
                    "nodev",
                    "relatime",
                    "ro"
                  ]
                }
              ],
              "linux": {
                "resources": {
                  "devices": [
                    {
                      "allow": false,
                      "access": "rwm"
                    }
                  ]
                },
                "namespaces": [
                  {
                    "type": "pid"
                  },
                  {
                    "type": "network"
                  },
                  {
                    "type": "ipc"
                  },
                  {
                    "type": "uts"
                  },
                  {
                    "type": "mount"
                  }
                ],
                "maskedPaths": [
                  "/proc/acpi",
                  "/proc/asound",
                  "/proc/kcore",
                  "/proc/keys",
                  "/proc/latency_stats",
                  "/proc/timer_list",
                  "/proc/timer_stats",
                  "/proc/sched_debug",
                  "/sys/firmware",
                  "/proc/scsi"
                ],
                "readonlyPaths": [
                  "/proc/bus",
                  "/proc/fs",
                  "/proc/irq",
                  "/proc/sys",
                  "/proc/sysrq-trigger"
                ]
              }
            }
            """;

    static final String FEATURES = """
            {
              "ociVersionMin": "1.0.0",
              "ociVersionMax": "1.1.0",
              "hooks": [
                "prestart",
                "createRuntime",
                "createContainer",
                "startContainer",
                "poststart",
                "poststop"
              ],
              "mountOptions": [
                "async",
                "atime",
                "bind",
                "defaults",
                "dev",
                "diratime",
                "dirsync",
                "exec",
                "mand",
                "noatime",
                "nodev",
                "nodiratime",
                "noexec",
                "nomand",
                "norelatime",
                "nostrictatime",
                "nosuid",
                "private",
                "rbind",
                "relatime",
                "remount",
                "ro",
                "rprivate",
                "rshared",
                "rslave",
                "runbindable",
                "rw",
                "shared",
                "slave",
                "strictatime",
                "suid",
                "sync",
                "unbindable"
              ],
              "linux": {
                "namespaces": [
                  "cgroup",
                  "ipc",
                  "mount",
                  "network",
                  "pid",
                  "user",
                  "uts"
                ],
                "capabilities": [
                  "CAP_CHOWN",
                  "CAP_DAC_OVERRIDE",
                  "CAP_DAC_READ_SEARCH",
                  "CAP_FOWNER",
                  "CAP_FSETID",
                  "CAP_KILL",
                  "CAP_SETGID",
                  "CAP_SETUID",
                  "CAP_SETPCAP",
                  "CAP_LINUX_IMMUTABLE",
                  "CAP_NET_BIND_SERVICE",
                  "CAP_NET_BROADCAST",
                  "CAP_NET_ADMIN",
                  "CAP_NET_RAW",
                  "CAP_IPC_LOCK",
                  "CAP_IPC_OWNER",
                  "CAP_SYS_MODULE",
                  "CAP_SYS_RAWIO",
                  "CAP_SYS_CHROOT",
                  "CAP_SYS_PTRACE",
                  "CAP_SYS_PACCT",
                  "CAP_SYS_ADMIN",
                  "CAP_SYS_BOOT",
                  "CAP_SYS_NICE",
                  "CAP_SYS_RESOURCE",
                  "CAP_SYS_TIME",
                  "CAP_SYS_TTY_CONFIG",
                  "CAP_MKNOD",
                  "CAP_LEASE",
                  "CAP_AUDIT_WRITE",
                  "CAP_AUDIT_CONTROL",
                  "CAP_SETFCAP",
                  "CAP_MAC_OVERRIDE",
                  "CAP_MAC_ADMIN",
                  "CAP_SYSLOG",
                  "CAP_WAKE_ALARM",
                  "CAP_BLOCK_SUSPEND",
                  "CAP_AUDIT_READ",
                  "CAP_PERFMON",
                  "CAP_BPF",
                  "CAP_CHECKPOINT_RESTORE"
                ],
                "cgroup": {
                  "v1": true,
                  "v2": true,
                  "systemd": false,
                  "systemdUser": false
                },
                "seccomp": {
                  "enabled": true,
                  "actions": [
                    "SCMP_ACT_ALLOW",
                    "SCMP_ACT_ERRNO",
                    "SCMP_ACT_KILL",
                    "SCMP_ACT_KILL_PROCESS",
                    "SCMP_ACT_KILL_THREAD",
                    "SCMP_ACT_LOG",
                    "SCMP_ACT_TRACE",
                    "SCMP_ACT_TRAP"
                  ],
                  "operators": [
                    "SCMP_CMP_EQ",
                    "SCMP_CMP_GE",
                    "SCMP_CMP_GT",
                    "SCMP_CMP_LE",
                    "SCMP_CMP_LT",
                    "SCMP_CMP_MASKED_EQ",
                    "SCMP_CMP_NE"
                  ],
                  "archs": [
                    "SCMP_ARCH_AARCH64",
                    "SCMP_ARCH_ARM",
                    "SCMP_ARCH_X32",
                    "SCMP_ARCH_X86",
                    "SCMP_ARCH_X86_64"
                  ]
                },
                "apparmor": {
                  "enabled": false
                },
                "selinux": {
                  "enabled": false
                }
              },
              "annotations": {
                "org.jbox.runtime": "jbox's engine behind runc's command line"
              }
            }
            """.strip();
}
