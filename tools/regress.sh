#!/usr/bin/env bash
# Random regressions of `mmulab random` (docs/verification.md).
#
#   tools/regress.sh run MMULAB OUTDIR SEEDS [OPS [BACKEND [ARGS...]]]
#       SEEDS is N (seeds 1..N) or A..B; SHARD=K/N in the environment runs only the K-th of N
#       contiguous slices of that range (K from 1), so a CI matrix or a job array splits one
#       regression over machines (join them with `merge`). Seeds run in chunks of
#       $REGRESS_CHUNK (default 20), $REGRESS_JOBS at a time (default: the number of CPUs),
#       with a progress line per finished chunk; writes OUTDIR/junit.xml (one testcase per
#       seed, random.SEED), OUTDIR/coverage.json and OUTDIR/coverage.txt (merged coverage with
#       its holes), the script logs of failing seeds in OUTDIR/logs/. ARGS go to every
#       `mmulab random` (e.g. --config configs/small.cfg, --set k=v, --mode 5level).
#   tools/regress.sh merge MMULAB OUTDIR DIR... [-- ARGS...]
#       joins the results of shards (each DIR an OUTDIR of `run`) into OUTDIR: one junit.xml
#       with every testsuite, coverage.json/.txt merged (ARGS: the runs' --config/--set, which
#       decide the coverage bins). Exit status 0 when every shard passed.
#   tools/regress.sh smoke MMULAB [BACKEND]
#       the short regression of `make test`: $SMOKE_SEEDS seeds (default 300) of
#       $SMOKE_OPS operations (default 250); failing logs next to MMULAB in regress-smoke/.
# Exit status 0 when every seed passed; 2 for a usage error.
set -u -o pipefail

die() { echo "regress.sh: $*" >&2; exit 2; }

# Puts the totals of its <testsuite> elements on the <testsuites> root (line 2) of a JUnit file,
# as CI dashboards read them.
add_junit_totals() {
  local f=$1 t
  t=$(awk 'match($0, /^<testsuite [^>]*>/) {
             s = substr($0, RSTART, RLENGTH)
             for (k = 1; k <= 3; k++) {
               name = k == 1 ? "tests" : k == 2 ? "failures" : "errors"
               if (match(s, " " name "=\"[0-9]+\"")) { v = substr(s, RSTART, RLENGTH); gsub(/[^0-9]/, "", v); sum[k] += v }
             }
           }
           END { printf "tests=\"%d\" failures=\"%d\" errors=\"%d\"", sum[1], sum[2], sum[3] }' "$f") || return 1
  sed -i "2s|^<testsuites |<testsuites $t |" "$f"
}

