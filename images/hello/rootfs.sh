#!/usr/bin/env bash
# Fills $1 with one static program compiled from hello.c.
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
umask 022
mkdir -p "$out"
gcc -Os -static -nostdlib -ffreestanding -fno-asynchronous-unwind-tables -fno-stack-protector -fno-pie -no-pie \
    -Wl,--build-id=none -Wl,-n -s -o "$out/hello" "$here/hello.c"
chmod 755 "$out/hello"
