#!/usr/bin/env bash
# The command-line rules of the RTL tools (issue 14), beside tests/sim/cli/cli_rules.sh:
#   - a configuration the RTL build cannot run fails once, up front (exit 2), not once per seed
#   - --trace: an unwritable path, or --trace-from past the end of the run, is an error; a good
#     one writes the waveform
# Usage: tests/sim/cli/cli_rules_rtl.sh RTL_TOOL TRACE_TOOL   (from the repository root)
set -u
m=$1; t=$2
fails=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$m" random --backend cosim --seeds 1..3 --ops 20 --set tlb_repl=random >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 2 ] || bad "random with a configuration the RTL lacks: exit $rc, not 2"
grep -q '^seed ' "$tmp/out" && bad "random with a configuration the RTL lacks ran seeds: $(head -2 "$tmp/out")"
[ "$(grep -c 'cannot run this configuration' "$tmp/out")" = 1 ] || bad "random: not one up-front error: $(head -3 "$tmp/out")"

s=tests/scripts/paging_off.mmu
"$t" run $s --backend cosim --trace "$tmp/ok.fst" >"$tmp/out" 2>&1 || bad "--trace to a good path: $(tail -2 "$tmp/out")"
[ -s "$tmp/ok.fst" ] || bad "--trace wrote no waveform"
"$t" run $s --backend cosim --trace "$tmp/no/such/dir/x.fst" >"$tmp/out" 2>&1 && bad "--trace to an unwritable path: exit 0"
grep -q 'cannot write the waveform' "$tmp/out" || bad "--trace unwritable: $(tail -2 "$tmp/out")"
"$t" run $s --backend cosim --trace "$tmp/late.fst" --trace-from 1000000 >"$tmp/out" 2>&1 && bad "--trace-from past the end: exit 0"
grep -q 'past the end of the run' "$tmp/out" || bad "--trace-from past the end: $(tail -2 "$tmp/out")"

[ $fails -eq 0 ] && echo "ok: command-line rules of $m and $t"
[ $fails -eq 0 ]
