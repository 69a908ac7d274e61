#!/usr/bin/env bash
# Runs one libFuzzer harness for a while (mk/fuzz.mk, `make fuzz`).
# Usage: [FUZZ_MAX_LEN=BYTES] tools/fuzz.sh HARNESS SECONDS [SEED_DIR]...
#   The corpus is HARNESS's directory/corpus/NAME: seeded from the SEED_DIRs, kept between runs.
#   Exit 0 if the fuzzer ran SECONDS without a finding; 1 with the finding (crash-*, leak-*,
#   timeout-* beside HARNESS) and the end of its log printed.
set -u
bin=$1; secs=$2; shift 2
dir=$(cd "$(dirname "$bin")" && pwd); name=$(basename "$bin"); name=${name#fuzz_}
corpus=$dir/corpus/$name; log=$dir/$name.log
mkdir -p "$corpus"
for d in "$@"; do find "$d" -maxdepth 1 -type f -exec cp {} "$corpus/" \; ; done
echo "fuzz: $name for $secs s (corpus $corpus, $(ls "$corpus" | wc -l) inputs)"
if ( cd "$dir" && "./fuzz_$name" -max_total_time="$secs" -timeout=10 -max_len="${FUZZ_MAX_LEN:-8192}" -rss_limit_mb=2048 \
       -print_final_stats=1 "corpus/$name" ) >"$log" 2>&1; then
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "fuzz: $name: no finding in $secs s, $runs runs, corpus $(ls "$corpus" | wc -l) inputs"
else
  echo "fuzz: $name FOUND a problem (log $log):"
  grep -E 'ERROR|SUMMARY|Test unit written|runtime error' "$log" | head -n 10
  exit 1
fi
