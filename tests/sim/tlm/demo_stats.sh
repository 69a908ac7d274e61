#!/usr/bin/env bash
# `make sc-demo` prints the statistics `mmulab demo` prints: the same workload (knobs and seed)
# through the SystemC platform must give the same numbers as the model run by mmulab itself
# (the stream is issued in the same order; only the times between accesses differ, and no
# statistic depends on them). Model backend: every statistics line. RTL backend: the lines its
# results determine (docs/systemc.md: fills, evictions, drops and PWC lookups are not visible).
# Usage: demo_stats.sh MMULAB SC_DEMO
set -u
mmulab=$1 demo=$2
args=(--ops 3000 --seed 11 --mode 4level)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$mmulab" demo "${args[@]}" > "$tmp/mmulab.txt" 2>&1 || { echo "mmulab demo failed"; cat "$tmp/mmulab.txt"; exit 1; }
all='^  (itlb|dtlb|l2) |^ +hits 4k|^PWC|^  deepest|^walks|^assists|^faults|^walk latency|^translation latency|^ +[0-9-]+ +[0-9.]+% \|'
visible='^ +hits 4k|^walks|^faults|^walk latency|^translation latency|^ +[0-9-]+ +[0-9.]+% \|'
fail=0
for backend in model rtl; do
  "$demo" "${args[@]}" --backend "$backend" > "$tmp/$backend.txt" 2>&1 || { echo "sc-demo --backend $backend failed"; cat "$tmp/$backend.txt"; exit 1; }
  pattern=$([ "$backend" = model ] && echo "$all" || echo "$visible")
  grep -E "$pattern" "$tmp/mmulab.txt" > "$tmp/want"
  grep -E "$pattern" "$tmp/$backend.txt" > "$tmp/got"
  if [ ! -s "$tmp/want" ]; then echo "no statistics lines in mmulab demo's output"; exit 1; fi
  if diff "$tmp/want" "$tmp/got" > "$tmp/diff"; then
    echo "ok   sc-demo --backend $backend: $(wc -l < "$tmp/want") statistics lines as mmulab demo"
  else
    echo "FAIL sc-demo --backend $backend differs from mmulab demo (< mmulab, > sc-demo):"; cat "$tmp/diff"; fail=1
  fi
done
exit $fail
