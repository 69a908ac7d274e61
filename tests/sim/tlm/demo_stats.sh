#!/usr/bin/env bash
# `make sc-demo` prints the statistics `mmulab demo` prints: the same options and seed through the
# SystemC platform (its traffic generator boots the OS layer in the platform's memory and runs
# the demo's processes through the MMU module, sim/tlm/traffic.h) must give the same numbers as
# mmulab itself (the same request sequence, faults included; only the times between accesses
# may differ, and no statistic depends on them). Model backend: every statistics line and the
# OS counters. RTL backend: the lines its results determine (docs/systemc.md: fills, evictions,
# drops and PWC lookups are not visible) and the OS counters.
# Two runs: the defaults (one process, its working set prefaulted), and a demand-paged one whose
# page faults come back as TLM_ADDRESS_ERROR_RESPONSE mid-run and are handled by the OS layer
# (do_page_fault, retry), with PTI + PCID, syscalls and two processes switching.
# Usage: demo_stats.sh MMULAB SC_DEMO
set -u
mmulab=$1 demo=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
all='^  (itlb|dtlb|l2) |^ +hits 4k|^PWC|^  deepest|^walks|^assists|^faults|^control|^walk latency|^translation latency|^ +[0-9-]+ +[0-9.]+% \||^os: page_faults|^os frames:'
visible='^ +hits 4k|^walks|^faults|^walk latency|^translation latency|^ +[0-9-]+ +[0-9.]+% \||^os: page_faults|^os frames:'
fail=0
check() {   # NAME ARGS...
  local name=$1; shift
  "$mmulab" demo "$@" > "$tmp/mmulab.txt" 2>&1 || { echo "mmulab demo $* failed"; cat "$tmp/mmulab.txt"; exit 1; }
  for backend in model rtl; do
    "$demo" "$@" --backend "$backend" > "$tmp/$backend.txt" 2>&1 ||
      { echo "sc-demo $* --backend $backend failed"; cat "$tmp/$backend.txt"; exit 1; }
    pattern=$([ "$backend" = model ] && echo "$all" || echo "$visible")
    grep -E "$pattern" "$tmp/mmulab.txt" > "$tmp/want"
    grep -E "$pattern" "$tmp/$backend.txt" > "$tmp/got"
    if [ ! -s "$tmp/want" ]; then echo "no statistics lines in mmulab demo's output"; exit 1; fi
    if diff "$tmp/want" "$tmp/got" > "$tmp/diff"; then
      echo "ok   $name: sc-demo --backend $backend: $(wc -l < "$tmp/want") statistics lines as mmulab demo"
    else
      echo "FAIL $name: sc-demo --backend $backend differs from mmulab demo (< mmulab, > sc-demo):"; cat "$tmp/diff"; fail=1
    fi
  done
}
check prefaulted --ops 3000 --seed 11 --mode 4level
check demand-paged --ops 3000 --seed 11 --mode 4level --ws 64M --prefault 0 --kpti 1 --pcid 1 --syscall-every 200 \
  --procs 2 --switch-every 1000
# the demand-paged run did take faults through the TLM fault response
grep -q '^os: page_faults [1-9]' "$tmp/rtl.txt" || { echo "FAIL demand-paged: no page fault in the run"; fail=1; }
grep -q ' [1-9][0-9]* fault responses' "$tmp/rtl.txt" || { echo "FAIL demand-paged: no fault response counted"; fail=1; }
# one MMU: more CPUs are refused with a message
"$demo" --threads 2 > "$tmp/e.txt" 2>&1 && { echo "FAIL sc-demo --threads 2: exit 0"; fail=1; }
grep -q "the platform has one MMU" "$tmp/e.txt" || { echo "FAIL sc-demo --threads 2: $(head -2 "$tmp/e.txt")"; fail=1; }
exit $fail
