#!/usr/bin/env bash
# tools/formal.sh: the formal proofs of docs/formal.md, one line per property.
# Usage: tools/formal.sh [--quick] [OUTDIR]   (default build/formal; `make formal` runs it whole,
#   `make test` with --quick: everything but the three slowest bounded runs, which take ~2 of its 3 minutes)
#
# 1. Equivalence (combinational miters, rtl/formal/miter_rules.sv): the RTL's checking logic against
#    the SDM reference rtl/formal/sdm_ref.v, for every input, with yosys -> write_smt2 ->
#    yosys-smtbmc -s z3 at depth 1: mmu_pkg::rights_violation, mmu_pkg::pf_error_code, and
#    entry_check in each paging mode for several MAXPHYADDR values.
# 2. Planted changes: a copy of the RTL with one rule changed must FAIL its miter, with a
#    counterexample (VCD); a planted change that passes is a failure of this script.
# 3. Bounded protocol proofs (rtl/formal/props_*.sv: tlb_array, mmu_port, walker) with Yosys's own
#    SAT solver (`sat -seq N`), and the two expected counterexamples of docs/formal.md:
#    z3 does not get through yosys-smtbmc's first step on the walker or the TLB array in 10 minutes
#    (docs/formal.md), MiniSat does the same unrolling in seconds.
# Every property prints "formal: NAME  proven|FAILED|...  (T s)"; the exit status is non-zero if
# any property did not give its expected result. Logs, SMT2 files and counterexamples: OUTDIR/NAME.*
set -uo pipefail

QUICK=0
if [ "${1:-}" = "--quick" ]; then QUICK=1; shift; fi
OUT=${1:-build/formal}
mkdir -p "$OUT"
RTL=rtl
F=rtl/formal
PKG=$RTL/mmu_pkg.sv
failures=0

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
report() {  # NAME VERDICT START [NOTE]
  printf 'formal: %-34s %-16s (%s s)%s\n' "$1" "$2" "$(elapsed "$3")" "${4:+  $4}"
}

# smt_prove NAME TOP "CHPARAMS" SOURCES... -> 0 proven, 1 counterexample, 2 tool error
smt_prove() {
  local name=$1 top=$2 chp=$3; shift 3
  local chparam=""
  [ -n "$chp" ] && chparam="chparam $chp $top;"
  if ! yosys -q -l "$OUT/$name.yosys.log" -p "read_verilog -formal -sv $*; $chparam prep -top $top; \
       async2sync; dffunmap; write_smt2 -wires $OUT/$name.smt2" >/dev/null 2>&1; then
    return 2
  fi
  yosys-smtbmc -s z3 -t 1 --dump-vcd "$OUT/$name.cex.vcd" "$OUT/$name.smt2" > "$OUT/$name.log" 2>&1
  if grep -q "Status: PASSED" "$OUT/$name.log"; then rm -f "$OUT/$name.cex.vcd"; return 0; fi
  if grep -q "Status: FAILED" "$OUT/$name.log"; then return 1; fi
  return 2
}

# sat_bmc NAME TOP "CHPARAMS" DEPTH "EXTRA SAT ARGS" SOURCES... -> 0 no model (proven), 1 model found, 2 error
# (SAT_DEFINES: extra read_verilog flags, e.g. -DFORMAL_TLB_ONE_HIT for tlb_array's one-hit assert)
sat_bmc() {
  local name=$1 top=$2 chp=$3 depth=$4 extra=$5; shift 5
  local chparam=""
  [ -n "$chp" ] && chparam="chparam $chp $top;"
  yosys -q -l "$OUT/$name.log" -p "read_verilog -formal -sv ${SAT_DEFINES:-} $*; $chparam prep -flatten -top $top; \
      memory_map; opt -fast; async2sync; opt_clean; \
      sat -seq $depth -set-assumes -set-init-zero -show-inputs $extra -dump_vcd $OUT/$name.vcd" \
      >/dev/null 2>&1
  if grep -q "no model found: SUCCESS" "$OUT/$name.log"; then rm -f "$OUT/$name.vcd"; return 0; fi
  if grep -q "model found: FAIL" "$OUT/$name.log"; then return 1; fi
  return 2
}

