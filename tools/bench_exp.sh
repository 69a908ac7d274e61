#!/usr/bin/env bash
# `make bench` (mk/exp.mk): the experiment runner's parallel speed-up and shard equality.
# Runs EXPERIMENT (default: pwc, 63 points) with -j 1 and with -j 2 (no plots: gnuplot is serial
# and not what is measured), prints both wall times and the speed-up (target >= 1.8x on 2 free
# cores; the load average is printed beside it, since a shared machine cannot reach it), then
# runs it as 2 shards, merges them and compares the outputs with the -j 2 run byte for byte
# (a difference fails the bench).
# Usage: tools/bench_exp.sh MMULAB [EXPERIMENT] [OPS]
set -eu
mmulab=$(readlink -f "$1"); exp=${2:-pwc}; ops=${3:-100000}
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
wall() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>"$t/err" || { cat "$t/err"; exit 1; }; e=$(date +%s.%N); awk -v a="$s" -v b="$e" 'BEGIN{printf "%.2f", b-a}'; }
w1=$(wall "$mmulab" exp "$exp" -j 1 --no-plots --set ops="$ops" --out "$t/j1")
w2=$(wall "$mmulab" exp "$exp" -j 2 --no-plots --set ops="$ops" --out "$t/j2")
points=$(($(wc -l <"$t/j2/points.csv") - 1))
speedup=$(awk -v a="$w1" -v b="$w2" 'BEGIN{printf "%.2f", a/b}')
verdict=$(awk -v s="$speedup" 'BEGIN{print (s >= 1.8) ? "meets the 1.8x target" : "below the 1.8x target"}')
echo "bench exp: $exp, $points points of $ops accesses: -j 1 ${w1} s, -j 2 ${w2} s, speed-up ${speedup}x ($verdict; load average $(cut -d' ' -f1-3 /proc/loadavg))"
"$mmulab" exp "$exp" --shard 1/2 -j 1 --no-plots --set ops="$ops" --out "$t/s1" >/dev/null 2>&1
"$mmulab" exp "$exp" --shard 2/2 -j 1 --no-plots --set ops="$ops" --out "$t/s2" >/dev/null 2>&1
"$mmulab" exp merge "$t/s2" "$t/s1" --no-plots --out "$t/merged" >/dev/null
for f in results.json results.csv points.csv table.txt index.html; do
  cmp -s "$t/j2/$f" "$t/merged/$f" || { echo "bench exp: sharded+merged $f differs from the unsharded run"; exit 1; }
done
echo "bench exp: 2 shards merged == unsharded (results.json, results.csv, points.csv, table.txt, index.html byte for byte)"
