#!/usr/bin/env bash
# RTL code coverage of a seeded co-simulation regression (make coverage, mk/cosim.mk).
#   tools/cosim_coverage.sh MMULAB OUTDIR SEEDS [OPS]
# MMULAB is an mmulab linked with the --coverage RTL library ($(BUILD)/rtl/cov/mmulab): each
# simulation writes a .dat into $MMULAB_RTL_COVERAGE_DIR. Seeds 1..SEEDS run in chunks of
# $COV_CHUNK (default 20), $COV_JOBS at a time; every chunk's .dat files are merged as soon as
# it ends (they are large). Writes OUTDIR/merged.dat (verilator_coverage -write), merged.info
# (lcov, --write-info), annotated/ (--annotate, lines below 1 hit marked %000000),
# functional.json / functional.txt (mmulab random --coverage / --merge), and prints line and
# toggle coverage, the files with the most uncovered points, and the functional table.
set -u -o pipefail
die() { echo "cosim_coverage.sh: $*" >&2; exit 2; }
[ $# -ge 3 ] || die "usage: tools/cosim_coverage.sh MMULAB OUTDIR SEEDS [OPS]"
mmulab=$1 out=$2 seeds=$3 ops=${4:-2000}
[ -x "$mmulab" ] || die "$mmulab: no such executable"
command -v verilator_coverage > /dev/null || die "verilator_coverage not found (tools/deps.sh rtl)"
chunk=${COV_CHUNK:-20} jobs=${COV_JOBS:-$(nproc 2>/dev/null || echo 2)}
rm -rf "$out"; mkdir -p "$out/chunks" || die "cannot create $out"

ranges=()
for ((lo = 1; lo <= seeds; lo += chunk)); do
  hi=$((lo + chunk - 1)); ((hi > seeds)) && hi=$seeds
  ranges+=("$lo..$hi")
done
t0=$(date +%s)
printf '%s\n' "${ranges[@]}" | xargs -P "$jobs" -I{} sh -c '
  out=$1 r=$2 ops=$3 mmulab=$4; f=$out/chunks/$(echo "$r" | tr . -)
  mkdir -p "$f.d"
  MMULAB_RTL_COVERAGE_DIR=$f.d "$mmulab" random --seeds "$r" --ops "$ops" --backend cosim --no-replay --no-rerun \
    --quiet --log-dir "$out/chunks" --coverage "$f.json" > "$f.txt" 2>&1
  echo $? > "$f.rc"
  verilator_coverage -write "$f.dat" "$f.d"/*.dat > /dev/null && rm -rf "$f.d"' sh "$out" {} "$ops" "$mmulab"
status=0
for r in "${ranges[@]}"; do
  f=$out/chunks/$(echo "$r" | tr . -)
  [ "$(cat "$f.rc" 2>/dev/null)" = 0 ] || { status=1; grep -E '^(seed [0-9]+: FAIL|  replay: )' "$f.txt"; }
  [ -s "$f.dat" ] || { status=1; echo "chunk $r: no coverage data"; }
done
verilator_coverage -write "$out/merged.dat" "$out"/chunks/*.dat > /dev/null || die "merging failed"
verilator_coverage -write-info "$out/merged.info" "$out/merged.dat" > /dev/null || die "--write-info failed"
verilator_coverage --annotate "$out/annotated" --annotate-min 1 "$out/merged.dat" > "$out/annotate.txt" 2>&1 ||
  die "--annotate failed"
"$mmulab" random --merge "$out"/chunks/*.json --coverage "$out/functional.json" > "$out/functional.txt" || status=1
t1=$(date +%s)

# merged.dat: one "C '<key>\001<value>\002...' COUNT" per point; t = line|toggle|branch|block|...,
# page = v_toggle/... for toggle points, v_line/v_branch/... for the others (counted as line)
python3 - "$out/merged.dat" > "$out/summary.txt" <<'PY'
import collections, re, sys
tot = collections.Counter(); hit = collections.Counter(); miss_by_file = collections.Counter()
for line in open(sys.argv[1], encoding='latin-1'):
    m = re.match(r"C '(.*)' (\d+)$", line.rstrip('\n'))
    if not m:
        continue
    kv = dict(p.split('\002', 1) for p in m.group(1).split('\001') if '\002' in p)
    kind = 'toggle' if kv.get('page', '').startswith('v_toggle') else 'line'
    tot[kind] += 1
    if int(m.group(2)) > 0:
        hit[kind] += 1
    else:
        miss_by_file[(kind, kv.get('f', '?').split('/')[-1])] += 1
for kind in ('line', 'toggle'):
    n, h = tot[kind], hit[kind]
    print(f"RTL {kind} coverage: {h}/{n} points ({100.0 * h / n if n else 0:.1f}%)")
    worst = sorted(((c, f) for (k, f), c in miss_by_file.items() if k == kind), reverse=True)[:5]
    if worst:
        print("  uncovered by file: " + ", ".join(f"{f} {c}" for c, f in worst))
PY
cat "$out/summary.txt"
echo "functional coverage (mmulab random --merge):"
cat "$out/functional.txt"
echo "coverage: $seeds seeds x $ops ops on cosim, $((t1 - t0)) s ($jobs jobs); $out/merged.dat, $out/merged.info," \
  "$out/annotated/ (uncovered lines marked %000000), $out/functional.txt"
exit $status
