#!/usr/bin/env bash
# Fills $1 with a busybox root filesystem from Debian's busybox-static (a static binary: no libc needed).
set -euo pipefail
out=$1
bb=/bin/busybox
if ! file -L "$bb" 2>/dev/null | grep -q 'statically linked' && ! ldd "$bb" 2>&1 | grep -q 'not a dynamic'; then
  echo "images/busybox: $bb is not the static busybox; install it with: apt-get install busybox-static" >&2
  exit 1
fi
umask 022
mkdir -p "$out"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,root,home,var,tmp}
chmod 1777 "$out/tmp"
chmod 700 "$out/root"
install -m 755 "$bb" "$out/bin/busybox"
# One link per applet, where busybox itself would install it.
"$bb" --list-full | sort | while read -r applet; do
  [ "$applet" = bin/busybox ] && continue
  mkdir -p "$out/$(dirname "$applet")"
  ln -sf /bin/busybox "$out/$applet"
done
cat > "$out/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
PASSWD
cat > "$out/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
tty:x:5:
nogroup:x:65534:
GROUP
chmod 644 "$out/etc/passwd" "$out/etc/group"
