#!/usr/bin/env bash
# Runs every test of `make test` and prints one closing line: "tests: N passed, N failed".
# Usage: tests/run.sh MMULAB TEST_BINARY...
#   TEST_BINARY: an executable that exits 0 on success.
#   Scripts: tests/scripts/*.mmu must pass under `MMULAB run`; tests/scripts/errors/*.mmu must
#   exit non-zero with stderr containing the text of their first line `# expect-error: TEXT`
#   (one with a line `# backend: cosim` runs as `MMULAB_COSIM run S --backend cosim` instead).
#   MMULAB_COSIM=PATH (an RTL tool, mk/rtl.mk sets it): every directed script also runs in
#   lockstep, `PATH run S --backend cosim`, except a script with a line `# backends: model`
#   (its configuration differs from that RTL build; the line says why).
#   TEST_JUNIT=FILE (the Makefile sets it under build/): the results as JUnit XML too, one
#   testcase per test with its time, and the output of each failure.
set -u
mmulab=$1; shift
cd "$(dirname "$0")/.."
pass=0; fail=0; failed=()
log=$(mktemp); cases=$(mktemp); trap 'rm -f "$log" "$cases"' EXIT
t_start=$(date +%s.%N)

xml_escape() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' | tr -d '\000-\010\013\014\016-\037'; }
# junit_case NAME SECONDS [FAILURE-MESSAGE]: one testcase into $cases (the output of a failure from $log)
junit_case() {
  local name classname
  name=$(printf '%s' "$1" | xml_escape)
  case "$1" in
    *"(cosim)") classname=scripts.cosim ;;
    tests/scripts/errors/*) classname=scripts.errors ;;
    tests/scripts/*) classname=scripts ;;
    *) classname=binaries ;;
  esac
  if [ $# -ge 3 ]; then
    printf '  <testcase classname="mmulab.%s" name="%s" time="%s"><failure message="%s">' \
      "$classname" "$name" "$2" "$(printf '%s' "$3" | xml_escape)" >>"$cases"
    tail -n 200 "$log" | xml_escape >>"$cases"
    printf '</failure></testcase>\n' >>"$cases"
  else
    printf '  <testcase classname="mmulab.%s" name="%s" time="%s"/>\n' "$classname" "$name" "$2" >>"$cases"
  fi
}

t0=0
start() { t0=$(date +%s.%N); }
secs()  { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'; }
ok()  { pass=$((pass+1)); printf '  ok    %s\n' "$1"; junit_case "$1" "$(secs)"; }
bad() {
  fail=$((fail+1)); failed+=("$1"); printf '  FAIL  %s\n' "$1"; sed 's/^/        /' "$log" | tail -n 40
  junit_case "$1" "$(secs)" "$(grep -v '^\s*$' "$log" | tail -n 1 | cut -c1-300)"
}

for bin in "$@"; do
  start
  if "$bin" >"$log" 2>&1; then ok "$bin"; else bad "$bin"; fi
done

for s in tests/scripts/*.mmu; do
  [ -e "$s" ] || continue
  start
  if "$mmulab" run "$s" >"$log" 2>&1; then ok "$s"; else bad "$s"; fi
done

if [ -n "${MMULAB_COSIM:-}" ]; then
  for s in tests/scripts/*.mmu; do
    [ -e "$s" ] || continue
    grep -q '^# backends: model' "$s" && continue
    start
    # and it must say that the comparison ran (a cosim run that silently fell back would not)
    if "$MMULAB_COSIM" run "$s" --backend cosim >"$log" 2>&1 && grep -q '^lockstep: model and RTL agreed' "$log"; then
      ok "$s (cosim)"; else bad "$s (cosim)"; fi
  done
fi

for s in tests/scripts/errors/*.mmu; do
  [ -e "$s" ] || continue
  start
  want=$(sed -n '1s/^# expect-error: //p' "$s")
  if [ -z "$want" ]; then echo "no '# expect-error:' line" >"$log"; bad "$s"; continue; fi
  # `# backend: cosim`: an error of the RTL backends, checked on MMULAB_COSIM (within 60 s: the
  # errors these scripts expect replace a hang)
  if grep -q '^# backend: cosim' "$s"; then
    [ -n "${MMULAB_COSIM:-}" ] || continue
    runner=(timeout 60 "$MMULAB_COSIM" run "$s" --backend cosim)
  else
    runner=("$mmulab" run "$s")
  fi
  if "${runner[@]}" >"$log" 2>&1; then
    echo "expected failure, exit 0" >>"$log"; bad "$s"
  elif grep -qF -- "$want" "$log"; then ok "$s"
  else echo "stderr lacks: $want" >>"$log"; bad "$s"; fi
done

if [ -n "${TEST_JUNIT:-}" ]; then
  total=$(awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
  stamp=$(date -u +%Y-%m-%dT%H:%M:%S)
  if ! { mkdir -p "$(dirname "$TEST_JUNIT")" &&
         { echo '<?xml version="1.0" encoding="UTF-8"?>'
           echo "<testsuites name=\"mmulab.test\" tests=\"$((pass + fail))\" failures=\"$fail\" errors=\"0\" time=\"$total\" timestamp=\"$stamp\">"
           echo "<testsuite name=\"mmulab.test\" tests=\"$((pass + fail))\" failures=\"$fail\" errors=\"0\" time=\"$total\" timestamp=\"$stamp\">"
           # the build under test (mmulab --version: "mmulab VERSION git HASH (...)")
           read -r _ version _ git _ < <("$mmulab" --version)
           echo "  <properties><property name=\"mmulab.version\" value=\"$version\"/><property name=\"mmulab.git\" value=\"$git\"/></properties>"
           cat "$cases"
           echo "</testsuite>"
           echo "</testsuites>"; } >"$TEST_JUNIT"; }; then
    echo "tests/run.sh: cannot write $TEST_JUNIT" >&2
    fail=$((fail+1))
  else
    echo "JUnit: $TEST_JUNIT"
  fi
fi

[ $fail -gt 0 ] && { echo "failed:"; printf '  %s\n' "${failed[@]}"; }
echo "tests: $pass passed, $fail failed"
[ $fail -eq 0 ]
