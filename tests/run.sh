#!/usr/bin/env bash
# Runs every test of `make test` and prints one closing line: "tests: N passed, N failed".
# Usage: tests/run.sh MMULAB TEST_BINARY...
#   TEST_BINARY: an executable that exits 0 on success.
#   Scripts: tests/scripts/*.mmu must pass under `MMULAB run`; tests/scripts/errors/*.mmu must
#   exit non-zero with stderr containing the text of their first line `# expect-error: TEXT`.
set -u
mmulab=$1; shift
cd "$(dirname "$0")/.."
pass=0; fail=0; failed=()
log=$(mktemp); trap 'rm -f "$log"' EXIT

ok()  { pass=$((pass+1)); printf '  ok    %s\n' "$1"; }
bad() { fail=$((fail+1)); failed+=("$1"); printf '  FAIL  %s\n' "$1"; sed 's/^/        /' "$log" | tail -n 40; }

for bin in "$@"; do
  if "$bin" >"$log" 2>&1; then ok "$bin"; else bad "$bin"; fi
done

for s in tests/scripts/*.mmu; do
  [ -e "$s" ] || continue
  if "$mmulab" run "$s" >"$log" 2>&1; then ok "$s"; else bad "$s"; fi
done

for s in tests/scripts/errors/*.mmu; do
  [ -e "$s" ] || continue
  want=$(sed -n '1s/^# expect-error: //p' "$s")
  if [ -z "$want" ]; then echo "no '# expect-error:' line" >"$log"; bad "$s"; continue; fi
  if "$mmulab" run "$s" >"$log" 2>&1; then
    echo "expected failure, exit 0" >>"$log"; bad "$s"
  elif grep -qF -- "$want" "$log"; then ok "$s"
  else echo "stderr lacks: $want" >>"$log"; bad "$s"; fi
done

[ $fail -gt 0 ] && { echo "failed:"; printf '  %s\n' "${failed[@]}"; }
echo "tests: $pass passed, $fail failed"
[ $fail -eq 0 ]
