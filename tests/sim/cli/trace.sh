#!/usr/bin/env bash
# `mmulab trace FILE` on the shipped traces (tests/traces/), with the expected numbers computed
# here from the trace text (xz, awk, od), not from mmulab:
#   - accesses by kind: lackey I = fetch, L = read, S = write, M = read + write; ChampSim: the ip
#     fetch of every 64-byte input_instr record, its non-zero destination_memory (writes, quads 2-3)
#     and source_memory (reads, quads 4-7) (ChampSim inc/trace_instruction.h);
#   - Linux's demand paging (mm/memory.c): one not-present fault per distinct 4 KiB page touched
#     (an access is translated at its first byte); a page first read or fetched maps the zero page
#     (do_anonymous_page) and a later write copies it (do_wp_page): cow_faults;
#   - the JSON carries the contract's objects (tool, os, stats with walk-latency percentiles,
#     cycles per access);
#   - --page 2m: one hugetlb fault per distinct 2 MiB page, a DTLB hit rate >= 4 KiB pages'; with a
#     cosim binary, --page 2m and 1g replays in lockstep too;
#   - errors: bad and demo-only options, impossible --page combinations, a missing file, an address outside user space naming its
#     line, a reader error.
# Usage: tests/sim/cli/trace.sh MMULAB [COSIM_MMULAB]  (the second: a short replay in lockstep)
set -u
mmulab=$1; cosim=${2:-}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "trace.sh: $*"; exit 1; }
json_num() { awk -v k="\"$2\":" '$1 == k { gsub(/,/, "", $2); print $2; exit }' "$1"; }

