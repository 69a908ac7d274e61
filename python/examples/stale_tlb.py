#!/usr/bin/env python3
"""The checker from Python, as a cocotb scoreboard would call it: a design keeps a translation
after the page was remapped without INVLPG (permitted, SDM vol. 3A 4.10.4.3), then keeps it
after INVLPG (a bug, SDM 4.10.4.1). Run: MMULAB_LIB=build/ref/lib/libmmulab.so.1 PYTHONPATH=python
python3 python/examples/stale_tlb.py"""
import mmulab

P, RW, US, A, D = 1, 2, 4, 0x20, 0x40

with mmulab.Reference(maxphyaddr=46) as ref:
    pt = ref.page_tables(mmulab.MODE_4LEVEL, 0x1000000, 0x2000000)
    pt.map(0x400000, 0x200000, 12, P | RW | US | A | D, P | RW | US | A)
    ref.write_reg(mmulab.CR4, 0x20)          # PAE
    ref.write_reg(mmulab.EFER, 0x100)        # LME
    ref.write_reg(mmulab.CR3, pt.cr3)
    ref.write_reg(mmulab.CR0, 0x80000001)    # PG | PE
    design_pa = 0x200010                     # what the design under test answers, every time
    print("first translation:     ", ref.check(0x400010, mmulab.READ, 3, pa=design_pa, page_shift=12))
    ref.mem_write(pt.entry_addr(0x400000, 1), 0x300000 | P | RW | US | A | D)   # remap, no INVLPG
    print("after remap, no INVLPG:", ref.check(0x400010, mmulab.READ, 3, pa=design_pa, page_shift=12))
    ref.invlpg(0x400000)
    print("after INVLPG:          ", ref.check(0x400010, mmulab.READ, 3, pa=design_pa, page_shift=12))
    print(ref.stats())
