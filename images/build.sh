#!/usr/bin/env bash
# Builds the bundled images with jbox build: for each images/NAME/, rootfs.sh fills the build
# context's rootfs/ and NAME/Dockerfile says what the image is; the images go into the OCI
# layout OUT. The rest of the arguments are the jbox command to use (the set-up passes its java).
# Usage: images/build.sh OUT JBOX_COMMAND...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
names=()
for dockerfile in "$here"/*/Dockerfile; do
  dir=$(dirname "$dockerfile")
  name=$(basename "$dir")
  ctx=$work/$name
  mkdir -p "$ctx"
  cp "$dockerfile" "$ctx/Dockerfile"
  [ -f "$dir/rootfs.sh" ] && bash "$dir/rootfs.sh" "$ctx/rootfs"
  JBOX_ROOT=$work/root "$@" build -q -t "$name:latest" "$ctx" >/dev/null
  names+=("$name:latest")
done
JBOX_ROOT=$work/root "$@" _export-oci --into "$out" "${names[@]}"
