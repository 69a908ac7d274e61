"""mmulab: Python binding of libmmulab's permissive x86 MMU checker (ctypes, no compiled extension).

For cocotb / pyuvm scoreboards: mirror into a Reference what the design under test sees (memory
writes, control-register writes, invalidations, its walker's A/D writes) and check every
translation it returns; a result the Intel SDM does not permit raises nothing by itself,
check() returns a Verdict whose .ok is False and whose .why names the rule and the entry.
docs/reference-model.md has the rules and a cocotb example.

The library is found through $MMULAB_LIB (a path), then next to an installed copy of this
package (PREFIX/share/mmulab/python -> PREFIX/lib), then the system's loader (libmmulab.so.1).
"""
import ctypes
import ctypes.util
import os

API_MAJOR = 1

OK, MISMATCH = 0, 1
E_ARG, E_RANGE, E_NOMEM, E_GP, E_MAP, E_UD = -1, -2, -3, -4, -5, -6
READ, WRITE, EXEC = 0, 1, 2
FAULT_NONE, FAULT_PF, FAULT_GP = 0, 1, 2
CR0, CR3, CR4, EFER, PKRU, PKRS = 0, 1, 2, 3, 4, 5   # PKRU, PKRS: API 1.1 (protection keys)
MODE_32BIT, MODE_PAE, MODE_4LEVEL, MODE_5LEVEL = 1, 2, 3, 4

_ERRORS = {E_ARG: "bad argument", E_RANGE: "address out of range", E_NOMEM: "out of memory",
           E_GP: "#GP", E_MAP: "impossible mapping", E_UD: "#UD"}


class MmulabError(Exception):
    """A usage error of the library (a negative status)."""

    def __init__(self, what, status):
        super().__init__(f"{what}: {_ERRORS.get(status, status)}")
        self.status = status


class _Access(ctypes.Structure):
    _fields_ = [("va", ctypes.c_uint64), ("access", ctypes.c_int), ("cpl", ctypes.c_uint),
                ("ac", ctypes.c_int), ("implicit", ctypes.c_int)]


class _Result(ctypes.Structure):
    _fields_ = [("fault", ctypes.c_int), ("error_code", ctypes.c_uint32), ("pa", ctypes.c_uint64),
                ("page_shift", ctypes.c_uint)]


class _Stats(ctypes.Structure):
    _fields_ = [("checks", ctypes.c_uint64), ("mismatches", ctypes.c_uint64),
                ("stale_permitted", ctypes.c_uint64), ("ad_writes", ctypes.c_uint64)]


def _find_library():
    env = os.environ.get("MMULAB_LIB")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    installed = os.path.normpath(os.path.join(here, "..", "..", "..", "..", "lib", "libmmulab.so.1"))
    if os.path.exists(installed):
        return installed
    return ctypes.util.find_library("mmulab") or "libmmulab.so.1"