expect_proven() {  # NAME START RC [NOTE]
  case $3 in
    0) report "$1" proven "$2" "${4:-}" ;;
    1) report "$1" FAILED "$2" "counterexample: $OUT/$1.*vcd, $OUT/$1.log"; failures=$((failures + 1)) ;;
    *) report "$1" ERROR "$2" "see $OUT/$1*.log"; failures=$((failures + 1)) ;;
  esac
}

# --- 1. equivalence ----------------------------------------------------------------------------
EQ_SRC="$PKG $RTL/entry_check.sv $F/sdm_ref.v $F/miter_rules.sv"
t=$(now); smt_prove equiv_rights miter_rights "" $EQ_SRC; expect_proven equiv_rights "$t" $? "rights_violation = SDM 4.6 with keys, all modes"
t=$(now); smt_prove equiv_error_code miter_error_code "" $EQ_SRC; expect_proven equiv_error_code "$t" $? "pf_error_code = SDM 4.7 with PK"
for mode in 32bit:1 pae:2 4level:3 5level:4; do
  for m in 36 46 52; do
    name=equiv_entry_${mode%%:*}_m$m
    t=$(now); smt_prove "$name" miter_entry "-set MODE ${mode##*:} -set MAXPHYADDR $m" $EQ_SRC
    expect_proven "$name" "$t" $? "entry_check = SDM 4.3-4.7"
  done
done
# the build without protection keys (pk=0: configs/small.cfg)
for mode in 4level:3 5level:4; do
  name=equiv_entry_${mode%%:*}_m46_pk0
  t=$(now); smt_prove "$name" miter_entry "-set MODE ${mode##*:} -set MAXPHYADDR 46 -set PK 0" $EQ_SRC
  expect_proven "$name" "$t" $? "entry_check (pk=0) = SDM 4.3-4.7, keys off"
done

# --- 2. planted changes ----------------------------------------------------------------------------
# plant NAME FILE SED-EXPRESSION TOP "CHPARAMS": the changed copy must fail TOP's proof
plant() {
  local name=$1 file=$2 expr=$3 top=$4 chp=$5 t
  t=$(now)
  mkdir -p "$OUT/$name"
  local copy="$OUT/$name/$(basename "$file")"
  sed -e "$expr" "$file" > "$copy"
  if cmp -s "$file" "$copy"; then
    report "$name" ERROR "$t" "the change '$expr' no longer applies to $file"; failures=$((failures + 1)); return
  fi
  local src=""
  for s in $EQ_SRC; do [ "$s" = "$file" ] && src="$src $copy" || src="$src $s"; done
  smt_prove "$name" "$top" "$chp" $src
  case $? in
    1) report "$name" "caught" "$t" "counterexample $OUT/$name.cex.vcd ($(grep -o 'Assert failed in [^:]*' "$OUT/$name.log" | head -1))"
       echo "        $(awk -f tools/vcd_top.awk "$OUT/$name.cex.vcd")" ;;
    0) report "$name" "NOT CAUGHT" "$t" "the proof passed with the change"; failures=$((failures + 1)) ;;
    *) report "$name" ERROR "$t" "see $OUT/$name*.log"; failures=$((failures + 1)) ;;
  esac
}
# SMAP ignoring EFLAGS.AC (an explicit supervisor access to a user page faults even with AC=1)
plant planted_smap_ignores_ac $PKG 's/(us \&\& smap \&\& (implicit || !ac))/(us \&\& smap)/' miter_rights ""
# a key's write-disable stopping supervisor writes even with CR0.WP = 0
plant planted_wd_ignores_wp $PKG 's/(is_user(cpl, implicit) || wp)/1'"'"'b1/' miter_rights ""
# the I/D bit without CR4.SMEP (only PAE/4/5-level with NXE would set it)
plant planted_id_ignores_smep $PKG 's/(access == ACC_EXEC) \&\& (smep || (pae \&\& nxe))/(access == ACC_EXEC) \&\& pae \&\& nxe/' \
      miter_error_code ""
# bit 21 of a 32-bit 4-MByte PDE no longer reserved
plant planted_pse36_bit21_not_reserved $RTL/entry_check.sv "s/RSV_PSE  = 64'h0020_0000 |/RSV_PSE  = 64'h0000_0000 |/" \
      miter_entry "-set MODE 1 -set MAXPHYADDR 46"
