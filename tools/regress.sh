#!/usr/bin/env bash
# Random regressions of `mmulab random` (docs/verification.md).
#
#   tools/regress.sh run MMULAB OUTDIR SEEDS [OPS [BACKEND [ARGS...]]]
#       seeds 1..SEEDS in chunks of $REGRESS_CHUNK (default 20), $REGRESS_JOBS at a time
#       (default: the number of CPUs); writes OUTDIR/junit.xml (one testcase per seed,
#       random.SEED), OUTDIR/coverage.json and OUTDIR/coverage.txt (merged coverage with
#       its holes), the script logs of failing seeds in OUTDIR/logs/. ARGS go to every
#       `mmulab random` (e.g. --config configs/small.cfg, --set k=v, --mode 5level).
#   tools/regress.sh smoke MMULAB [BACKEND]
#       the short regression of `make test`: $SMOKE_SEEDS seeds (default 300) of
#       $SMOKE_OPS operations (default 250); failing logs next to MMULAB in regress-smoke/.
# Exit status 0 when every seed passed.
set -u -o pipefail

die() { echo "regress.sh: $*" >&2; exit 2; }

cmd=${1:-}
case "$cmd" in
run)
  [ $# -ge 4 ] || die "usage: tools/regress.sh run MMULAB OUTDIR SEEDS [OPS [BACKEND [ARGS...]]]"
  mmulab=$2 out=$3 seeds=$4 ops=${5:-2000} backend=${6:-model}
  shift $(( $# < 6 ? $# : 6 ))
  [ -x "$mmulab" ] || die "$mmulab: no such executable"
  [[ "$seeds" =~ ^[0-9]+$ && "$seeds" -ge 1 ]] || die "SEEDS must be a number >= 1, got '$seeds'"
  [[ "$ops" =~ ^[0-9]+$ && "$ops" -ge 1 ]] || die "OPS must be a number >= 1, got '$ops'"
  chunk=${REGRESS_CHUNK:-20}
  jobs=${REGRESS_JOBS:-$(nproc 2>/dev/null || echo 2)}
  rm -rf "$out/chunks" "$out/logs"
  mkdir -p "$out/chunks" "$out/logs" || die "cannot create $out"
  ranges=()
  for ((lo = 1; lo <= seeds; lo += chunk)); do
    hi=$((lo + chunk - 1)); ((hi > seeds)) && hi=$seeds
    ranges+=("$lo..$hi")
  done
  t0=$(date +%s.%N)
  # one process per chunk: `mmulab random --seeds A..B` with its own JUnit and coverage file
  printf '%s\n' "${ranges[@]}" | xargs -P "$jobs" -I{} sh -c '
    out=$1 r=$2; shift 2; f=$(echo "$r" | tr . -)
    "$@" --seeds "$r" --junit "$out/chunks/$f.xml" --coverage "$out/chunks/$f.json" > "$out/chunks/$f.txt" 2>&1
    echo $? > "$out/chunks/$f.rc"' sh "$out" {} \
    "$mmulab" random --ops "$ops" --backend "$backend" --quiet --log-dir "$out/logs" "$@"
  t1=$(date +%s.%N)
  status=0
  {
    echo '<?xml version="1.0" encoding="UTF-8"?>'
    echo "<testsuites name=\"mmulab.random\">"
    for r in "${ranges[@]}"; do
      f=$out/chunks/$(echo "$r" | tr . -)
      if [ -s "$f.xml" ]; then
        sed '1{/^<?xml/d}' "$f.xml"
      else   # the chunk died before writing its report: one error per seed
        lo=${r%..*}; hi=${r#*..}
        echo "<testsuite name=\"random\" tests=\"$((hi - lo + 1))\" failures=\"0\" errors=\"$((hi - lo + 1))\">"
        for ((s = lo; s <= hi; s++)); do
          echo "  <testcase classname=\"random\" name=\"random.$s\"><error message=\"the chunk $r produced no report (see $f.txt)\"/></testcase>"
        done
        echo "</testsuite>"
      fi
    done
    echo "</testsuites>"
  } > "$out/junit.xml"
  passed=0; failed=0
  for r in "${ranges[@]}"; do
    f=$out/chunks/$(echo "$r" | tr . -)
    rc=$(cat "$f.rc" 2>/dev/null || echo 99)
    [ "$rc" = 0 ] || status=1
    grep -E '^(seed [0-9]+: (FAIL|ERROR)|  replay: )' "$f.txt"
    if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then echo "chunk $r: exit status $rc:"; tail -n 5 "$f.txt"; fi
    p=$(sed -nE 's/^random: .*: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/p' "$f.txt")
    if [ -n "$p" ]; then passed=$((passed + ${p%% *})); failed=$((failed + ${p##* })); fi
  done
  merge_args=()
  while [ $# -gt 0 ]; do   # the configuration decides which bins exist
    case "$1" in
      --config|--set) [ $# -ge 2 ] && merge_args+=("$1" "$2"); shift 2 || shift ;;
      --config=*|--set=*) merge_args+=("$1"); shift ;;
      *) shift ;;
    esac
  done
  jsons=("$out"/chunks/*.json)
  if [ -e "${jsons[0]}" ]; then
    "$mmulab" random --merge "${jsons[@]}" --coverage "$out/coverage.json" "${merge_args[@]}" > "$out/coverage.txt" \
      || status=1
    cat "$out/coverage.txt"
  fi
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  echo "regress: $seeds seeds x $ops ops on $backend: $passed passed, $failed failed, $secs s ($jobs jobs);" \
    "$out/junit.xml, $out/coverage.txt"
  exit $status
  ;;
smoke)
  [ $# -ge 2 ] || die "usage: tools/regress.sh smoke MMULAB [BACKEND]"
  mmulab=$2 backend=${3:-model}
  [ -x "$mmulab" ] || die "$mmulab: no such executable"
  logs=$(dirname "$mmulab")/regress-smoke
  mkdir -p "$logs" || die "cannot create $logs"
  exec "$mmulab" random --seeds "1..${SMOKE_SEEDS:-300}" --ops "${SMOKE_OPS:-250}" --backend "$backend" \
    --quiet --log-dir "$logs"
  ;;
*)
  die "usage: tools/regress.sh run MMULAB OUTDIR SEEDS [OPS [BACKEND [ARGS...]]] | smoke MMULAB [BACKEND]"
  ;;
esac
