#!/usr/bin/env bash
# The OS layer on the RTL beyond what tests/run.sh does (it runs every single-CPU
# tests/scripts/os_*.mmu in lockstep on cosim already): the multi-CPU shootdown script on
# three RTL instances (rtl backend), its expectations checking what the RTL TLBs keep, and
# the refusal of `os boot cpus>1` on cosim (each cosim instance keeps its own RTL copy of
# the memory, sim/rtl/cosim.c, so the CPUs' RTLs would not see each other's A/D writes).
# Usage: tests/cosim/os_lockstep.sh MMULAB_WITH_RTL
set -u
mmulab=$1
cd "$(dirname "$0")/../.."
rc=0
if out=$("$mmulab" run tests/scripts/os_shootdown.mmu --backend rtl 2>&1); then
  echo "  ok    rtl os_shootdown"
else
  echo "  FAIL  rtl os_shootdown"; echo "$out" | tail -n 20; rc=1
fi
if out=$(printf 'os boot 4level cpus=2\n' | "$mmulab" run - --backend cosim 2>&1); then
  echo "  FAIL  cosim cpus=2 was accepted"; rc=1
elif grep -q "cpus=2 on the cosim backend" <<<"$out"; then
  echo "  ok    cosim cpus=2 refused"
else
  echo "  FAIL  cosim cpus=2: unexpected error"; echo "$out" | tail -n 5; rc=1
fi
exit $rc