# PS of a PML4E/PML5E no longer reserved
plant planted_pml4_ps_not_reserved $RTL/entry_check.sv '/if (level_i >= mmu_pkg::LVL_PML4) m = m | BIT_PS;/s/m = m | BIT_PS;/m = m;/' \
      miter_entry "-set MODE 3 -set MAXPHYADDR 46"

# --- 3. bounded protocol proofs ---------------------------------------------------------------------
# expect_cex NAME START RC WHY: a counterexample the docs describe is expected
expect_cex() {
  case $3 in
    1) report "$1" "counterexample" "$2" "expected ($4): $OUT/$1.vcd" ;;
    0) report "$1" "UNEXPECTED PASS" "$2" "docs/formal.md says it fails ($4)"; failures=$((failures + 1)) ;;
    *) report "$1" ERROR "$2" "see $OUT/$1.log"; failures=$((failures + 1)) ;;
  esac
}
# reached NAME START RC WHAT: "SIGNAL is always 0" refuted = the depth reaches WHAT
reached() {
  case $3 in
    1) report "$1" "reached" "$2" "$4: $OUT/$1.vcd" ;;
    0) report "$1" "NOT REACHED" "$2" "the proof's depth does not cover $4"; failures=$((failures + 1)) ;;
    *) report "$1" ERROR "$2" "see $OUT/$1.log"; failures=$((failures + 1)) ;;
  esac
}

TLB_SRC="$PKG $RTL/tlb_array.sv $F/props_tlb.sv"
export SAT_DEFINES=-DFORMAL_TLB_ONE_HIT
t=$(now); sat_bmc tlb_one_hit props_tlb "-set CONST_PCID 1" 12 "-prove-asserts" $TLB_SRC
expect_proven tlb_one_hit "$t" $? "bounded, 12 cycles, constant PCID"
# With PCID changes a lookup can match two ways (docs/formal.md): expected counterexample.
t=$(now); sat_bmc tlb_two_hits_pcid props_tlb "-set CONST_PCID 0" 12 "-prove-asserts" $TLB_SRC
expect_cex tlb_two_hits_pcid "$t" $? "a global fill under another PCID"
PORT_SRC="$PKG $RTL/tlb_array.sv $RTL/tlb.sv $RTL/mmu_port.sv $F/props_port.sv"
# ... and after a page-size change without invalidation (docs/formal.md): expected counterexample
if [ $QUICK = 0 ]; then
  t=$(now); sat_bmc tlb_two_hits_page_size props_port "" 18 "-prove-asserts" $PORT_SRC
  expect_cex tlb_two_hits_page_size "$t" $? "a stale 4K entry dropped, its 2M refill beside a 2M entry"
fi
export SAT_DEFINES=
t=$(now); sat_bmc port_protocol props_port "" 18 "-prove-asserts" $PORT_SRC
expect_proven port_protocol "$t" $? "bounded, 18 cycles from reset"
t=$(now); sat_bmc port_l1_hit_reached props_port "" 10 "-prove l1_hit_reached 0" $PORT_SRC
reached port_l1_hit_reached "$t" $? "a miss, its fill and an L1 hit within 10 cycles"
if [ $QUICK = 1 ]; then
  echo "formal: --quick: tlb_two_hits_page_size, walker_protocol, walker_full_walk_reached left to make formal"
  if [ $failures -ne 0 ]; then echo "formal: $failures properties did not give their expected result"; exit 1; fi
  echo "formal: every property run gave its expected result"
  exit 0
fi
WALK_SRC="$PKG $RTL/entry_check.sv $RTL/walker.sv $F/props_walker.sv"
t=$(now); sat_bmc walker_protocol props_walker "" 12 "-prove-asserts" $WALK_SRC
expect_proven walker_protocol "$t" $? "bounded, 12 cycles from reset"
# the depth reaches a whole walk: "full_walk is always 0" must be refuted
t=$(now); sat_bmc walker_full_walk_reached props_walker "" 12 "-prove full_walk 0" $WALK_SRC
reached walker_full_walk_reached "$t" $? "a 2-level walk with its A/D writes within 12 cycles"

if [ $failures -ne 0 ]; then
  echo "formal: $failures properties did not give their expected result"
  exit 1
fi
echo "formal: every property gave its expected result"
