#!/usr/bin/env bash
# `mmulab demo` through the OS layer (docs/workloads.md): the OS counters of the JSON against
# counts computed here from the options by Linux's rules, not from mmulab's output. The stream is
# `--workload stride --stride 4K --ws 2M --rwx 0:100:0`: access i writes page i mod 512 (the 2 MiB
# working set's 4 KiB pages), so every page is first touched by a write; --prefault 0 (demand
# paging) unless a check says otherwise.
#   - demand paging (mm/memory.c handle_mm_fault -> do_anonymous_page): one fault per page first
#     touched, per process (each has its own mm); a 2 MiB page (hugetlb_fault) maps the whole set
#     at once;
#   - context switches (switch_mm_irqs_off): one CR3 write per switch to another mm;
#   - PTI (arch/x86/entry/calling.h SWITCH_TO_KERNEL_CR3 / SWITCH_TO_USER_CR3): each syscall and
#     each page fault enters and leaves the kernel, two CR3 writes, plus the first return to user
#     mode; with PCID the writes carry NOFLUSH (bit 63) except the first return to user, whose user
#     PCID switch_mm marked for a flush (invalidate_user_asid -> user_pcid_flush_mask);
#   - munmap (arch/x86/mm/tlb.c flush_tlb_mm_range): at most tlb_single_page_flush_ceiling pages
#     flush with one INVLPG each, more with a full flush (flush_tlb_local: a CR3 write without
#     PCID); every other CPU of mm_cpumask gets an IPI and does the same (flush_tlb_func);
#   - vmalloc (arch/x86/mm/fault.c vmalloc_fault, lazy): one fault per process and top-level
#     entry; sync (arch_sync_kernel_mappings) copies the new entry into every pgd instead;
#     prealloc (preallocate_vmalloc_pages) needs neither;
#   - mmap(MAP_POPULATE) (mm/gup.c __mm_populate -> populate_vma_page_range, the default
#     --prefault 1): the working set faulted in by software before the run (a write fault on a
#     writable VMA: one frame per page, no zero page, no #PF), so the run takes no demand fault
#     but on the pages a churn re-mmaps; a demo with no OS option is that, on one CPU;
#   - errors: each option that cannot apply, and the OS layer's refusal of several CPUs on cosim.
# Usage: tests/sim/cli/demo_os.sh MMULAB [COSIM_MMULAB]  (the second: a short run in lockstep)
set -u
mmulab=$1; cosim=${2:-}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "demo_os.sh: $*"; exit 1; }
json_num() { awk -v k="\"$2\":" '$1 == k { gsub(/,/, "", $2); print $2; exit }' "$1"; }
W=(--workload stride --stride 4K --ws 2M --rwx 0:100:0 --prefault 0)
PAGES=512
n=0
# run NAME ARGS...: the demo with the stream W into $tmp/NAME.json
run() {
  local name=$1; shift
  "$mmulab" demo "${W[@]}" "$@" --json "$tmp/$name.json" >"$tmp/$name.out" 2>&1 ||
    { tail -5 "$tmp/$name.out"; fail "demo $* failed"; }
}
# want NAME KEY VALUE...: the JSON's (first) KEY is VALUE
want() {
  local name=$1; shift
  while [ $# -ge 2 ]; do
    local got; got=$(json_num "$tmp/$name.json" "$1")
    [ "$got" = "$2" ] || fail "$name: $1 is '$got', expected $2 ($(grep '^reproduce' "$tmp/$name.out"))"
    n=$((n + 1)); shift 2
  done
}

# demand paging, 4 KiB and 2 MiB pages
run demand --os 1 --ops 2048
want demand demand_faults $PAGES page_faults $PAGES zero_page_maps 0 segv 0 ops 2048 writes 2048 cr3_writes 0
for key in '"tool"' '"name":	"mmulab"' '"version"' '"os"' '"os_setup"' '"mix"' '"walk_latency"' '"p50"' '"p90"' \
           '"p99"' '"max"' '"cycles_per_access"' '"stats"'; do
  grep -qF "$key" "$tmp/demand.json" || fail "JSON lacks $key"
done
run huge --os 1 --ops 2048 --page 2m
want huge demand_faults 1 page_faults 1
# the reproduce line gives the same run
cmd=$(sed -n 's/^reproduce: mmulab demo //p' "$tmp/demand.out" | sed "s|$tmp/demand.json|$tmp/again.json|")
eval "\"$mmulab\" demo $cmd" >"$tmp/again.out" 2>&1 || fail "the reproduce line failed: $cmd"
[ "$(grep '^os' "$tmp/again.out")" = "$(grep '^os' "$tmp/demand.out")" ] || fail "the reproduce line ran another run"

# processes: 2 switching every 512 accesses, 2048 accesses: 3 switches, each process writes all pages
run procs --procs 2 --switch-every 512 --ops 2048
want procs demand_faults $((2 * PAGES)) switches 3 cr3_writes 3

# syscalls under PTI: every 100 accesses of 1000 -> 9
ops=1000; every=100; sys=$(((ops - 1) / every))
run pti --kpti 1 --syscall-every $every --syscall-touches 9 --ops $ops
want pti syscalls $sys page_faults $PAGES cr3_writes $((2 * (sys + PAGES) + 1)) cr3_noflush 0
run pcid --kpti 1 --pcid 1 --syscall-every $every --ops $ops
want pcid syscalls $sys cr3_writes $((2 * (sys + PAGES) + 1)) cr3_noflush $((2 * (sys + PAGES)))
run nopti --syscall-every $every --ops $ops
want nopti syscalls $sys cr3_writes 0

# churn: every 512 accesses of 2048 -> 3 munmap+mmap, each of pages that are all mapped by then
churns=3
run churn4 --churn-every 512 --churn-pages 4 --ops 2048
want churn4 invlpg $((churns * 4)) full_flushes 0 demand_faults $((PAGES + churns * 4))
run churn40 --churn-every 512 --churn-pages 40 --ops 2048
want churn40 invlpg 0 full_flushes $churns cr3_writes $churns demand_faults $((PAGES + churns * 40))
run ceiling --churn-every 512 --churn-pages 4 --flush-ceiling 3 --ops 2048
want ceiling invlpg 0 full_flushes $churns
# threads: the process on 3 CPUs, each churn shoots down the other 2
run threads --threads 3 --churn-every 512 --churn-pages 4 --ops 2048
want threads ipis $((churns * 2)) invlpg $((churns * 4 * 3)) full_flushes 0

# vmalloc: 3 processes, a vmalloc every 10 accesses, each process runs
for policy in lazy sync prealloc; do
  run "v_$policy" --vmalloc $policy --procs 3 --switch-every 100 --kernel-every 10 --ops 1000
done
want v_lazy vmalloc_faults 3
want v_sync vmalloc_faults 0 vmalloc_synced 3
want v_prealloc vmalloc_faults 0 vmalloc_synced 0

# prefaulted (MAP_POPULATE): nothing faults in the run; 2 processes each got all 512 pages
run pre --prefault 1 --ops 2048
want pre demand_faults 0 page_faults 0 zero_page_maps 0 cr3_writes 0 user_pages $PAGES
run pre2 --prefault 1 --procs 2 --switch-every 512 --ops 2048
want pre2 demand_faults 0 switches 3 cr3_writes 3 user_pages $((2 * PAGES))
run prehuge --prefault 1 --page 2m --ops 2048
want prehuge demand_faults 0 user_pages $PAGES
# populate is mmap's only: a churn's re-mmapped pages fault again on their next write
run prechurn --prefault 1 --churn-every 512 --churn-pages 4 --ops 2048
want prechurn demand_faults $((churns * 4)) invlpg $((churns * 4))
# under PTI only the syscalls and the first return to user mode write CR3
run prepti --prefault 1 --kpti 1 --syscall-every $every --ops $ops
want prepti cr3_writes $((2 * sys + 1)) page_faults 0

# with no OS option the demo is one process on one CPU of the default OS, prefaulted, with RAM
# for the working set (4 GiB + 128 MiB + its 8 MiB of page tables = 4232 MiB), on every mode
"$mmulab" demo --ops 1000 --json "$tmp/plain.json" >"$tmp/plain.out" 2>&1 || fail "plain demo failed"
grep -q '^os: 4level, 1 cpu, ram 4232M, kpti 0, pcid 0, .*; 1 process on 1 cpu, 4K pages prefaulted' "$tmp/plain.out" ||
  fail "the plain demo's set-up: $(grep '^os:' "$tmp/plain.out" | head -1)"
want plain demand_faults 0 page_faults 0 segv 0 ops 1000 ram $((4232 << 20))
grep -q '"prefault":	true' "$tmp/plain.json" || fail "the plain demo's JSON lacks mix.prefault true"
grep -q -- '--prefault 1 --ram 4232M' "$tmp/plain.out" || fail "the plain demo's reproduce line: $(grep '^reproduce' "$tmp/plain.out")"
for mode in 32bit pae 5level; do
  "$mmulab" demo --mode $mode --ws 64M --ops 500 --json "$tmp/m$mode.json" >"$tmp/m$mode.out" 2>&1 ||
    { tail -3 "$tmp/m$mode.out"; fail "demo --mode $mode failed"; }
  want "m$mode" demand_faults 0 segv 0 user_pages $((64 * 256))
done

# --- errors ---
expect_error() {   # TEXT ARGS...: exit 2, TEXT on stderr
  local text=$1; shift
  "$mmulab" demo "$@" >"$tmp/e.out" 2>"$tmp/e.err"
  local rc=$?
  [ $rc -ne 0 ] || fail "demo $*: exit 0"
  grep -qF -- "$text" "$tmp/e.err" || fail "demo $*: stderr lacks '$text': $(head -3 "$tmp/e.err")"
  n=$((n + 1))
}
expect_error "--switch-every needs --procs 2" --switch-every 10
expect_error "--procs 2 needs --switch-every" --procs 2
expect_error "--syscall-touches needs --syscall-every" --syscall-touches 3
expect_error "--churn-pages needs --churn-every" --churn-pages 3
expect_error "--churn-pages 513: want 1..512" "${W[@]}" --churn-every 5 --churn-pages 513
expect_error "--threads 3: want 1..2" --threads 3 --cpus 2
expect_error "--procs: bad count '0'" --procs 0
expect_error "--kpti: want 0 or 1" --kpti 2
expect_error "--vmalloc: want" --vmalloc eager
expect_error "--os: want 0 or 1" --os 2
expect_error "--os 0: the demo's own address space (the pre-OS path) was removed" --os 0
expect_error "--prefault: want 0 or 1" --prefault 2
expect_error "--mix does not apply through the OS layer" --os 1 --mix 50:50:0
expect_error "--user does not apply through the OS layer" --kpti 0 --user 0
for opt in "--global 1" "--preset-a 0" "--preset-d 1" "--map eager"; do
  expect_error "${opt%% *} does not apply through the OS layer" $opt
done
expect_error "--issue overlap does not apply through the OS layer" --issue overlap
expect_error "is outside user space" --base 0xffff800000000000 --ws 1G
expect_error "prefaulting the working set of p0" --ws 1G --ram 64M
expect_error "OS set-up" --mode 32bit --kpti 1
expect_error "--cpus 2 on the cosim backend" --os 1 --backend cosim --cpus 2
expect_error "--cpus 2 on the cosim backend" --backend cosim --threads 2

# --- lockstep: a short run on the cosim backend (one CPU) ---
if [ -n "$cosim" ]; then
  "$cosim" demo "${W[@]}" --backend cosim --kpti 1 --pcid 1 --procs 2 --switch-every 100 --syscall-every 50 \
    --churn-every 150 --churn-pages 2 --ops 600 >"$tmp/co.out" 2>&1 || { tail -20 "$tmp/co.out"; fail "cosim run failed"; }
  grep -q '^lockstep: model and RTL agreed' "$tmp/co.out" || fail "cosim: no lockstep line"
  grep -q '^run: 600 accesses' "$tmp/co.out" || fail "cosim: $(grep '^run:' "$tmp/co.out")"
  n=$((n + 1))
fi
echo "ok: mmulab demo through the OS layer, $n checks"
