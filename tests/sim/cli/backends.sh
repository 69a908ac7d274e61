#!/usr/bin/env bash
# `mmulab backends` and `mmulab --version` name exactly the backends a binary has.
# Usage: tests/sim/cli/backends.sh MMULAB 'EXPECTED BACKENDS' [trace]
set -u
mmulab=$1; want=$2; trace=${3:-}
got=$("$mmulab" backends | tr '\n' ' ' | sed 's/ $//')
expect=$want${trace:+ trace}
[ "$got" = "$expect" ] || { echo "backends: got '$got', expected '$expect'"; exit 1; }
ver=$("$mmulab" --version)
case "$ver" in
  "mmulab $(cat VERSION) git "?*" (backends: $want; waveforms: $([ -n "$trace" ] && echo yes || echo no))") ;;
  *) echo "--version: got '$ver'"; exit 1 ;;
esac
# an unknown argument is a usage error, not a listing
if "$mmulab" backends extra >/dev/null 2>&1; then echo "backends extra: exit 0"; exit 1; fi
echo "ok: $mmulab has: $expect"
