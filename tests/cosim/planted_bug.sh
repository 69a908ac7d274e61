#!/usr/bin/env bash
# The checker can fail (docs/verification.md): a short co-simulation regression on the RTL
# Verilated with the planted bug (MMU_PLANTED_BUG=1: INVLPG keeps global TLB entries) must
# FAIL with a cosim MISMATCH, print replay commands and write the FST waveform of the window
# before the first difference (through BUG_MMULAB-trace, which must exist); both replay forms
# must reproduce the failure, and the same seed must pass on the RTL without the bug.
# Run by `make test`.
#   tests/cosim/planted_bug.sh BUG_MMULAB GOOD_MMULAB
set -u -o pipefail
bug=$1 good=$2
seeds=${PLANTED_BUG_SEEDS:-1..40} ops=${PLANTED_BUG_OPS:-2000}
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
fail() { echo "planted_bug: $*"; for f in "$out"/*.txt; do echo "--- $f"; tail -n 20 "$f"; done; exit 1; }

[ -x "$bug-trace" ] || fail "$bug-trace is missing (make $bug-trace)"
window=500
"$bug" random --seeds "$seeds" --ops "$ops" --backend cosim --no-replay --no-rerun --quiet \
  --log-dir "$out" --trace-window $window --junit "$out/junit.xml" > "$out/run.txt" 2> "$out/run.err.txt"
rc=$?
[ $rc = 1 ] || fail "the regression on the bug variant exited $rc, expected 1 (a failing seed)"
grep -q '^cosim MISMATCH' "$out/run.err.txt" || fail "no 'cosim MISMATCH' on stderr"
seed=$(sed -nE 's/^seed ([0-9]+): FAIL: .*divergence.*/\1/p' "$out/run.txt" | head -n 1)
[ -n "$seed" ] || fail "no seed failed with a cosim divergence"
# the failure message (line and JUnit) carries the first difference itself: the field, both values
grep -qE "^seed $seed: FAIL: .*: [a-z_0-9]+ differs: model 0x[0-9a-f]+, rtl 0x[0-9a-f]+\$" "$out/run.txt" ||
  fail "seed $seed: the failure line does not name the differing field and both values"
grep -qE "<failure message=\"[^\"]*differs: model 0x[0-9a-f]+, rtl 0x[0-9a-f]+\"" "$out/junit.xml" ||
  fail "the JUnit failure message does not carry the first difference"
nfail=$(grep -c '^seed [0-9]*: FAIL' "$out/run.txt")
replay=$(grep -A3 "^seed $seed: FAIL" "$out/run.txt" | sed -n 's/^  replay: \(.* random .*\)/\1/p')
replay_log=$(grep -A3 "^seed $seed: FAIL" "$out/run.txt" | sed -n 's/^  replay: \(.* run .*\)/\1/p')
wave=$(grep -A4 "^seed $seed: FAIL" "$out/run.txt" | sed -n 's/^  wave:   \(.*-trace random .*\)/\1/p')
wrote=$(grep -A4 "^seed $seed: FAIL" "$out/run.txt" | sed -nE 's/^  wave:   wrote ([^ ]+) .*/\1/p')
[ -n "$replay" ] && [ -n "$replay_log" ] || fail "seed $seed printed no replay lines"
[[ "$wave" == *"-trace random --seed $seed "*"--trace-from "* ]] || fail "seed $seed printed no waveform command"
first=$(grep -m1 '^cosim MISMATCH' "$out/run.err.txt")

# the waveform: an FST from (first difference - window) to where the rerun found the mismatch.
# FST header block: type byte 0, section length, start time, end time (64-bit big endian);
# the shim's time is 2 * cycle + 4 at the evaluation of a cycle.
from=$(sed -nE 's/.*--trace-from ([0-9]+).*/\1/p' <<< "$wave")
[ "$wrote" = "$out/random.$seed.fst" ] && [ -s "$wrote" ] || fail "seed $seed wrote no waveform ($wrote)"
read -r t0 t1 < <(od -An -tu1 -j1 -N24 "$wrote" | tr -s ' \n' ' ' |
  awk '{ s = 0; e = 0; for (i = 9; i <= 16; i++) s = s * 256 + $i; for (i = 17; i <= 24; i++) e = e * 256 + $i;
         print s, e }')
[ "$t0" = $((2 * from + 4)) ] || fail "$wrote starts at time $t0, expected $((2 * from + 4)) (cycle $from)"
found=$(sed -nE 's/.*found with the RTL at cycle ([0-9]+).*/\1/p' "$wrote.txt" | head -n 1)
# (the RTL finds a difference at the start of cycle `found`: the dump has every cycle before it)
[ -n "$found" ] && [ $(( (t1 - 4) / 2 + 1 )) -ge "$found" ] || fail "$wrote ends at time $t1, before the mismatch (cycle $found)"

# both replay forms reproduce the same first difference
eval "$replay --no-replay --no-rerun --log-dir $out" > "$out/r1.txt" 2> "$out/r1.err.txt" && fail "replay passed: $replay"
grep -qxF "$first" "$out/r1.err.txt" || fail "replay gave another difference than '$first'"
eval "$replay_log" > "$out/r2.txt" 2> "$out/r2.err.txt" && fail "log replay passed: $replay_log"
grep -q '^cosim MISMATCH' "$out/r2.err.txt" || fail "log replay: no cosim MISMATCH"
grep -q 'cosim backend: the run diverged' "$out/r2.err.txt" || fail "log replay: the script does not say the run diverged"
grep -q "^  wave:   wrote .*random.$seed.mmu.fst" "$out/r2.err.txt" && [ -s "$out/random.$seed.mmu.fst" ] ||
  fail "log replay: no waveform written"

# without the bug the seed passes
"$good" random --seed "$seed" --ops "$ops" --backend cosim --no-replay --no-rerun > "$out/good.txt" 2>&1 \
  || fail "seed $seed fails without the planted bug too"

echo "planted_bug: $nfail of seeds $seeds failed on the bug variant; seed $seed: $first"
echo "planted_bug: replayed twice (random, run LOG), passes without the bug"
echo "planted_bug: $wrote: $(stat -c %s "$wrote") bytes, cycles $from..$(( (t1 - 4) / 2 )) (mismatch found at $found)"
