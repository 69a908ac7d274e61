#!/usr/bin/env bash
# Ensures the Debian packages a make target needs are installed.
# Usage: tools/deps.sh GROUP...   (groups: base rtl trace fuzz fpga formal systemc plot python)
# As root it installs what is missing; otherwise it prints the apt-get line and fails.
set -euo pipefail

pkgs_for() {
  case "$1" in
    base)    echo "gcc make pkg-config libcmocka-dev libcjson-dev" ;;
    rtl)     echo "g++ verilator zlib1g-dev" ;;
    trace)   echo "zlib1g-dev liblzma-dev libzstd-dev xz-utils zstd valgrind" ;;
    fuzz)    echo "clang" ;;
    fpga)    echo "yosys nextpnr-ice40 fpga-icestorm" ;;
    formal)  echo "yosys z3" ;;                 # yosys-smtbmc comes with yosys
    systemc) echo "g++ libsystemc-dev" ;;
    plot)    echo "gnuplot-nox" ;;
    python)  echo "python3" ;;
    *) echo "tools/deps.sh: unknown group '$1' (base rtl trace fuzz fpga formal systemc plot python)" >&2; exit 2 ;;
  esac
}

want=()
for group in "$@"; do
  pkgs=$(pkgs_for "$group") || exit 2   # an unknown group is an error, not "nothing to install"
  for p in $pkgs; do want+=("$p"); done
done

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "deps: missing Debian packages: ${missing[*]}" >&2
echo "deps: run as root:  sudo $line" >&2
exit 1