def _load():
    lib = ctypes.CDLL(_find_library())
    P, U64, I, U, S = ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int, ctypes.c_uint, ctypes.c_size_t
    sig = {
        "mmulab_api_version": (I, []),
        "mmulab_ref_create": (P, [U]),
        "mmulab_ref_destroy": (None, [P]),
        "mmulab_ref_reset": (I, [P]),
        "mmulab_ref_mem_write": (I, [P, U64, U64, U]),
        "mmulab_ref_mem_read": (I, [P, U64, U, ctypes.POINTER(U64)]),
        "mmulab_ref_ad_write": (I, [P, U64, U64, U, ctypes.c_char_p, S]),
        "mmulab_ref_write_reg": (I, [P, I, U64]),
        "mmulab_ref_read_reg": (I, [P, I, ctypes.POINTER(U64)]),
        "mmulab_ref_invlpg": (I, [P, U64]),
        "mmulab_ref_invpcid": (I, [P, U, U64, U64]),
        "mmulab_ref_check": (I, [P, ctypes.POINTER(_Access), ctypes.POINTER(_Result), ctypes.c_char_p, S]),
        "mmulab_ref_translate": (I, [P, ctypes.POINTER(_Access), ctypes.POINTER(_Result)]),
        "mmulab_ref_get_stats": (I, [P, ctypes.POINTER(_Stats)]),
        "mmulab_pt_create": (P, [P, I, U64, U64]),
        "mmulab_pt_destroy": (None, [P]),
        "mmulab_pt_cr3": (U64, [P]),
        "mmulab_pt_map": (I, [P, U64, U64, U, U64, U64]),
        "mmulab_pt_entry_addr": (U64, [P, U64, I]),
        "mmulab_model_create": (P, [ctypes.c_char_p, ctypes.c_char_p, S]),
        "mmulab_model_destroy": (None, [P]),
        "mmulab_model_mem_write": (I, [P, U64, U64, U]),
        "mmulab_model_mem_read": (I, [P, U64, U, ctypes.POINTER(U64)]),
        "mmulab_model_translate": (I, [P, ctypes.POINTER(_Access), ctypes.POINTER(_Result), ctypes.POINTER(U64)]),
        "mmulab_model_write_reg": (I, [P, I, U64]),
        "mmulab_model_invlpg": (I, [P, U64]),
        "mmulab_model_pt_create": (P, [P, I, U64, U64]),
    }
    for name, (res, args) in sig.items():
        fn = getattr(lib, name)
        fn.restype = res
        fn.argtypes = args
    if lib.mmulab_api_version() // 100 != API_MAJOR:
        raise ImportError(f"libmmulab API {lib.mmulab_api_version()}, this binding needs major {API_MAJOR}")
    return lib


_lib = _load()


class Verdict:
    """The checker's answer: ok (bool) and why (one line: the rule and the entry)."""

    def __init__(self, ok, why):
        self.ok, self.why = ok, why

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return f"Verdict(ok={self.ok}, why={self.why!r})"


def _must(what, rc):
    if rc < 0:
        raise MmulabError(what, rc)
    return rc


class _Owner:
    """A library handle and the page tables built in it: closed once, by close(), `with` or GC.
    Subclasses set _destroy (the library's destroy function for their handle)."""

    _h = None
    _tables = ()

    def close(self):
        for pt in self._tables:
            _lib.mmulab_pt_destroy(pt._h)
        self._tables = []
        if self._h:
            self._destroy(self._h)
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


class Reference(_Owner):
    """One permissive reference per MMU under test (mmulab.h, mmulab_ref_*)."""

    _destroy = staticmethod(_lib.mmulab_ref_destroy)

    def __init__(self, maxphyaddr=46):
        self._h = _lib.mmulab_ref_create(maxphyaddr)
        if not self._h:
            raise MmulabError("create", E_ARG)
        self._tables = []


    def reset(self):
        _must("reset", _lib.mmulab_ref_reset(self._h))

    def mem_write(self, pa, value, size=8):
        _must("mem_write", _lib.mmulab_ref_mem_write(self._h, pa, value, size))

    def mem_read(self, pa, size=8):
        v = ctypes.c_uint64()
        _must("mem_read", _lib.mmulab_ref_mem_read(self._h, pa, size, ctypes.byref(v)))
        return v.value

    def ad_write(self, pa, value, size=8):
        why = ctypes.create_string_buffer(512)
        rc = _must("ad_write", _lib.mmulab_ref_ad_write(self._h, pa, value, size, why, len(why)))
        return Verdict(rc == OK, why.value.decode())

    def write_reg(self, reg, value):
        """MOV to CR0/CR3/CR4 / WRMSR EFER / WRPKRU (PKRU) / WRMSR IA32_PKRS (PKRS); raises MmulabError
        (status E_GP or E_UD) where the SDM raises #GP or #UD."""
        _must("write_reg", _lib.mmulab_ref_write_reg(self._h, reg, value))

    def read_reg(self, reg):
        v = ctypes.c_uint64()
        _must("read_reg", _lib.mmulab_ref_read_reg(self._h, reg, ctypes.byref(v)))
        return v.value

    def invlpg(self, va):
        _must("invlpg", _lib.mmulab_ref_invlpg(self._h, va))

    def invpcid(self, kind, pcid=0, va=0):
        _must("invpcid", _lib.mmulab_ref_invpcid(self._h, kind, pcid, va))

    def check(self, va, access, cpl, fault=FAULT_NONE, pa=0, page_shift=0, error_code=0, ac=False,
              implicit=False):
        """Is the design's result one the SDM permits? Returns a Verdict."""
        a = _Access(va, access, cpl, int(ac), int(implicit))
        r = _Result(fault, error_code, pa, page_shift)
        why = ctypes.create_string_buffer(512)
        rc = _must("check", _lib.mmulab_ref_check(self._h, ctypes.byref(a), ctypes.byref(r), why, len(why)))
        return Verdict(rc == OK, why.value.decode())

    def translate(self, va, access=READ, cpl=0, ac=False, implicit=False):
        """The reference's own answer (a fresh walk): (fault, error_code, pa, page_shift)."""
        a = _Access(va, access, cpl, int(ac), int(implicit))
        r = _Result()
        _must("translate", _lib.mmulab_ref_translate(self._h, ctypes.byref(a), ctypes.byref(r)))
        return r.fault, r.error_code, r.pa, r.page_shift

    def stats(self):
        s = _Stats()
        _must("stats", _lib.mmulab_ref_get_stats(self._h, ctypes.byref(s)))
        return {"checks": s.checks, "mismatches": s.mismatches, "stale_permitted": s.stale_permitted,
                "ad_writes": s.ad_writes}

    def page_tables(self, mode, frame_base, frame_limit):
        """An address space built in the reference's memory (mmulab_pt_*)."""
        h = _lib.mmulab_pt_create(self._h, mode, frame_base, frame_limit)
        if not h:
            raise MmulabError("page_tables", E_ARG)
        pt = PageTables(h)
        self._tables.append(pt)
        return pt


