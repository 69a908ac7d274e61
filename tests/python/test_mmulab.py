#!/usr/bin/env python3
"""The Python binding (python/mmulab, ctypes over libmmulab.so.1) end to end: each case cites
the SDM (vol. 3A) rule that permits or forbids the design's result. Run by make test with
MMULAB_LIB and PYTHONPATH=python (mk/ref.mk); also runs the example."""
import os
import runpy
import subprocess
import sys
import unittest

import mmulab

P, RW, US, A, D, G = 1, 2, 4, 0x20, 0x40, 0x100
VA, OLD, NEW = 0x400123, 0x200000, 0x300000


def long_mode(ref, pt, pge=False):
    ref.write_reg(mmulab.CR4, 0x20 | (0x80 if pge else 0))
    ref.write_reg(mmulab.EFER, 0x100)
    ref.write_reg(mmulab.CR3, pt.cr3)
    ref.write_reg(mmulab.CR0, 0x80000001)


class Binding(unittest.TestCase):
    def setUp(self):
        self.ref = mmulab.Reference(46)
        self.pt = self.ref.page_tables(mmulab.MODE_4LEVEL, 0x1000000, 0x2000000)

    def tearDown(self):
        self.ref.close()

    def at(self, frame):
        return dict(pa=frame | (VA & 0xfff), page_shift=12)

    def test_version(self):
        self.assertEqual(mmulab.api_version() // 100, mmulab.API_MAJOR)

    def test_stale_until_invlpg(self):
        """SDM 4.10.4.3 permits the old translation after a remap without invalidation; 4.10.4.1:
        INVLPG removes it."""
        self.pt.map(VA & ~0xfff, OLD, 12, P | RW | US | A | D, P | RW | US | A)
        long_mode(self.ref, self.pt)
        self.assertTrue(self.ref.check(VA, mmulab.READ, 3, **self.at(OLD)))
        self.ref.mem_write(self.pt.entry_addr(VA, 1), NEW | P | RW | US | A | D)
        self.assertTrue(self.ref.check(VA, mmulab.READ, 3, **self.at(OLD)))
        self.assertTrue(self.ref.check(VA, mmulab.READ, 3, **self.at(NEW)))
        self.ref.invlpg(VA)
        v = self.ref.check(VA, mmulab.READ, 3, **self.at(OLD))
        self.assertFalse(v)
        self.assertIn("SDM", v.why)
        self.assertEqual(self.ref.stats()["mismatches"], 1)
        self.assertGreaterEqual(self.ref.stats()["stale_permitted"], 1)

    def test_global_survives_cr3(self):
        """SDM 4.10.2.4: a global translation (G=1, CR4.PGE=1) survives MOV to CR3."""
        self.pt.map(VA & ~0xfff, OLD, 12, P | RW | A | D | G, P | RW | A)
        long_mode(self.ref, self.pt, pge=True)
        self.assertTrue(self.ref.check(VA, mmulab.READ, 0, **self.at(OLD)))
        self.ref.mem_write(self.pt.entry_addr(VA, 1), NEW | P | RW | A | D | G)
        self.ref.write_reg(mmulab.CR3, self.pt.cr3)
        self.assertTrue(self.ref.check(VA, mmulab.READ, 0, **self.at(OLD)))

    def test_fault_and_ad(self):
        """SDM 4.7: the error code of a user write to a supervisor page is P|W|U; 4.8: A/D are only set."""
        self.pt.map(VA & ~0xfff, OLD, 12, P | RW, P | RW | US)
        long_mode(self.ref, self.pt)
        self.assertEqual(self.ref.translate(VA, mmulab.WRITE, 3)[:2], (mmulab.FAULT_PF, 7))
        self.assertTrue(self.ref.check(VA, mmulab.WRITE, 3, fault=mmulab.FAULT_PF, error_code=7))
        self.assertFalse(self.ref.check(VA, mmulab.WRITE, 3, fault=mmulab.FAULT_PF, error_code=6))
        ea = self.pt.entry_addr(VA, 1)
        self.assertTrue(self.ref.ad_write(ea, OLD | P | RW | A))
        self.assertFalse(self.ref.ad_write(ea, OLD | P))

    def test_protection_keys(self):
        """SDM 4.6.2: PKRU's AD_i denies a data access to a user page with key i (4.7: PK, bit 5,
        in the error code); WRPKRU while CR4.PKE=0 is #UD (Vol 2B WRPKRU); PKRU changes need no
        invalidation, so the cached translation is checked against the new value."""
        key = 5
        self.pt.map(VA & ~0xfff, OLD, 12, P | RW | US | A | D | key << 59, P | RW | US | A)
        long_mode(self.ref, self.pt)
        with self.assertRaises(mmulab.MmulabError) as e:
            self.ref.write_reg(mmulab.PKRU, 1 << (2 * key))
        self.assertEqual(e.exception.status, mmulab.E_UD)
        self.ref.write_reg(mmulab.CR4, 0x20 | 1 << 22)
        self.assertTrue(self.ref.check(VA, mmulab.READ, 3, **self.at(OLD)))
        self.ref.write_reg(mmulab.PKRU, 1 << (2 * key))
        self.assertEqual(self.ref.read_reg(mmulab.PKRU), 1 << (2 * key))
        self.assertFalse(self.ref.check(VA, mmulab.READ, 3, **self.at(OLD)))
        self.assertTrue(self.ref.check(VA, mmulab.READ, 3, fault=mmulab.FAULT_PF, error_code=0x25))
        self.assertTrue(self.ref.check(VA, mmulab.EXEC, 3, **self.at(OLD)))   # fetches ignore keys

    def test_errors(self):
        """Usage errors raise MmulabError; a #GP register write (SDM 2.5: CR0.PG without PE) too."""
        with self.assertRaises(mmulab.MmulabError) as e:
            self.ref.write_reg(mmulab.CR0, 0x80000000)
        self.assertEqual(e.exception.status, mmulab.E_GP)
        with self.assertRaises(mmulab.MmulabError):
            self.ref.mem_write(0x1004, 0, 8)
        with self.assertRaises(mmulab.MmulabError):
            self.pt.map(0x1000, 0x2000, 13)

    def test_model_checked(self):
        """The model keeps a stale translation after a remap without INVLPG; the checker permits
        it (SDM 4.10.4.3); a bad setting names its key."""
        with self.assertRaises(ValueError) as e:
            mmulab.Model("dtlb_4k_sets=3")
        self.assertIn("dtlb_4k_sets", str(e.exception))
        with mmulab.Model("dtlb_4k_sets=8, tlb_repl=random") as model:
            mpt = model.page_tables(mmulab.MODE_4LEVEL, 0x1000000, 0x2000000)
            mpt.map(VA & ~0xfff, OLD, 12, P | RW | US | A | D, P | RW | US | A)
            self.pt.map(VA & ~0xfff, OLD, 12, P | RW | US | A | D, P | RW | US | A)
            for reg, v in ((mmulab.CR4, 0x20), (mmulab.EFER, 0x100), (mmulab.CR3, self.pt.cr3),
                           (mmulab.CR0, 0x80000001)):
                model.write_reg(reg, v)
                self.ref.write_reg(reg, v)
            fault, ec, pa, shift, walk = model.translate(VA, mmulab.READ, 3)
            self.assertEqual((fault, pa, shift), (mmulab.FAULT_NONE, OLD | (VA & 0xfff), 12))
            self.assertTrue(self.ref.check(VA, mmulab.READ, 3, fault=fault, pa=pa, page_shift=shift))
            ea = self.pt.entry_addr(VA, 1)
            for mem in (model, self.ref):
                mem.mem_write(ea, NEW | P | RW | US | A | D)
            fault, ec, pa, shift, hit = model.translate(VA, mmulab.READ, 3)
            self.assertLess(hit, walk)
            self.assertEqual(pa, OLD | (VA & 0xfff))      # the model's TLB kept it
            self.assertTrue(self.ref.check(VA, mmulab.READ, 3, fault=fault, pa=pa, page_shift=shift))

    def test_example_runs(self):
        example = os.path.join(os.path.dirname(__file__), "..", "..", "python", "examples", "stale_tlb.py")
        out = subprocess.run([sys.executable, example], capture_output=True, text=True, check=True).stdout
        lines = out.splitlines()
        self.assertIn("ok=True", lines[1])
        self.assertIn("ok=False", lines[2])


if __name__ == "__main__":
    unittest.main(verbosity=1)