# Joins the <testsuite> elements of JUnit files (chunks of one run, or the runs of shards) by
# name: one testsuite per configuration/backend (`mmulab random` names them random.BACKEND.CONFIG),
# with the summed totals and time, the earliest timestamp, the first properties and every
# testcase. Prints the joined suites (no XML header, no <testsuites> root).
join_suites() {
  awk '
    /^<\?xml/ || /^<testsuites/ || /^<\/testsuites>/ { next }
    /^<testsuite / {
      match($0, / name="[^"]*"/); cur = substr($0, RSTART + 7, RLENGTH - 8)
      if (!(cur in seen)) { seen[cur] = 1; order[++n] = cur }
      for (k = 1; k <= 3; k++) {
        key = k == 1 ? "tests" : k == 2 ? "failures" : "errors"
        if (match($0, " " key "=\"[0-9]+\"")) { v = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", v); sum[cur, k] += v }
      }
      if (match($0, / time="[0-9.]+"/)) { v = substr($0, RSTART + 7, RLENGTH - 8); secs[cur] += v }
      if (match($0, / timestamp="[^"]*"/)) { v = substr($0, RSTART + 12, RLENGTH - 13); if (!(cur in stamp) || v < stamp[cur]) stamp[cur] = v }
      next
    }
    /^<\/testsuite>/ { cur = ""; next }
    /^  <properties>/ { if (!(cur in props)) props[cur] = $0; next }
    { cases[cur] = cases[cur] $0 "\n" }
    END {
      for (i = 1; i <= n; i++) {
        s = order[i]
        printf "<testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"%d\" time=\"%.3f\"%s>\n", s,
               sum[s, 1], sum[s, 2], sum[s, 3], secs[s], (s in stamp) ? " timestamp=\"" stamp[s] "\"" : ""
        if (s in props) print props[s]
        printf "%s", cases[s]
        print "</testsuite>"
      }
    }' "$@"
}

cmd=${1:-}
case "$cmd" in
run)
  [ $# -ge 4 ] || die "usage: tools/regress.sh run MMULAB OUTDIR SEEDS [OPS [BACKEND [ARGS...]]]"
  mmulab=$2 out=$3 seeds=$4 ops=${5:-2000} backend=${6:-model}
  shift $(( $# < 6 ? $# : 6 ))
  [ -x "$mmulab" ] || die "$mmulab: no such executable"
  if [[ "$seeds" =~ ^([0-9]+)\.\.([0-9]+)$ ]]; then
    first=$((10#${BASH_REMATCH[1]})) last=$((10#${BASH_REMATCH[2]}))
  elif [[ "$seeds" =~ ^[0-9]+$ ]]; then
    first=1 last=$((10#$seeds))
  else
    die "SEEDS must be N or A..B, got '$seeds'"
  fi
  ((first >= 1 && first <= last)) || die "SEEDS must be N >= 1 or A..B with 1 <= A <= B, got '$seeds'"
  [[ "$ops" =~ ^[0-9]+$ && "$ops" -ge 1 ]] || die "OPS must be a number >= 1, got '$ops'"
  if [ -n "${SHARD:-}" ]; then
    [[ "$SHARD" =~ ^([0-9]+)/([0-9]+)$ ]] || die "SHARD must be K/N, got '$SHARD'"
    k=$((10#${BASH_REMATCH[1]})) n=$((10#${BASH_REMATCH[2]}))
    ((n >= 1 && k >= 1 && k <= n)) || die "SHARD=K/N needs 1 <= K <= N, got '$SHARD'"
    total=$((last - first + 1))
    ((n <= total)) || die "SHARD=$SHARD: more shards than the $total seeds of $seeds"
    # the K-th of N contiguous slices, the first (total mod N) slices one seed longer
    base=$((total / n)) extra=$((total % n))
    lo=$((first + (k - 1) * base + (k - 1 < extra ? k - 1 : extra)))
    hi=$((lo + base - 1 + (k - 1 < extra ? 1 : 0)))
    first=$lo last=$hi
  fi
  chunk=${REGRESS_CHUNK:-20}
  [[ "$chunk" =~ ^[0-9]+$ && "$chunk" -ge 1 ]] || die "REGRESS_CHUNK must be a number >= 1, got '$chunk'"
  jobs=${REGRESS_JOBS:-$(nproc 2>/dev/null || echo 2)}
  rm -rf "$out/chunks" "$out/logs"
  mkdir -p "$out/chunks" "$out/logs" || die "cannot create $out"
  ranges=()
  for ((lo = first; lo <= last; lo += chunk)); do
    hi=$((lo + chunk - 1)); ((hi > last)) && hi=$last
    ranges+=("$lo..$hi")
  done
  nseeds=$((last - first + 1))
  echo "regress: seeds $first..$last${SHARD:+ (shard $SHARD of $seeds)} x $ops ops on $backend," \
       "${#ranges[@]} chunks, $jobs at a time"
  t0=$(date +%s.%N)
  # one process per chunk: `mmulab random --seeds A..B` with its own JUnit and coverage file;
  # each prints a progress line when it ends (chunks done so far / all)
  printf '%s\n' "${ranges[@]}" | xargs -P "$jobs" -I{} sh -c '
    out=$1 r=$2 nchunks=$3; shift 3; f=$(echo "$r" | tr . -)
    "$@" --seeds "$r" --junit "$out/chunks/$f.xml" --coverage "$out/chunks/$f.json" > "$out/chunks/$f.txt" 2>&1
    rc=$?; echo $rc > "$out/chunks/$f.rc"
    done=$(ls "$out"/chunks/*.rc | wc -l)
    echo "regress: [$done/$nchunks] seeds $r $([ $rc = 0 ] && echo ok || echo FAILED)"' sh "$out" {} "${#ranges[@]}" \
    "$mmulab" random --ops "$ops" --backend "$backend" --quiet --log-dir "$out/logs" "$@"
  t1=$(date +%s.%N)
  status=0
  {
    echo '<?xml version="1.0" encoding="UTF-8"?>'
    echo "<testsuites name=\"mmulab.random\" timestamp=\"$(date -u +%Y-%m-%dT%H:%M:%S)\">"
    # every chunk's suite joined into one per configuration/backend; a chunk that died before
    # writing its report counts one error per seed, in the suite of the chunks that did report
    suite=$(sed -nE 's/^<testsuite name="([^"]*)".*/\1/p' "$out"/chunks/*.xml 2>/dev/null | head -n 1)
    for r in "${ranges[@]}"; do
      f=$out/chunks/$(echo "$r" | tr . -)
      if [ -s "$f.xml" ]; then
        cat "$f.xml"
      else
        lo=${r%..*}; hi=${r#*..}
        echo "<testsuite name=\"${suite:-random.$backend}\" tests=\"$((hi - lo + 1))\" failures=\"0\" errors=\"$((hi - lo + 1))\">"
        for ((s = lo; s <= hi; s++)); do
          echo "  <testcase classname=\"${suite:-random.$backend}\" name=\"random.$s\"><error message=\"the chunk $r produced no report (see $f.txt)\"/></testcase>"
        done
        echo "</testsuite>"
      fi
    done | join_suites
    echo "</testsuites>"
  } > "$out/junit.xml" || die "cannot write $out/junit.xml"
  add_junit_totals "$out/junit.xml" || die "cannot write $out/junit.xml"
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
  echo "regress: $nseeds seeds ($first..$last) x $ops ops on $backend: $passed passed, $failed failed, $secs s" \
    "($jobs jobs); $out/junit.xml, $out/coverage.txt"
  exit $status
  ;;
merge)
  [ $# -ge 4 ] || die "usage: tools/regress.sh merge MMULAB OUTDIR DIR... [-- ARGS...]"
  mmulab=$2 out=$3; shift 3
  [ -x "$mmulab" ] || die "$mmulab: no such executable"
  dirs=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do dirs+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift
  [ ${#dirs[@]} -ge 1 ] || die "merge: no result directory given"
  jsons=()
  for d in "${dirs[@]}"; do
    [ -s "$d/junit.xml" ] || die "merge: $d/junit.xml is missing: not a finished run"
    [ -s "$d/coverage.json" ] || die "merge: $d/coverage.json is missing: not a finished run"
    jsons+=("$d/coverage.json")
  done
  mkdir -p "$out" || die "cannot create $out"
  {
    echo '<?xml version="1.0" encoding="UTF-8"?>'
    echo "<testsuites name=\"mmulab.random\" timestamp=\"$(date -u +%Y-%m-%dT%H:%M:%S)\">"
    for d in "${dirs[@]}"; do cat "$d/junit.xml"; done | join_suites   # shards of one suite become one
    echo "</testsuites>"
  } > "$out/junit.xml.tmp" || die "cannot write $out/junit.xml"
  mv "$out/junit.xml.tmp" "$out/junit.xml" && add_junit_totals "$out/junit.xml" || die "cannot write $out/junit.xml"
  status=0
  "$mmulab" random --merge "${jsons[@]}" --coverage "$out/coverage.json" "$@" > "$out/coverage.txt" || status=1
  cat "$out/coverage.txt"
  read -r tests failures errors < <(sed -nE '2s/.* tests="([0-9]+)" failures="([0-9]+)" errors="([0-9]+)".*/\1 \2 \3/p' "$out/junit.xml")
  ((failures + errors == 0)) || status=1
  echo "regress merge: ${#dirs[@]} results, $tests seeds: $((tests - failures - errors)) passed," \
    "$((failures + errors)) failed; $out/junit.xml, $out/coverage.txt"
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
  die "usage: tools/regress.sh run MMULAB OUTDIR SEEDS [OPS [BACKEND [ARGS...]]] | merge MMULAB OUTDIR DIR... [-- ARGS...] | smoke MMULAB [BACKEND]"
  ;;
esac
