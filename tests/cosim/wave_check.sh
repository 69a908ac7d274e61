#!/usr/bin/env bash
# The waveform flow end to end (make cosim-wave-check; not part of make test, it needs the
# trace build): a failing seed of the planted-bug variant prints a `wave:` command; running it
# in the trace binary writes an FST that starts at the requested cycle and ends at the mismatch.
#   tests/cosim/wave_check.sh BUG_MMULAB BUG_MMULAB_TRACE OUTDIR
set -u -o pipefail
bug=$1 trace=$2 out=$3
rm -rf "$out"; mkdir -p "$out"
fail() { echo "wave_check: $*"; exit 1; }
"$bug" random --seeds 1..40 --ops 2000 --backend cosim --no-replay --no-rerun --quiet --log-dir "$out" \
  --trace-window 500 > "$out/run.txt" 2> "$out/run.err.txt"
wave=$(sed -n 's/^  wave:   //p' "$out/run.txt" | head -n 1)
[ -n "$wave" ] || fail "no wave: line in $out/run.txt"
[[ "$wave" == "$trace "* ]] || fail "the wave command does not use $trace: $wave"
from=$(sed -nE 's/.*--trace-from ([0-9]+).*/\1/p' <<< "$wave")
fst=$(sed -nE 's/.*--trace ([^ ]+) .*/\1/p' <<< "$wave")
echo "wave_check: $wave"
eval "$wave" > "$out/wave.txt" 2>&1 && fail "the traced rerun passed"
grep -q '^cosim MISMATCH' "$out/wave.txt" || fail "the traced rerun shows no cosim MISMATCH"
[ -s "$fst" ] || fail "no waveform $fst"
# FST header block: type byte 0, section length, start time, end time (64-bit big endian);
# the shim's time is 2 * cycle + 4 at the evaluation of a cycle
read -r t0 t1 < <(od -An -tu1 -j1 -N24 "$fst" | tr -s ' \n' ' ' |
  awk '{ s = 0; e = 0; for (i = 9; i <= 16; i++) s = s * 256 + $i; for (i = 17; i <= 24; i++) e = e * 256 + $i;
         print s, e }')
[ "$t0" = $((2 * from + 4)) ] || fail "$fst starts at time $t0, expected $((2 * from + 4)) (cycle $from)"
found=$(sed -nE 's/.*found with the RTL at cycle ([0-9]+).*/\1/p' "$out/wave.txt" | head -n 1)
echo "wave_check: $fst: $(stat -c %s "$fst") bytes, cycles $from..$(( (t1 - 4) / 2 )) (mismatch found at $found)"
