#!/usr/bin/env bash
# `mmulab exp` end to end (docs/experiments.md): a run writes every output file; the shards of
# a sharded run, merged, give the same files byte for byte as the unsharded run; merge refuses
# a missing or a duplicated shard; every output that cannot be written is an error naming it;
# a missing gnuplot is an error with the apt-get line; a failing point and a bad file are
# errors naming the log and FILE:LINE.
# Usage: tests/sim/exp/exp_cli.sh MMULAB
set -u
mmulab=$(readlink -f "$1")
cd "$(dirname "$0")/../../.."
exp=tests/sim/exp/small.ini
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
metrics="mem_reads_per_walk walk_p50 dtlb_hit_rate"
outputs="results.json results.csv points.csv table.txt index.html"

# --- a whole run, two jobs at a time
"$mmulab" exp "$exp" -j 2 --out "$t/full" >"$t/full.txt" 2>"$t/full.err" || { cat "$t/full.err"; fail "run"; }
for f in $outputs; do [ -s "$t/full/$f" ] || fail "full run: no $f"; done
for m in $metrics; do
  for ext in png svg dat gp; do [ -s "$t/full/plots/$m.$ext" ] || fail "no plots/$m.$ext"; done
  grep -q "src=\"plots/$m.svg\"" "$t/full/index.html" || fail "index.html does not show plots/$m.svg"
done
grep -q 'report: .*/index.html' "$t/full.txt" || fail "no report line"
grep -q '^narrow .*16 .*5level' "$t/full.txt" || fail "table lacks a row"
# not a terminal: one progress line per point (16 points)
[ "$(grep -c '^exp small: point .* done' "$t/full.err")" = 16 ] || fail "progress lines"

# --- schema: CSV header and row counts, JSON format and tool version
head -1 "$t/full/results.csv" | grep -q '^workload,set.pwc_pd_entries,mode,seeds,cycles_per_access_mean,cycles_per_access_ci95,' \
  || fail "results.csv header: $(head -1 "$t/full/results.csv")"
[ "$(wc -l <"$t/full/results.csv")" = 9 ] || fail "results.csv: want 8 groups + header"
[ "$(wc -l <"$t/full/points.csv")" = 17 ] || fail "points.csv: want 16 points + header"
head -1 "$t/full/points.csv" | grep -q '^index,workload,set.pwc_pd_entries,mode,seed,cycles_per_access,' || fail "points.csv header"
grep -q '"format":	1' "$t/full/results.json" || fail "results.json: no format version"
grep -q '"name":	"mmulab"' "$t/full/results.json" || fail "results.json: no tool name"
grep -q '"version":	"' "$t/full/results.json" || fail "results.json: no tool version"
# every group of two seeds has a confidence interval of the walk count
grep -q '"ci95":	null' "$t/full/results.json" && ! grep -q '"ci95":	[0-9]' "$t/full/results.json" && fail "no CI"

# --- three shards (each with its own -j), merged, equal the whole run
"$mmulab" exp "$exp" --shard 1/3 -j 1 --out "$t/s1" >/dev/null 2>&1 || fail "shard 1/3"
"$mmulab" exp "$exp" --shard 2/3 -j 2 --out "$t/s2" >/dev/null 2>&1 || fail "shard 2/3"
"$mmulab" exp "$exp" --shard 3/3 --out "$t/s3" >"$t/s3.txt" 2>&1 || fail "shard 3/3"
grep -q 'exp merge' "$t/s3.txt" || fail "a shard does not say how to merge"
[ -e "$t/s1/results.json" ] && fail "a shard wrote results of a partial run"
n1=$(ls "$t/s1/points" | grep -c json); n2=$(ls "$t/s2/points" | grep -c json); n3=$(ls "$t/s3/points" | grep -c json)
[ "$n1 $n2 $n3" = "6 5 5" ] || fail "shard sizes $n1 $n2 $n3, want 6 5 5"
"$mmulab" exp merge "$t/s3" "$t/s1" "$t/s2" --out "$t/merged" >"$t/merged.txt" 2>&1 || { cat "$t/merged.txt"; fail "merge"; }
for f in $outputs; do cmp "$t/full/$f" "$t/merged/$f" || fail "merged $f differs from the unsharded run"; done
for m in $metrics; do
  for ext in dat gp svg; do cmp "$t/full/plots/$m.$ext" "$t/merged/plots/$m.$ext" || fail "merged plots/$m.$ext differs"; done
done

