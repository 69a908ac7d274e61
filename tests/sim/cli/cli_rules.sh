#!/usr/bin/env bash
# The command-line rules every subcommand shares (issue 14), checked on one mmulab binary:
#   - configuration: defaults, then --config, then every --set, whatever their order on the
#     command line (cli_build_config); a cross-parameter error names the options it came from
#   - --help and -h on every subcommand: usage on stdout, exit 0
#   - output files: '-' is standard output (and then carries nothing else); a file that cannot
#     be written, or a write that fails (/dev/full), exits non-zero
# Usage: tests/sim/cli/cli_rules.sh MMULAB   (from the repository root)
set -u
m=$1
fails=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# --- one configuration rule --------------------------------------------------------------
# lru.cfg is valid alone (3 ways are fine for lru); --set tlb_repl=plru must win over it in
# either order, which makes the configuration invalid (plru needs a power of two).
printf 'tlb_repl = lru\ndtlb_4k_ways = 3\n' > "$tmp/lru.cfg"
printf 'expect mode off\n' > "$tmp/s.mmu"
for first in set config; do
  if [ $first = set ]; then cfg=(--set tlb_repl=plru --config "$tmp/lru.cfg"); else cfg=(--config "$tmp/lru.cfg" --set tlb_repl=plru); fi
  for cmd in "demo --ops 10" "params" "random --ops 10" "run $tmp/s.mmu"; do
    # shellcheck disable=SC2086
    if "$m" $cmd "${cfg[@]}" >"$tmp/out" 2>&1; then
      bad "$cmd ${cfg[*]}: exit 0 (the --set was lost)"
    elif ! grep -q "invalid configuration (from --config $tmp/lru.cfg --set tlb_repl=plru): dtlb_4k_ways: 3 ways, but tlb_repl=plru needs a power of two" "$tmp/out"; then
      bad "$cmd ${cfg[*]}: $(head -c 300 "$tmp/out")"
    fi
  done
  # and the --set does apply: random replacement with 3 ways is valid
  out=$("$m" demo --ops 10 "${cfg[@]/plru/random}" 2>&1) || bad "demo ${cfg[*]/plru/random}: exit $?"
  case "$out" in *"repl=random"*) ;; *) bad "demo ${cfg[*]/plru/random}: $(echo "$out" | head -1)" ;; esac
done
# command-line configuration errors are usage errors (exit 2), named by the options
"$m" run "$tmp/s.mmu" --set tlb_repl=plru --set dtlb_4k_ways=3 >"$tmp/out" 2>&1
rc=$?; [ $rc -eq 2 ] || bad "run with an invalid command-line configuration: exit $rc, not 2"
grep -q '^mmulab run: invalid configuration (from --set tlb_repl=plru --set dtlb_4k_ways=3)' "$tmp/out" ||
  bad "run's command-line configuration error: $(cat "$tmp/out")"
for cmd in "demo --ops 10" "params" "random --ops 10"; do
  # shellcheck disable=SC2086
  "$m" $cmd --set tlb_repl=plru --set dtlb_4k_ways=3 >/dev/null 2>&1
  rc=$?; [ $rc -eq 2 ] || bad "$cmd with an invalid configuration: exit $rc, not 2"
done

# raw bytes of the command line and of config files are shown escaped, never sent as they are
"$m" params --set "$(printf 'tlb_repl=\033[31m')" >"$tmp/out" 2>&1 && bad "params --set tlb_repl=ESC: exit 0"
grep -qF "'\x1b[31m' is not one of" "$tmp/out" || bad "params --set tlb_repl=ESC: $(cat -v "$tmp/out")"
grep -q "$(printf '\033')" "$tmp/out" && bad "params --set tlb_repl=ESC: a raw ESC reached the message"
printf 'tlb_repl = \001\n' > "$tmp/ctl.cfg"
"$m" params --config "$tmp/ctl.cfg" >"$tmp/out" 2>&1 && bad "params --config with a control byte: exit 0"
grep -qF "ctl.cfg:1: tlb_repl: '\x01' is not one of" "$tmp/out" || bad "config control byte: $(cat -v "$tmp/out")"

# --- the demo's workload options (docs/workloads.md) --------------------------------------
for args in "--hot 1M" "--hot-frac 0.5" "--stride=128" "--batch 4" "--interval 2" "--workload stride --hot 1M" "--zipf-s 2" "--workload seq --zipf-s 1.5"; do
  # shellcheck disable=SC2086
  "$m" demo --ops 10 $args >"$tmp/out" 2>&1; rc=$?
  [ $rc -eq 2 ] && grep -q "applies only to" "$tmp/out" || bad "demo $args (does not apply): exit $rc, $(head -1 "$tmp/out")"
done
for args in "--workload hotcold --hot 1M --hot-frac 0.5" "--workload stride --stride 128" "--issue serial" "--workload zipf --zipf-s 1.2"; do
  # shellcheck disable=SC2086
  "$m" demo --ops 100 $args >"$tmp/out" 2>&1 || bad "demo $args: exit $?, $(tail -1 "$tmp/out")"