# --- lackey: /bin/true ---
lk=tests/traces/true.lackey.xz
read -r fetches reads writes pages cows zeros < <(xz -dc "$lk" | awk '
  /^==/ { next }
  { kind = $1; split($2, a, ","); addr = a[1]; sub(/^0+/, "", addr)
    page = length(addr) > 3 ? substr(addr, 1, length(addr) - 3) : "0"
    if (kind == "I") { f++; touch(page, 0) }
    else if (kind == "L") { r++; touch(page, 0) }
    else if (kind == "S") { w++; touch(page, 1) }
    else if (kind == "M") { r++; w++; touch(page, 0); touch(page, 1) } }
  function touch(p, wr) {
    if (!(p in first)) { first[p] = wr; n++; if (!wr) z++ }
    else if (wr && !first[p] && !(p in cow)) { cow[p] = 1; c++ } }
  END { print f, r, w, n, c + 0, z }')
"$mmulab" trace "$lk" --json "$tmp/t.json" >"$tmp/t.out" 2>&1 || { cat "$tmp/t.out"; fail "lackey replay failed"; }
grep -q "^run: $((fetches + reads + writes)) accesses (fetch/read/write $fetches/$reads/$writes)" "$tmp/t.out" ||
  fail "lackey: expected $fetches/$reads/$writes accesses: $(grep '^run:' "$tmp/t.out")"
for kv in "fetches $fetches" "reads $reads" "writes $writes" "segv 0"; do
  set -- $kv; got=$(json_num "$tmp/t.json" "$1" | head -1)
  [ "$got" = "$2" ] || fail "lackey JSON $1: $got, expected $2"
done
dem=$(json_num "$tmp/t.json" demand_faults); cow=$(json_num "$tmp/t.json" cow_faults)
zp=$(json_num "$tmp/t.json" zero_page_maps)
[ "$cow" = "$cows" ] || fail "cow_faults $cow, expected $cows"
[ "$dem" = "$((pages + cows))" ] || fail "demand_faults $dem, expected $pages pages + $cows copies"
[ "$zp" = "$zeros" ] || fail "zero_page_maps $zp, expected $zeros"
for key in '"tool"' '"name":	"mmulab"' '"version"' '"os"' '"cr3_writes"' '"invlpg"' '"pt_pages"' '"frames"' \
           '"walk_latency"' '"p50"' '"p90"' '"p99"' '"max"' '"cycles_per_access"' '"tlb"' '"pwc"' '"by_class"'; do
  grep -qF "$key" "$tmp/t.json" || fail "JSON lacks $key"
done
# --ops N replays exactly the first N accesses
"$mmulab" trace "$lk" --ops 1000 >"$tmp/o.out" 2>&1 || { cat "$tmp/o.out"; fail "--ops 1000 failed"; }
grep -q '^run: 1000 accesses' "$tmp/o.out" || fail "--ops 1000: $(grep '^run:' "$tmp/o.out")"
# PTI: no syscalls in a trace, but each fault's entry and exit switch CR3 (SWITCH_TO_KERNEL_CR3 /
# SWITCH_TO_USER_CR3, arch/x86/entry/calling.h): two CR3 writes per page fault, plus the first
# return to user mode after the switch to the process
"$mmulab" trace "$lk" --ops 1000 --kpti 1 --json "$tmp/p.json" >"$tmp/p.out" 2>&1 || { cat "$tmp/p.out"; fail "--kpti 1 failed"; }
pf=$(json_num "$tmp/p.json" page_faults); cr3=$(json_num "$tmp/p.json" cr3_writes)
[ -n "$pf" ] && [ "$pf" -gt 0 ] && [ "$cr3" = "$((2 * pf + 1))" ] || fail "--kpti 1: cr3_writes $cr3 for $pf page faults"

# --page 2m: the VMAs are hugetlb mappings; Linux's hugetlb_no_page (mm/hugetlb.c) maps one whole
# 2 MiB page at its first touch, read or write (no zero page, no copy): demand_faults = the distinct
# 2 MiB pages (address >> 21, from the hex text: all digits but the last six, then the sixth-last
# halved). A 2 MiB TLB entry covers 512 4 KiB ones (SDM Vol. 3A 4.10.2.2), so the DTLB hits at
# least as often as with 4 KiB pages.
huge=$(xz -dc "$lk" | awk '
  /^==/ { next }
  { split($2, a, ","); addr = tolower(a[1]); while (length(addr) < 7) addr = "0" addr
    d = index("0123456789abcdef", substr(addr, length(addr) - 5, 1)) - 1
    key = substr(addr, 1, length(addr) - 6) ":" int(d / 2); sub(/^0+/, "", key)
    if (!(key in seen)) { seen[key] = 1; n++ } }
  END { print n }')
"$mmulab" trace "$lk" --page 2m --json "$tmp/h.json" >"$tmp/h.out" 2>&1 || { cat "$tmp/h.out"; fail "--page 2m failed"; }
grep -q '^trace: .*, page 2m;' "$tmp/h.out" || fail "--page 2m: header lacks the page size: $(grep '^trace:' "$tmp/h.out")"
grep -q '"page":	"2m"' "$tmp/h.json" || fail "--page 2m: JSON trace object lacks \"page\": \"2m\""
hdem=$(json_num "$tmp/h.json" demand_faults)
[ "$hdem" = "$huge" ] || fail "--page 2m: demand_faults $hdem, expected $huge distinct 2 MiB pages"
[ "$(json_num "$tmp/h.json" segv | head -1)" = 0 ] || fail "--page 2m: SIGSEGV"
dtlb_rate() { awk '/"dtlb":/ { d = 1 } d && /"hit_rate":/ { gsub(/,/, "", $2); print $2; exit }' "$1"; }
r4=$(dtlb_rate "$tmp/t.json"); r2=$(dtlb_rate "$tmp/h.json")
awk -v a="$r2" -v b="$r4" 'BEGIN { exit !(a >= b && a > 0) }' || fail "--page 2m: DTLB hit rate $r2 < 4k's $r4"
[ "$huge" -lt "$pages" ] || fail "the 2 MiB page count $huge is not below the 4 KiB one $pages"

# --- ChampSim: the synthetic pattern ---
cs=tests/traces/pattern.champsim.xz
read -r recs cw cr < <(xz -dc "$cs" | od -An -v -tx8 -w64 | awk '
  { n++; for (i = 3; i <= 4; i++) if ($i !~ /^0+$/) w++; for (i = 5; i <= 8; i++) if ($i !~ /^0+$/) r++ }
  END { print n, w + 0, r + 0 }')
"$mmulab" trace "$cs" >"$tmp/c.out" 2>&1 || { cat "$tmp/c.out"; fail "champsim replay failed"; }
grep -q "^run: $((recs + cw + cr)) accesses (fetch/read/write $recs/$cr/$cw)" "$tmp/c.out" ||
  fail "champsim: expected $recs/$cr/$cw: $(grep '^run:' "$tmp/c.out")"

# --- errors ---
expect_error() {   # TEXT ARGS...: non-zero exit, TEXT on stderr
  local text=$1; shift
  if "$mmulab" trace "$@" >"$tmp/e.out" 2>"$tmp/e.err"; then fail "trace $*: exit 0"; fi
  grep -qF -- "$text" "$tmp/e.err" || fail "trace $*: stderr lacks '$text': $(head -3 "$tmp/e.err")"
}
printf 'I  00400000,4\n L 00401000,8\n S 7ffffffff000,8\n' >"$tmp/high.lackey"
printf 'I  00400000,4\n Q 1,2\n' >"$tmp/bad.lackey"
expect_error "missing FILE"
expect_error "unknown option '--frobnicate'" "$lk" --frobnicate 1
expect_error "--workload applies to \`mmulab demo\`" "$lk" --workload zipf
expect_error "--procs applies to" "$lk" --procs=2
expect_error "--prefault applies to" "$lk" --prefault 1
expect_error "unknown option '--mix'" "$lk" --mix 100:0:0
expect_error "--kpti: want 0 or 1" "$lk" --kpti 2
expect_error "--vmalloc: want" "$lk" --vmalloc eager
expect_error "--ops: bad count" "$lk" --ops -1
expect_error "more than one trace" "$lk" "$cs"
expect_error "$tmp/none.lackey" "$tmp/none.lackey"
expect_error "high.lackey:3: address 0x7ffffffff000 is outside user space" "$tmp/high.lackey"
expect_error "bad.lackey:2" "$tmp/bad.lackey"
# 32-bit paging: the x86-64 program's stack is above TASK_SIZE (0xC0000000)
expect_error "is outside user space (TASK_SIZE_MAX 0xc0000000)" "$lk" --mode 32bit
expect_error "OS set-up" "$lk" --mode 32bit --kpti 1
# --page: the mode's page sizes (SDM Vol. 3A 4.3-4.5), the RAM, user space after rounding
printf 'I  00400000,4\n S 7fffffffe000,8\n' >"$tmp/top.lackey"
expect_error "--page '3m' is not one of" "$lk" --page 3m
expect_error "--page 1g in pae paging: 1g pages need 4-level or 5-level paging" "$lk" --page 1g --mode pae
expect_error "--page 1g in 32bit paging" "$lk" --page 1g --mode 32bit
expect_error "--page 2m in 32bit paging: 2m pages need pae" "$lk" --page 2m --mode 32bit
expect_error "--ram 1024 MiB is too small for a 1g page" "$lk" --page 1g --ram 1G
expect_error "no 262144 contiguous free frames" "$lk" --page 1g --ram 2G
expect_error "the stack region [0x7fffffffe000, 0x7ffffffff000) rounded out to 2048 KiB pages ends beyond user space" \
  "$tmp/top.lackey" --page 2m

# --- lockstep: a short replay on the cosim backend ---
if [ -n "$cosim" ]; then
  "$cosim" trace "$lk" --backend cosim --ops 3000 >"$tmp/co.out" 2>&1 || { tail -20 "$tmp/co.out"; fail "cosim replay failed"; }
  grep -q '^lockstep: model and RTL agreed' "$tmp/co.out" || fail "cosim: no lockstep line"
  grep -q '^run: 3000 accesses' "$tmp/co.out" || fail "cosim: $(grep '^run:' "$tmp/co.out")"
  # huge-page VMAs: the RTL's 2 MiB / 1 GiB TLB classes and leaf walks in lockstep
  for pg in 2m 1g; do
    "$cosim" trace "$lk" --backend cosim --ops 3000 --page $pg --ram 4G >"$tmp/co.out" 2>&1 ||
      { tail -20 "$tmp/co.out"; fail "cosim --page $pg replay failed"; }
    grep -q '^lockstep: model and RTL agreed' "$tmp/co.out" || fail "cosim --page $pg: no lockstep line"
  done
fi
echo "ok: mmulab trace: lackey $fetches/$reads/$writes accesses, $pages pages ($huge of 2 MiB), $cows copies; champsim $recs records"