# --- merge refuses a missing and a duplicated shard, and another experiment's directory
"$mmulab" exp merge "$t/s1" "$t/s2" --out "$t/m2" --no-plots >"$t/err" 2>&1 && fail "merge without shard 3: exit 0"
grep -q 'is in none of the directories' "$t/err" || fail "missing shard: $(cat "$t/err")"
"$mmulab" exp merge "$t/s1" "$t/s2" "$t/s3" "$t/full" --out "$t/m3" --no-plots >"$t/err" 2>&1 && fail "duplicate: exit 0"
grep -q 'is in two directories' "$t/err" || fail "duplicate shard: $(cat "$t/err")"
"$mmulab" exp "$exp" --shard 1/3 --set tlb_repl=plru --out "$t/other" >/dev/null 2>&1 || fail "run with --set"
"$mmulab" exp merge "$t/other" "$t/s2" "$t/s3" --out "$t/m4" --no-plots >"$t/err" 2>&1 && fail "mixed experiments: exit 0"
grep -q 'hold different experiments' "$t/err" || fail "mixed: $(cat "$t/err")"

# --- every output that cannot be written is an error naming it
for f in $outputs plots; do
  mkdir -p "$t/ro-$f/$f/x"   # a directory where the file goes (plots: a file where the directory goes)
  if [ "$f" = plots ]; then rm -rf "$t/ro-$f/plots"; echo x >"$t/ro-$f/plots"; fi
  "$mmulab" exp merge "$t/s1" "$t/s2" "$t/s3" --out "$t/ro-$f" >"$t/err" 2>&1 && fail "unwritable $f: exit 0"
  grep -q "$t/ro-$f/$f" "$t/err" || fail "unwritable $f: $(cat "$t/err")"
done
echo x >"$t/afile"
"$mmulab" exp "$exp" --out "$t/afile/out" >"$t/err" 2>&1 && fail "out under a file: exit 0"
grep -q "cannot create $t/afile/out" "$t/err" || fail "out under a file: $(cat "$t/err")"

# --- gnuplot missing: an error with the install line, before any point runs
PATH=/nonexistent "$mmulab" exp "$exp" --out "$t/nognu" >"$t/err" 2>&1 && fail "no gnuplot: exit 0"
grep -q 'apt-get install -y gnuplot-nox' "$t/err" || fail "no gnuplot: $(cat "$t/err")"
[ -e "$t/nognu/points" ] && fail "points ran before the gnuplot check"
PATH=/nonexistent "$mmulab" exp "$exp" --no-plots --out "$t/noplots" >/dev/null 2>&1 || fail "--no-plots"
[ -s "$t/noplots/index.html" ] || fail "--no-plots: no index.html"

# --- a failing point names its log; a bad file names FILE:LINE
printf '[experiment]\nname = broken\ncommand = demo\n[fixed]\nops = 10\n[workloads]\nw = --workload nonsense\n' >"$t/broken.ini"
"$mmulab" exp "$t/broken.ini" --out "$t/broken" >"$t/err" 2>&1 && fail "failing point: exit 0"
grep -q "point 0 failed .*$t/broken/points/000000.log" "$t/err" || fail "failing point: $(cat "$t/err")"
printf '[experiment]\nname = bad\ncommand = demo\n[sweep]\nmode = 4level,\n' >"$t/bad.ini"
"$mmulab" exp "$t/bad.ini" >"$t/err" 2>&1; [ $? = 2 ] || fail "bad file: exit status"
grep -q "$t/bad.ini:5: 'mode'" "$t/err" || fail "bad file: $(cat "$t/err")"
"$mmulab" exp "$exp" --shard 4/3 >"$t/err" 2>&1 && fail "--shard 4/3: exit 0"

# --- dry run: the points of a shard and their commands
"$mmulab" exp "$exp" --dry-run --shard 2/3 >"$t/dry" || fail "dry run"
grep -q '^experiment small: 16 points (8 groups x 2 seeds)' "$t/dry" || fail "dry run header"
[ "$(grep -c ' shard 2/3: mmulab demo' "$t/dry")" = 5 ] || fail "dry run: want 5 points of shard 2/3"
grep -q '^1 shard 2/3: mmulab demo --workload random --region 16M --page 4k --ops 600 --set pwc_pdpt_entries=4 --set pwc_pd_entries=0 --mode 4level --seed 2$' "$t/dry" \
  || fail "dry run: point 1's command: $(sed -n 2p "$t/dry")"
echo "ok: exp run, shards+merge == unsharded, errors"