class PageTables:
    def __init__(self, h):
        self._h = h

    @property
    def cr3(self):
        return _lib.mmulab_pt_cr3(self._h)

    def map(self, va, pa, page_shift=12, leaf_flags=0x7, table_flags=0x7):
        _must("map", _lib.mmulab_pt_map(self._h, va, pa, page_shift, leaf_flags, table_flags))

    def entry_addr(self, va, level):
        return _lib.mmulab_pt_entry_addr(self._h, va, level)


class Model(_Owner):
    """mmulab's own golden MMU (mmulab_model_*): one outcome per translation, with its latency.
    settings: "key=value, ..." of model/params.def (a bad one raises ValueError naming the key)."""

    _destroy = staticmethod(_lib.mmulab_model_destroy)

    def __init__(self, settings=None):
        err = ctypes.create_string_buffer(256)
        self._h = _lib.mmulab_model_create(settings.encode() if settings else None, err, len(err))
        if not self._h:
            raise ValueError(err.value.decode())
        self._tables = []


    def mem_write(self, pa, value, size=8):
        _must("mem_write", _lib.mmulab_model_mem_write(self._h, pa, value, size))

    def mem_read(self, pa, size=8):
        v = ctypes.c_uint64()
        _must("mem_read", _lib.mmulab_model_mem_read(self._h, pa, size, ctypes.byref(v)))
        return v.value

    def write_reg(self, reg, value):
        _must("write_reg", _lib.mmulab_model_write_reg(self._h, reg, value))

    def invlpg(self, va):
        _must("invlpg", _lib.mmulab_model_invlpg(self._h, va))

    def translate(self, va, access=READ, cpl=0, ac=False, implicit=False):
        """(fault, error_code, pa, page_shift, latency_cycles)"""
        a = _Access(va, access, cpl, int(ac), int(implicit))
        r = _Result()
        lat = ctypes.c_uint64()
        _must("translate", _lib.mmulab_model_translate(self._h, ctypes.byref(a), ctypes.byref(r), ctypes.byref(lat)))
        return r.fault, r.error_code, r.pa, r.page_shift, lat.value

    def page_tables(self, mode, frame_base, frame_limit):
        h = _lib.mmulab_model_pt_create(self._h, mode, frame_base, frame_limit)
        if not h:
            raise MmulabError("page_tables", E_ARG)
        pt = PageTables(h)
        self._tables.append(pt)
        return pt


def api_version():
    return _lib.mmulab_api_version()