done
# the pre-OS path's overlapped issue is gone: every demo runs through the OS layer, which handles
# each access's faults before the next (docs/workloads.md)
"$m" demo --ops 100 --issue overlap --batch 4 --interval 2 >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "does not apply through the OS layer" "$tmp/out" || bad "demo --issue overlap: exit $rc, $(head -1 "$tmp/out")"
# the working set is a process's: below TASK_SIZE_MAX (0x7ffffffff000 in 4-level paging,
# arch/x86/include/asm/page_64_types.h), so the kernel half and the non-canonical hole are refused
out=$("$m" demo --ops 1000 --base 0x100000000 --ws 1G 2>&1) || bad "demo --base 0x100000000: $(echo "$out" | tail -2)"
case "$out" in *"base=0x100000000"*"run: 1000 accesses"*) ;; *) bad "demo --base 0x100000000: $(echo "$out" | head -3)" ;; esac
"$m" demo --ops 10 --base 0xffff800000000000 --ws 1G >"$tmp/out" 2>&1 && bad "demo --base in the kernel half: exit 0"
grep -q "outside user space" "$tmp/out" || bad "demo --base in the kernel half: $(head -1 "$tmp/out")"
"$m" demo --ops 10 --base 0xfff0000000000000 >/dev/null 2>&1 && bad "demo --base in the non-canonical hole: exit 0"

# very long option lists are refused with a message, not written past a table (ASan would abort)
many=(); for _ in $(seq 1100); do many+=(--seed 1); done
"$m" demo --ops 10 "${many[@]}" >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "more than 1024 workload options" "$tmp/out" || bad "demo with 1100 --seed: exit $rc, $(head -c 200 "$tmp/out")"
many=(); for _ in $(seq 1100); do many+=(--set ports=1); done
"$m" demo --ops 10 "${many[@]}" >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "more than 1024 --set options" "$tmp/out" || bad "demo with 1100 --set: exit $rc, $(head -c 200 "$tmp/out")"

# --- --help / -h everywhere --------------------------------------------------------------
for cmd in run params demo random backends; do
  for h in --help -h; do
    out=$("$m" $cmd $h 2>/dev/null) || bad "$cmd $h: exit $?"
    case "$out" in *usage:*) ;; *) bad "$cmd $h: no usage on stdout" ;; esac
  done
done

# --- output files -------------------------------------------------------------------------
# '-' is standard output, and standard output then holds only that output
"$m" demo --ops 100 --json - 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["run"]["ops"] == 100' \
  || bad "demo --json -: stdout is not the JSON alone"
"$m" run tests/scripts/long4.mmu --jsonl - 2>/dev/null | python3 -c '
import json, sys
lines = sys.stdin.read().splitlines()
assert lines and all(json.loads(l)["op"] for l in lines)' || bad "run --jsonl -: stdout is not JSONL alone"
[ -e ./- ] && { bad "run --jsonl - wrote a file named -"; rm -f ./-; }
"$m" random --ops 10 --coverage - 2>/dev/null | python3 -c 'import json,sys; assert json.load(sys.stdin)["format"]' \
  || bad "random --coverage -: stdout is not the JSON alone"
"$m" random --seeds 1..3 --ops 10 --junit - 2>/dev/null | python3 -c 'import sys, xml.dom.minidom as m; m.parseString(sys.stdin.read())' \
  || bad "random --junit -: stdout is not the XML alone"
"$m" random --ops 10 --log - 2>/dev/null | "$m" run - >/dev/null 2>&1 || bad "random --log -: stdout is not a script that runs"
# an FST waveform cannot go to standard output: refused up front, on any binary
for cmd in "run tests/scripts/paging_off.mmu --backend cosim" "random --backend cosim"; do
  # shellcheck disable=SC2086
  "$m" $cmd --trace - >"$tmp/out" 2>&1; rc=$?
  [ $rc -eq 2 ] && grep -q "not to '-'" "$tmp/out" || bad "$cmd --trace -: exit $rc, $(head -1 "$tmp/out")"
done
[ -e ./- ] && { bad "--trace - wrote a file named -"; rm -f ./-; }
# a failed write is an error
for args in "demo --ops 10 --json /dev/full" "run tests/scripts/long4.mmu --jsonl /dev/full" \
            "random --ops 10 --coverage /dev/full" "random --ops 10 --junit /dev/full" \
            "random --ops 10 --log /dev/full" "random --ops 10 --log $tmp/no/such/dir/x.mmu" \
            "demo --ops 10 --json $tmp/no/such/dir/x.json" "run tests/scripts/long4.mmu --jsonl $tmp/no/x"; do
  # shellcheck disable=SC2086
  if "$m" $args >/dev/null 2>&1; then bad "$args: exit 0"; fi
done

[ $fails -eq 0 ] && echo "ok: command-line rules of $m"
[ $fails -eq 0 ]
