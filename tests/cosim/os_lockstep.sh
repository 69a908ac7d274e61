#!/usr/bin/env bash
# The OS layer in lockstep: a subset of tests/scripts/os_*.mmu (every paging mode,
# PCID, KPTI, the vmalloc policies) run on the cosim backend, model and RTL compared
# after every operation. Multi-CPU scripts need one cosim instance per CPU over one
# memory, which the backends do not offer yet: the shootdown script runs on three RTL
# instances (rtl backend) instead, its expectations checking what the RTL TLBs keep.
# Usage: tests/cosim/os_lockstep.sh MMULAB_WITH_RTL
set -u
mmulab=$1
cd "$(dirname "$0")/../.."
rc=0
for s in os_demand os_pcid os_kpti os_kpti_pcid os_vmalloc_lazy os_vmalloc_sync os_vmalloc_32 os_pae; do
  if out=$("$mmulab" run "tests/scripts/$s.mmu" --backend cosim 2>&1); then
    echo "  ok    cosim $s"
  else
    echo "  FAIL  cosim $s"; echo "$out" | tail -n 20; rc=1
  fi
done
if out=$("$mmulab" run tests/scripts/os_shootdown.mmu --backend rtl 2>&1); then
  echo "  ok    rtl os_shootdown"
else
  echo "  FAIL  rtl os_shootdown"; echo "$out" | tail -n 20; rc=1
fi
exit $rc
