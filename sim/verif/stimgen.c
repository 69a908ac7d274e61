/* Seeded constrained-random stimulus, its shadow checks and the log (stimgen.h).
 *
 * Layout of a run:
 *   1. knobs and page tables, built by ptbuild in the generator's own image of
 *      memory (img); the tables never depend on the backend;
 *   2. the backend is created over the driver's memory (mem), the image is
 *      written into mem through the backdoor, one `poke64` line per word;
 *   3. the stream: every operation is decided from the generator's state only,
 *      written to the log, then run on the backend. Results come back at each
 *      synchronisation and are digested, binned and checked.
 * The shadow of the architecture (CRs, PDPTE registers) is the generator's own,
 * from docs/semantics.md; it reads the tables from mem (the walker sets A/D
 * there) and never looks inside the model. */
#include "hostclock.h"
#include "stimgen.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#include "names.h"
#include "ptbuild.h"
#include "record.h"
#include "script.h"
#include "workload.h"

#define MAX_ROOTS 3
#define MAX_SETS 2
#define MAX_PCIDS 4
#define RING 32
#define PEND_MAX 1024             /* accesses queued before the generator inserts a sync */
#define MAX_CTX 64
#define ADDR8 0x000ffffffffff000ull
#define DATA_BASE 0x40000000ull      /* data frames live above the table frames */
#define CR4_BAD ((1ull << 22) | (1ull << 23) | (1ull << 24))
#define EFER_KNOWN (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)
#define AD_BITS (PTE_A | PTE_D)

/* ========================================================================= */
/* State                                                                      */
/* ========================================================================= */

enum { OP_ACCESS, OP_SYNC, OP_CR3, OP_CR4, OP_CR0, OP_EFER, OP_ILLEGAL, OP_INVLPG, OP_INVPCID, OP_EDIT,
       OP_SWITCH, OP_N };
static const char *const op_names[OP_N] = {"access", "sync", "cr3", "cr4", "cr0", "efer", "illegal",
                                           "invlpg", "invpcid", "edit", "switch"};
static const double op_base_weight[OP_N] = {60, 3, 4, 2.5, 1, 1, 1.5, 2.5, 2.5, 7, 0.5};

typedef struct {
    paging_mode_t modes[MAX_SETS];
    unsigned nsets, nroots, nregions, npcids;
    bool use_pcid;
    double p_large, p_1g, p_alias_frame, p_rw, p_xd, p_g, p_a, p_d;
    unsigned n_np, n_rsvd, n_share;
    double w[OP_N];
    double p_hot, p_wild, p_mismatch, p_ac, p_implicit, r_read, r_write;
    unsigned max_burst;
    bool nxe, pge, smep, smap, wp, pse;
} knobs_t;

typedef struct {
    paging_mode_t mode;
    unsigned nroots;
    paddr_t root[MAX_ROOTS];
    paddr_t bad_root;            /* PAE: a PDPT whose present PDPTE has a reserved bit (0: none) */
    size_t first_leaf, nleaves;  /* the set's leaves in g->leaves */
    size_t victim_first, victim_n;   /* a region whose upper-level entries get damaged */
    size_t *by_root[MAX_ROOTS];      /* leaf indices of each address space */
    size_t nby_root[MAX_ROOTS];
} set_t;

typedef struct {
    uint64_t cr0, cr3, cr4, efer, pdpte[4];
} cpu_t;

typedef struct {
    paging_mode_t mode;
    paddr_t base;
    bool pse;
} ctxkey_t;

typedef struct {
    mmu_req_t req;
    mmu_result_t res;
    uint64_t line;
    bool stale_free;             /* no TLB/PWC entry of another context or of remapped tables can exist */
} pend_t;

typedef enum { TF_NONE, TF_PCID, TF_NONGLOBAL, TF_ALL } tflush_t;

/* A granule key: (PCID, or TK_GLOBAL for global TLB entries) x VA granule
 * (12, 21, 22, 30: TLB classes; 21, 22, 30, 39, 48: PWC levels). */
typedef struct {
    uint64_t key;                /* 0: empty */
    uint64_t mask;               /* contexts that may have filled entries for it */
} tk_slot_t;
#define TK_SLOTS 16384
#define TK_GLOBAL 0x1000u

struct sg {
    sg_opts_t o;
    mmu_config_t cfg;
    unsigned M;
    rng_t rng;
    knobs_t k;
    char knobs_text[512];

    physmem_t *img;              /* what the generator wrote */
    physmem_t *mem;              /* what the backend sees */
    backend_t *be;

    set_t set[MAX_SETS];
    unsigned nsets;
    sg_leaf_t *leaves;
    size_t nleaves, leaves_cap;
    uint16_t pcid[MAX_PCIDS];

    cpu_t cpu;

    /* the log */
    FILE *log;
    char *logbuf;
    size_t loglen;
    uint64_t line;

    /* stream state */
    struct { vaddr_t va; paddr_t root; bool user; } ring[RING];   /* recently used addresses */
    unsigned nring, ring_pos;
    pend_t *pend;                /* PEND_MAX slots, allocated once */
    size_t npend;
    cycle_t base;                /* horizon at the last synchronising command */
    uint64_t rel;                /* last @+N of the current window */
    unsigned off_left;           /* operations left with paging off before re-entering */
    struct { paddr_t ea; uint64_t value; unsigned size; } undo[4];   /* destructive edits to repair */
    unsigned nundo;
    unsigned target_set;
    uint64_t nctrl;

    /* staleness tracking (docs/verification.md): which translation contexts may have
     * left TLB or PWC entries for a VA granule under a PCID (or global ones) */
    ctxkey_t ctx[MAX_CTX];
    unsigned nctx;
    bool overflow;               /* too many contexts or granules: nothing is PA-checked until a full flush */
    tk_slot_t *tk;               /* TK_SLOTS, open addressing */
    unsigned tk_used;
    bool remapped;               /* an entry's address (or PS) changed since the last full flush */
    bool any_32bit;              /* 32-bit paging ran: a mode of the knobs, or a CR4.PAE toggle */

    sg_report_t *rep;
    cov_t *cov;
    uint64_t digest;
    bool failed;
};

/* ========================================================================= */
/* Small helpers                                                              */
/* ========================================================================= */

static uint64_t rnd(sg_t *g, uint64_t n)
{
    return n <= 1 ? 0 : rng_below(&g->rng, n);
}

static double unif(sg_t *g)
{
    return rng_double(&g->rng);
}

static bool chance(sg_t *g, double p)
{
    return unif(g) < p;
}

static uint64_t bits(unsigned hi, unsigned lo)
{
    if (hi < lo || lo > 63)
        return 0;
    uint64_t upto = hi >= 63 ? ~0ull : (1ull << (hi + 1)) - 1;
    return upto & ~((1ull << lo) - 1);
}

static unsigned va_bits_of(paging_mode_t mode)
{
    return mode == PAGING_5LEVEL ? 57 : mode == PAGING_4LEVEL ? 48 : 32;
}

static vaddr_t canon(vaddr_t va, unsigned vbits)
{
    if (vbits >= 64)
        return va;
    return (vaddr_t)((int64_t)(va << (64 - vbits)) >> (64 - vbits));
}

static bool canonical(vaddr_t va, unsigned vbits)
{
    return canon(va, vbits) == va;
}

static int top_level(paging_mode_t mode)
{
    return mode == PAGING_5LEVEL ? 5 : mode == PAGING_4LEVEL ? 4 : mode == PAGING_PAE ? 3 : 2;
}

static unsigned esize(paging_mode_t mode)
{
    return mode == PAGING_32 ? 4 : 8;
}

/* Low VA bit of a level's index. */
static unsigned lvl_shift(paging_mode_t mode, int level)
{
    if (mode == PAGING_32)
        return level == 2 ? 22 : 12;
    return 12 + 9 * (unsigned)(level - 1);
}

static unsigned lvl_bits(paging_mode_t mode, int level)
{
    return mode == PAGING_32 ? 10 : (mode == PAGING_PAE && level == 3) ? 2 : 9;
}

static uint64_t lvl_index(paging_mode_t mode, int level, vaddr_t va)
{
    return (va >> lvl_shift(mode, level)) & ((1ull << lvl_bits(mode, level)) - 1);
}

static int leaf_level_of(unsigned shift)
{
    return shift == 12 ? 1 : shift == 30 ? 3 : 2;
}

/* ========================================================================= */
/* Failures and the log                                                       */
/* ========================================================================= */

static void failf(sg_t *g, uint64_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void failf(sg_t *g, uint64_t line, const char *fmt, ...)
{
    if (g->failed)
        return;
    g->failed = true;
    g->rep->status = 1;
    g->rep->fail_line = line;
    int n = line ? snprintf(g->rep->failure, SG_FAIL_LEN, "log line %" PRIu64 ": ", line) : 0;
    if (n < 0 || n >= SG_FAIL_LEN)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->rep->failure + n, SG_FAIL_LEN - (size_t)n, fmt, ap);
    va_end(ap);
}

static void emit(sg_t *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit(sg_t *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(g->log, fmt, ap);
    va_end(ap);
    fputc('\n', g->log);
    g->line++;
}

/* ========================================================================= */
/* Memory: the image (what the generator wrote) and the backend's memory       */
/* ========================================================================= */

static uint64_t read_entry(physmem_t *m, unsigned maxphyaddr, paddr_t pa, unsigned size)
{
    if (maxphyaddr < 64 && (pa >> maxphyaddr))
        return 0;
    uint64_t w = physmem_peek64(m, pa & ~7ull);
    return size == 8 ? w : (w >> (8 * (pa & 4))) & 0xffffffffull;
}

static uint64_t img_entry(const sg_t *g, paddr_t pa, unsigned size)
{
    return read_entry(g->img, g->M, pa, size);
}

static uint64_t mem_entry(const sg_t *g, paddr_t pa, unsigned size)
{
    return read_entry(g->mem, g->M, pa, size);
}

static void img_write(sg_t *g, paddr_t pa, unsigned size, uint64_t v)
{
    if (size == 8)
        physmem_poke64(g->img, pa, v);
    else
        physmem_poke32(g->img, pa, (uint32_t)v);
}

/* ========================================================================= */
/* Knobs                                                                      */
/* ========================================================================= */

static const paging_mode_t all_modes[4] = {PAGING_32, PAGING_PAE, PAGING_4LEVEL, PAGING_5LEVEL};

static void choose_knobs(sg_t *g)
{
    knobs_t *k = &g->k;
    k->modes[0] = g->o.mode != PAGING_OFF ? g->o.mode : all_modes[rnd(g, 4)];
    k->nsets = 1;
    if (chance(g, 0.35)) {
        paging_mode_t m;
        do
            m = all_modes[rnd(g, 4)];
        while (m == k->modes[0]);
        k->modes[k->nsets++] = m;
    }
    k->nroots = 1 + (unsigned)rnd(g, MAX_ROOTS);
    k->nregions = 1 + (unsigned)rnd(g, 4);
    k->npcids = 1 + (unsigned)rnd(g, MAX_PCIDS);
    k->use_pcid = chance(g, 0.7);
    k->p_large = 0.4 * unif(g);
    k->p_1g = 0.08 * unif(g);
    k->p_alias_frame = 0.15 * unif(g);
    k->p_rw = 0.6 + 0.35 * unif(g);
    k->p_xd = 0.15 * unif(g);
    k->p_g = 0.6 * unif(g);
    k->p_a = unif(g);
    k->p_d = unif(g);
    k->n_np = (unsigned)rnd(g, 5);
    k->n_rsvd = (unsigned)rnd(g, 5);
    k->n_share = (unsigned)rnd(g, 4);
    for (int i = 0; i < OP_N; i++)
        k->w[i] = op_base_weight[i] * (0.25 + 1.75 * unif(g));
    k->p_hot = 0.35 + 0.45 * unif(g);
    k->p_wild = 0.02 + 0.06 * unif(g);
    k->p_mismatch = 0.03 + 0.2 * unif(g);
    k->p_ac = 0.4 * unif(g);
    k->p_implicit = 0.15 * unif(g);
    k->r_read = 0.3 + 0.4 * unif(g);
    k->r_write = (1 - k->r_read) * (0.3 + 0.5 * unif(g));
    k->max_burst = 1 + (unsigned)rnd(g, 8);
    k->nxe = chance(g, 0.75);
    k->pge = chance(g, 0.6);
    k->smep = chance(g, 0.3);
    k->smap = chance(g, 0.3);
    k->wp = chance(g, 0.6);
    k->pse = chance(g, 0.85);
    for (unsigned i = 0; i < k->npcids; i++)
        g->pcid[i] = i == 0 ? 0 : (uint16_t)(1 + rnd(g, 0xfff));

    char *b = g->knobs_text;
    size_t len = sizeof g->knobs_text;
    int n = snprintf(b, len, "mode=%s", names_mode(k->modes[0]));
    if (k->nsets > 1)
        n += snprintf(b + n, len - (size_t)n, "+%s", names_mode(k->modes[1]));
    n += snprintf(b + n, len - (size_t)n,
                  " roots=%u regions=%u pcids=%u%s large=%.2f 1g=%.2f alias=%.2f rw=%.2f xd=%.2f g=%.2f a=%.2f"
                  " d=%.2f np=%u rsvd=%u shared=%u hot=%.2f wild=%.2f cpl-mismatch=%.2f burst=%u cr=%s%s%s%s%s%s w=",
                  k->nroots, k->nregions, k->npcids, k->use_pcid ? "" : "(pcide off)", k->p_large, k->p_1g,
                  k->p_alias_frame, k->p_rw, k->p_xd, k->p_g, k->p_a, k->p_d, k->n_np, k->n_rsvd, k->n_share,
                  k->p_hot, k->p_wild, k->p_mismatch, k->max_burst, k->nxe ? "nxe," : "", k->pge ? "pge," : "",
                  k->smep ? "smep," : "", k->smap ? "smap," : "", k->wp ? "wp," : "", k->pse ? "pse" : "");
    for (int i = 0; i < OP_N && n > 0 && (size_t)n < len; i++)
        n += snprintf(b + n, len - (size_t)n, "%s%s:%.1f", i ? "," : "", op_names[i], k->w[i]);
}

/* ========================================================================= */
/* Page tables                                                                */
/* ========================================================================= */

static int add_leaf(sg_t *g, const sg_leaf_t *l)
{
    if (g->nleaves == g->leaves_cap) {
        size_t cap = g->leaves_cap ? 2 * g->leaves_cap : 256;
        sg_leaf_t *p = realloc(g->leaves, cap * sizeof *p);
        if (!p)
            return -1;
        g->leaves = p;
        g->leaves_cap = cap;
    }
    g->leaves[g->nleaves++] = *l;
    return 0;
}

static ptbuild_t builder(const sg_t *g, paging_mode_t mode, paddr_t root)
{
    ptbuild_t b = {.mem = g->img, .mode = mode, .root = root, .maxphyaddr = g->M};
    return b;
}

/* Highest PA (exclusive) a leaf of this size can hold in the mode. */
static uint64_t pa_limit(const sg_t *g, paging_mode_t mode, unsigned shift)
{
    unsigned w = g->M;
    if (mode == PAGING_32 && w > (shift == 22 ? 40u : 32u))
        w = shift == 22 ? 40 : 32;
    return 1ull << w;
}

static paddr_t data_frame(sg_t *g, const set_t *s, paging_mode_t mode, unsigned shift)
{
    uint64_t size = 1ull << shift;
    if (s && s->nleaves && chance(g, g->k.p_alias_frame)) {
        for (int tries = 0; tries < 8; tries++) {
            const sg_leaf_t *l = &g->leaves[s->first_leaf + rnd(g, s->nleaves)];
            if (l->shift == shift)
                return l->pa;     /* two pages, one frame */
        }
    }
    uint64_t limit = pa_limit(g, mode, shift);
    if (chance(g, 0.1))
        return limit - size * (1 + rnd(g, 16));   /* near the top of the physical space */
    uint64_t lo = (DATA_BASE + size - 1) & ~(size - 1);
    return lo + (rnd(g, (limit - lo) >> shift) << shift);
}

static uint64_t leaf_flags(sg_t *g, paging_mode_t mode, bool user, unsigned shift)
{
    const knobs_t *k = &g->k;
    uint64_t f = PTE_P;
    if (chance(g, k->p_rw))
        f |= PTE_RW;
    if (chance(g, user ? 0.85 : 0.1))
        f |= PTE_US;
    if (mode != PAGING_32 && chance(g, k->p_xd))
        f |= PTE_XD;
    if (chance(g, user ? 0.2 * k->p_g : k->p_g))
        f |= PTE_G;
    if (chance(g, k->p_a))
        f |= PTE_A;
    if (chance(g, k->p_d))
        f |= PTE_D;
    if (chance(g, 0.1))
        f |= PTE_PWT;
    if (chance(g, 0.1))
        f |= PTE_PCD;
    if (chance(g, 0.1))
        f |= rnd(g, 8) << 9;                       /* ignored bits 11:9 */
    if (mode >= PAGING_4LEVEL && chance(g, 0.05))
        f |= rnd(g, 1ull << 11) << 52;             /* ignored bits 62:52 */
    if (chance(g, 0.05))
        f |= shift == 12 ? PTE_PS /* PAT in a PTE */ : 1ull << 12 /* PAT in a large leaf */;
    return f;
}

/* A region base for the mode: random, or close to an earlier region of the root; half of
 * them start at a random 4 KiB page of their 2 MiB / 4 MiB slot, so the 4 KiB pages of a
 * region reach every TLB set index bit (VA 18:12 for a 128-set array), not only the low ones. */
static vaddr_t slot_base(sg_t *g, paging_mode_t mode, const vaddr_t *prev, unsigned nprev);

static vaddr_t region_base(sg_t *g, paging_mode_t mode, const vaddr_t *prev, unsigned nprev)
{
    vaddr_t base = slot_base(g, mode, prev, nprev);
    if (chance(g, 0.5))
        base += (vaddr_t)rnd(g, mode == PAGING_32 ? 1024 : 512) << 12;
    return base;
}

static vaddr_t slot_base(sg_t *g, paging_mode_t mode, const vaddr_t *prev, unsigned nprev)
{
    if (nprev && chance(g, 0.6)) {
        vaddr_t near = prev[rnd(g, nprev)];
        double u = unif(g);
        uint64_t step = mode <= PAGING_PAE ? 1ull << 22 : u < 0.4 ? 1ull << 21 : u < 0.8 ? 1ull << 30 : 1ull << 39;
        vaddr_t b = near + step * (1 + rnd(g, 64));
        if (mode <= PAGING_PAE)
            return (b % 0xf0000000ull) & 0xffc00000ull;
        return canon(b & ~((1ull << 21) - 1), va_bits_of(mode));
    }
    switch (mode) {
    case PAGING_32:
    case PAGING_PAE:
        return rnd(g, 0xf0000000ull >> 22) << 22;
    case PAGING_4LEVEL:
        return canon((chance(g, 0.3) ? 1ull << 47 : 0) | rnd(g, 1ull << 17) << 30, 48);
    default:
        return canon((chance(g, 0.3) ? 1ull << 56 : 0) | rnd(g, 1ull << 26) << 30, 57);
    }
}

static void build_region(sg_t *g, set_t *s, unsigned root, vaddr_t base, bool user, unsigned nmax)
{
    paging_mode_t mode = s->mode;
    ptbuild_t b = builder(g, mode, s->root[root]);
    unsigned n = 4 + (unsigned)rnd(g, nmax - 3);
    unsigned vbits = va_bits_of(mode);
    vaddr_t cursor = base;
    for (unsigned i = 0; i < n; i++) {
        unsigned shift = 12;
        if (mode >= PAGING_4LEVEL && chance(g, g->k.p_1g))
            shift = 30;
        else if (chance(g, g->k.p_large))
            shift = mode == PAGING_32 ? 22 : 21;
        uint64_t size = 1ull << shift;
        vaddr_t start = (cursor + size - 1) & ~(size - 1);
        if (chance(g, 0.15))
            start += size * (1 + rnd(g, 3));       /* a hole: not-present further down */
        vaddr_t end = start + size - 1;
        if (start < cursor || end < start ||
            (mode <= PAGING_PAE ? end > 0xffffffffull : !canonical(start, vbits) || !canonical(end, vbits)))
            break;
        cursor = start;
        paddr_t pa = data_frame(g, s, mode, shift);
        uint64_t flags = leaf_flags(g, mode, user, shift);
        paddr_t slot = ptb_entry_addr(&b, cursor, leaf_level_of(shift));
        if (slot && ptb_read_entry(&b, slot) != 0) {
            cursor += size;                       /* an earlier region maps it already */
            continue;
        }
        if (ptb_map(&b, cursor, pa, shift, flags, PTB_TABLE_FLAGS) == 0) {
            sg_leaf_t l = {.va = cursor, .pa = pa, .shift = shift, .mode = mode, .root = s->root[root],
                           .user = (flags & PTE_US) != 0};
            if (add_leaf(g, &l) < 0)
                return;
            s->nleaves++;
        }
        cursor += size;
    }
}

/* Table entries below the root get random flags (the builder gave them p+rw+us+a). */
static void randomize_tables(sg_t *g, const set_t *s, paddr_t table, int level, uint8_t *seen)
{
    paging_mode_t mode = s->mode;
    unsigned es = esize(mode);
    if (table < SG_FRAME_BASE || table >= SG_FRAME_LIMIT)
        return;
    uint64_t f = (table - SG_FRAME_BASE) >> 12;
    if (seen[f >> 3] & (1u << (f & 7)))
        return;
    seen[f >> 3] |= (uint8_t)(1u << (f & 7));
    unsigned n = 1u << lvl_bits(mode, level);
    for (unsigned i = 0; i < n; i++) {
        paddr_t ea = table + (paddr_t)i * es;
        uint64_t e = img_entry(g, ea, es);
        if (!e || level == 1)
            continue;
        bool ps = e & PTE_PS;
        if (ps && (level == 2 || (level == 3 && mode >= PAGING_4LEVEL)))
            continue;                               /* a large leaf */
        paddr_t next = mode == PAGING_32 ? e & 0xfffff000ull : e & ADDR8;
        if (mode == PAGING_PAE && level == 3) {
            if (chance(g, 0.1))
                e ^= chance(g, 0.5) ? PTE_PWT : PTE_PCD;   /* the only PDPTE flags that are not reserved */
        } else {
            e &= mode == PAGING_32 ? 0xfffff000ull : ADDR8;
            e |= PTE_P;
            if (chance(g, 0.95)) e |= PTE_RW;
            if (chance(g, 0.95)) e |= PTE_US;
            if (chance(g, 0.6)) e |= PTE_A;
            if (chance(g, 0.05)) e |= PTE_PWT;
            if (chance(g, 0.05)) e |= PTE_PCD;
            if (chance(g, 0.05)) e |= rnd(g, 8) << 9;
            if (mode != PAGING_32 && chance(g, 0.1 * g->k.p_xd)) e |= PTE_XD;
            if (mode >= PAGING_4LEVEL && chance(g, 0.05)) e |= rnd(g, 1ull << 11) << 52;
        }
        img_write(g, ea, es, e);
        randomize_tables(g, s, next, level - 1, seen);
    }
}

/* Entry addresses along va's path in the image, from the top down to the leaf
 * or the first empty / not-present entry. Returns the lowest level reached. */
static int img_path(const sg_t *g, paging_mode_t mode, paddr_t root, vaddr_t va, paddr_t ea[MAX_LEVELS + 1])
{
    unsigned es = esize(mode);
    paddr_t table = root;
    vaddr_t v = mode <= PAGING_PAE ? va & 0xffffffffull : va;
    for (int level = top_level(mode);; level--) {
        ea[level] = table + lvl_index(mode, level, v) * es;
        uint64_t e = img_entry(g, ea[level], es);
        if (level == 1 || !(e & PTE_P))
            return level;
        if ((e & PTE_PS) && (level == 2 || (level == 3 && mode >= PAGING_4LEVEL)))
            return level;
        table = mode == PAGING_32 ? e & 0xfffff000ull : e & ADDR8;
    }
}

/* A reserved bit for this entry's format (docs/semantics.md 2), or -1 if it has none. */
static int rsvd_bit(sg_t *g, paging_mode_t mode, int level, uint64_t e)
{
    int c[64], n = 0;
    bool ps = e & PTE_PS;
    unsigned M = g->M;
    if (mode == PAGING_32) {
        if (level == 2 && ps) {
            c[n++] = 21;
            for (unsigned b = M - 19; M < 40 && b <= 20; b++)
                c[n++] = (int)b;
        }
    } else if (mode == PAGING_PAE && level == 3) {
        static const int pdpte[] = {1, 2, 5, 6, 7, 8};
        for (int i = 0; i < 6; i++)
            c[n++] = pdpte[i];
        for (unsigned b = M; b <= 63; b++)
            c[n++] = (int)b;
    } else {
        for (unsigned b = M; b <= (mode == PAGING_PAE ? 62u : 51u); b++)
            c[n++] = (int)b;
        if (level >= 4)
            c[n++] = 7;
        if (ps && level == 3 && mode >= PAGING_4LEVEL)
            for (int b = 13; b <= 29; b++)
                c[n++] = b;
        if (ps && level == 2)
            for (int b = 13; b <= 20; b++)
                c[n++] = b;
    }
    return n ? c[rnd(g, (uint64_t)n)] : -1;
}

static const sg_leaf_t *random_leaf(sg_t *g, const set_t *s)
{
    return s->nleaves ? &g->leaves[s->first_leaf + rnd(g, s->nleaves)] : NULL;
}

/* Not-present entries and reserved bits: in leaves anywhere, and at random levels
 * of the victim region's paths (an upper-level entry takes a whole subtree along). */
static void damage(sg_t *g, const set_t *s)
{
    unsigned es = esize(s->mode);
    for (unsigned i = 0; i < g->k.n_np + g->k.n_rsvd; i++) {
        for (int tries = 0; tries < 8; tries++) {
            bool upper = s->victim_n && chance(g, 0.5);
            const sg_leaf_t *l = upper ? &g->leaves[s->victim_first + rnd(g, s->victim_n)] : random_leaf(g, s);
            if (!l)
                return;
            paddr_t ea[MAX_LEVELS + 1];
            int low = img_path(g, s->mode, l->root, l->va, ea);
            int top = top_level(s->mode);
            int level = upper ? low + (int)rnd(g, (uint64_t)(top - low + 1)) : low;
            uint64_t e = img_entry(g, ea[level], es);
            if (!(e & PTE_P))
                continue;
            if (i < g->k.n_np) {
                e &= ~PTE_P;
            } else {
                if (s->mode == PAGING_PAE && level == 3)
                    continue;             /* would make every CR3 load of this root #GP */
                int b = rsvd_bit(g, s->mode, level, e);
                if (b < 0)
                    continue;             /* 32-bit paging: only 4 MiB PDEs have reserved bits */
                e |= 1ull << b;
            }
            img_write(g, ea[level], es, e);
            break;
        }
    }
}

/* Shared tables: a free entry next to a path's entry at level L gets the same value. */
static void share_tables(sg_t *g, set_t *s)
{
    paging_mode_t mode = s->mode;
    unsigned es = esize(mode);
    size_t end = s->first_leaf + s->nleaves;
    for (unsigned i = 0; i < g->k.n_share; i++) {
        const sg_leaf_t *l = random_leaf(g, s);
        if (!l)
            return;
        sg_leaf_t v = *l;
        int top = top_level(mode);
        int lo = leaf_level_of(v.shift) > 2 ? leaf_level_of(v.shift) : 2;
        if (lo > top)
            continue;
        int L = lo + (int)rnd(g, (uint64_t)(top - lo + 1));
        unsigned sh = lvl_shift(mode, L), nb = lvl_bits(mode, L);
        uint64_t idx = lvl_index(mode, L, v.va);
        uint64_t nidx = (idx + 1 + rnd(g, (1ull << nb) - 1)) & ((1ull << nb) - 1);
        vaddr_t w = (v.va & ~(((1ull << nb) - 1) << sh)) | (nidx << sh);
        w = mode <= PAGING_PAE ? w & 0xffffffffull : canon(w, va_bits_of(mode));
        paddr_t ev[MAX_LEVELS + 1], ew[MAX_LEVELS + 1];
        if (img_path(g, mode, v.root, v.va, ev) > L)
            continue;
        int wl = img_path(g, mode, v.root, w, ew);
        if (wl != L || img_entry(g, ew[L], es) != 0)
            continue;                    /* the slot is in use */
        img_write(g, ew[L], es, img_entry(g, ev[L], es));
        /* every leaf below v's level-L entry is now reachable from w too */
        uint64_t span = 1ull << sh;
        for (size_t j = s->first_leaf; j < end; j++) {
            sg_leaf_t u = g->leaves[j];
            bool same = mode <= PAGING_PAE ? ((u.va ^ v.va) & 0xffffffffull) >> sh == 0 : (u.va ^ v.va) >> sh == 0;
            if (u.root != v.root || !same)
                continue;
            u.va = (w & ~(span - 1)) | (u.va & (span - 1));
            u.alias = true;
            if (add_leaf(g, &u) < 0)
                return;
            s->nleaves++;
        }
    }
}

static int build_set(sg_t *g, set_t *s, paging_mode_t mode)
{
    s->mode = mode;
    s->nroots = g->k.nroots;
    s->first_leaf = g->nleaves;
    for (unsigned r = 0; r < s->nroots; r++) {
        ptbuild_t b;
        if (ptb_init(&b, g->img, mode) < 0)
            return -1;
        s->root[r] = b.root;
    }
    vaddr_t bases[8];
    bool user[8];
    size_t first[8], count[8];
    unsigned nb = 0;
    for (unsigned i = 0; i < g->k.nregions; i++) {
        bases[nb] = region_base(g, mode, bases, nb);
        user[nb] = chance(g, 0.6);
        first[nb] = g->nleaves;
        build_region(g, s, 0, bases[nb], user[nb], 48);
        count[nb] = g->nleaves - first[nb];
        nb++;
    }
    unsigned es = esize(mode);
    int top = top_level(mode);
    for (unsigned r = 1; r < s->nroots; r++) {
        ptbuild_t b0 = builder(g, mode, s->root[0]), br = builder(g, mode, s->root[r]);
        for (unsigned i = 0; i < nb; i++) {
            if (!chance(g, 0.6)) {
                build_region(g, s, r, region_base(g, mode, bases, nb), chance(g, 0.6), 48);
                continue;
            }
            for (size_t j = first[i]; j < first[i] + count[i]; j++) {
                sg_leaf_t u = g->leaves[j];
                paddr_t from = ptb_entry_addr(&b0, u.va, top), to = ptb_entry_addr(&br, u.va, top);
                if (!from || !to)
                    continue;
                if (img_entry(g, to, es) == 0)
                    img_write(g, to, es, img_entry(g, from, es));
                else if (img_entry(g, to, es) != img_entry(g, from, es))
                    continue;
                u.root = s->root[r];
                if (add_leaf(g, &u) < 0)
                    return -1;
                s->nleaves++;
            }
        }
    }
    s->victim_first = g->nleaves;
    build_region(g, s, 0, region_base(g, mode, bases, nb), chance(g, 0.6), 12);
    s->victim_n = g->nleaves - s->victim_first;
    uint8_t seen[(SG_FRAME_LIMIT - SG_FRAME_BASE) >> 15] = {0};
    for (unsigned r = 0; r < s->nroots; r++)
        randomize_tables(g, s, s->root[r], top, seen);
    share_tables(g, s);
    damage(g, s);
    for (unsigned r = 0; r < s->nroots; r++) {
        s->by_root[r] = malloc((s->nleaves + 1) * sizeof *s->by_root[r]);
        if (!s->by_root[r])
            return -1;
        for (size_t j = s->first_leaf; j < s->first_leaf + s->nleaves; j++)
            if (g->leaves[j].root == s->root[r])
                s->by_root[r][s->nby_root[r]++] = j;
    }
    if (mode == PAGING_PAE) {
        paddr_t bad = physmem_alloc_frame(g->img);
        if (bad) {
            for (int i = 0; i < 4; i++)
                img_write(g, bad + 8u * (unsigned)i, 8, img_entry(g, s->root[0] + 8u * (unsigned)i, 8) | PTE_P);
            int i = (int)rnd(g, 4);
            int b = rsvd_bit(g, PAGING_PAE, 3, 0);
            img_write(g, bad + 8u * (unsigned)i, 8, img_entry(g, bad + 8u * (unsigned)i, 8) | 1ull << b);
            s->bad_root = bad;
        }
    }
    return 0;
}

/* ========================================================================= */
/* The shadow architecture                                                    */
/* ========================================================================= */

static paging_mode_t cpu_mode(const cpu_t *c)
{
    if (!(c->cr0 & CR0_PG))
        return PAGING_OFF;
    if (!(c->cr4 & CR4_PAE))
        return PAGING_32;
    if (!(c->efer & EFER_LME))
        return PAGING_PAE;
    return (c->cr4 & CR4_LA57) ? PAGING_5LEVEL : PAGING_4LEVEL;
}

static paging_mode_t mode_of(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
    cpu_t c = {.cr0 = cr0, .cr4 = cr4, .efer = efer};
    return cpu_mode(&c);
}

static bool cpu_lma(const cpu_t *c)
{
    return c->efer & EFER_LMA;
}

static uint16_t cpu_pcid(const cpu_t *c)
{
    return (c->cr4 & CR4_PCIDE) ? (uint16_t)(c->cr3 & 0xfff) : 0;
}

/* Top table of the current mode (PAE: the PDPT). */
static paddr_t cr3_table(const sg_t *g, paging_mode_t mode, uint64_t cr3)
{
    if (mode == PAGING_32)
        return cr3 & 0xfffff000ull;
    if (mode == PAGING_PAE)
        return cr3 & 0xffffffe0ull;
    return cr3 & bits(g->M - 1, 12);
}

static void cpu_arch(const sg_t *g, mmu_arch_t *a)
{
    memset(a, 0, sizeof *a);
    a->cr0 = g->cpu.cr0;
    a->cr3 = g->cpu.cr3;
    a->cr4 = g->cpu.cr4;
    a->efer = g->cpu.efer;
    memcpy(a->pdpte, g->cpu.pdpte, sizeof a->pdpte);
    a->mode = cpu_mode(&g->cpu);
    a->pcid = cpu_pcid(&g->cpu);
}

static uint64_t entry_rsvd(const sg_t *g, paging_mode_t mode, int level, uint64_t e)
{
    unsigned M = g->M;
    bool ps = e & PTE_PS;
    if (mode == PAGING_32) {
        if (level == 2 && ps && (g->cpu.cr4 & CR4_PSE))
            return bits(21, 21) | (M < 40 ? bits(20, M - 19) : 0);
        return 0;
    }
    uint64_t m = (g->cpu.efer & EFER_NXE) ? 0 : PTE_XD;
    if (mode == PAGING_PAE) {
        m |= bits(62, M);
        if (level == 2 && ps)
            m |= bits(20, 13);
        return m;
    }
    m |= bits(51, M);
    if (level >= 4)
        m |= PTE_PS;
    if (level == 3 && ps)
        m |= bits(29, 13);
    if (level == 2 && ps)
        m |= bits(20, 13);
    return m;
}

static uint64_t pdpte_rsvd(const sg_t *g)
{
    return bits(2, 1) | bits(8, 5) | bits(63, g->M);
}

/* The four PDPTE registers as a load at cr3 would read them; false if one faults. */
static bool pdpte_load(const sg_t *g, uint64_t cr3, uint64_t out[4])
{
    bool ok = true;
    for (unsigned i = 0; i < 4; i++) {
        out[i] = mem_entry(g, (cr3 & 0xffffffe0ull) + 8 * i, 8);
        if ((out[i] & PTE_P) && (out[i] & pdpte_rsvd(g)))
            ok = false;
    }
    return ok;
}

typedef struct {
    int fault;                   /* COV_F_* */
    uint32_t ec;
    paddr_t pa;
    unsigned shift;
    bool leaf_ok;                /* the walk reached a leaf with no not-present or reserved entry */
} pred_t;

/* docs/semantics.md sections 1-4 for the current shadow state, tables read from mem. */
static void shadow_translate(const sg_t *g, const mmu_req_t *r, pred_t *out)
{
    const cpu_t *c = &g->cpu;
    paging_mode_t mode = cpu_mode(c);
    memset(out, 0, sizeof *out);
    if (mode == PAGING_OFF) {
        out->pa = r->va & 0xffffffffull;
        out->leaf_ok = true;
        return;
    }
    if (mode >= PAGING_4LEVEL && !canonical(r->va, va_bits_of(mode))) {
        out->fault = COV_F_GP;
        return;
    }
    bool user = r->cpl == 3 && !r->implicit;
    bool nxe = c->efer & EFER_NXE;
    uint32_t ec = (r->access == ACC_WRITE ? PFEC_W : 0) | (user ? PFEC_U : 0) |
                  (r->access == ACC_EXEC && ((c->cr4 & CR4_SMEP) || ((c->cr4 & CR4_PAE) && nxe)) ? PFEC_I : 0);
    vaddr_t va = mode <= PAGING_PAE ? r->va & 0xffffffffull : r->va;
    unsigned es = esize(mode);
    bool rw = true, us = true, xd = false;
    int level;
    paddr_t table;
    uint64_t e = 0;
    if (mode == PAGING_PAE) {
        uint64_t pdpte = c->pdpte[(va >> 30) & 3];
        if (!(pdpte & PTE_P)) {
            out->fault = COV_F_NP;
            out->ec = ec;
            return;
        }
        table = pdpte & ADDR8;
        level = 2;
    } else {
        table = cr3_table(g, mode, c->cr3);
        level = top_level(mode);
    }
    for (;;) {
        e = mem_entry(g, table + lvl_index(mode, level, va) * es, es);
        if (!(e & PTE_P)) {
            out->fault = COV_F_NP;
            out->ec = ec;
            return;
        }
        if (e & entry_rsvd(g, mode, level, e)) {
            out->fault = COV_F_RSVD;
            out->ec = ec | PFEC_P | PFEC_RSVD;
            return;
        }
        rw = rw && (e & PTE_RW);
        us = us && (e & PTE_US);
        xd = xd || (es == 8 && (e & PTE_XD));
        bool leaf = level == 1 || ((e & PTE_PS) && ((level == 2 && (mode != PAGING_32 || (c->cr4 & CR4_PSE))) ||
                                                    (level == 3 && mode >= PAGING_4LEVEL)));
        if (leaf)
            break;
        table = mode == PAGING_32 ? e & 0xfffff000ull : e & ADDR8;
        level--;
    }
    unsigned shift = level == 1 ? 12 : level == 2 ? (mode == PAGING_32 ? 22 : 21) : 30;
    paddr_t base;
    if (mode == PAGING_32)
        base = shift == 22 ? (e & 0xffc00000ull) | (((e >> 13) & 0xffull) << 32) : e & 0xfffff000ull;
    else
        base = e & ADDR8 & ~((1ull << shift) - 1);
    out->pa = base | (va & ((1ull << shift) - 1));
    out->shift = shift;
    out->leaf_ok = true;

    bool smap = c->cr4 & CR4_SMAP, smep = c->cr4 & CR4_SMEP, wp = c->cr0 & CR0_WP;
    bool nx = xd && nxe, viol;
    if (user)
        viol = !us || (r->access == ACC_WRITE && !rw) || (r->access == ACC_EXEC && nx);
    else if (r->access == ACC_EXEC)
        viol = (us && smep) || nx;
    else
        viol = (r->access == ACC_WRITE && !rw && wp) || (us && smap && (r->implicit || !r->ac));
    if (viol) {
        out->fault = COV_F_RIGHTS;
        out->ec = ec | PFEC_P;
    }
}

/* docs/semantics.md sections 7-8: the expected result of a control operation; applies
 * it to the shadow when it succeeds and says what it invalidates. */
static mmu_fault_t shadow_ctrl(sg_t *g, const mmu_ctrl_t *op, tflush_t *fl, uint16_t *fl_pcid)
{
    cpu_t *c = &g->cpu;
    bool lma = cpu_lma(c), pcide = c->cr4 & CR4_PCIDE;
    uint64_t v = op->value, regs[4];
    *fl = TF_NONE;
    *fl_pcid = 0;
    switch (op->kind) {
    case CTRL_CR0: {
        uint64_t old = c->cr0;
        bool pg = v & CR0_PG, opg = old & CR0_PG;
        if ((v >> 32) || (pg && !(v & CR0_PE)) || (pg && !opg && (c->efer & EFER_LME) && !(c->cr4 & CR4_PAE)) ||
            (!pg && opg && pcide))
            return FAULT_GP;
        bool load = mode_of(v, c->cr4, c->efer) == PAGING_PAE && ((v ^ old) & (CR0_PG | CR0_CD | CR0_NW));
        if (load && !pdpte_load(g, c->cr3, regs))
            return FAULT_GP;
        if (load)
            memcpy(c->pdpte, regs, sizeof regs);
        c->cr0 = v;
        c->efer = (c->efer & ~EFER_LMA) | (pg && (c->efer & EFER_LME) ? EFER_LMA : 0);
        if (opg && !pg)
            *fl = TF_ALL;
        return FAULT_NONE;
    }
    case CTRL_CR3: {
        bool noflush = false;
        if (lma) {
            if (pcide) {
                noflush = v & CR3_NOFLUSH;
                v &= ~CR3_NOFLUSH;
            }
            if (v & bits(63, g->M))
                return FAULT_GP;
        } else {
            v &= 0xffffffffull;
        }
        if (cpu_mode(c) == PAGING_PAE) {
            if (!pdpte_load(g, v, regs))
                return FAULT_GP;
            memcpy(c->pdpte, regs, sizeof regs);
        }
        c->cr3 = v;
        if (!pcide) {
            *fl = TF_NONGLOBAL;
        } else if (!noflush) {
            *fl = TF_PCID;
            *fl_pcid = (uint16_t)(v & 0xfff);
        }
        return FAULT_NONE;
    }
    case CTRL_CR4: {
        uint64_t old = c->cr4, changed = v ^ old;
        if ((v >> 32) || (v & CR4_BAD) || (lma && (!(v & CR4_PAE) || (changed & CR4_LA57))) ||
            ((v & CR4_PCIDE) && !lma) || ((v & CR4_PCIDE) && !(old & CR4_PCIDE) && (c->cr3 & 0xfff)))
            return FAULT_GP;
        bool load = mode_of(c->cr0, v, c->efer) == PAGING_PAE &&
                    (changed & (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP));
        if (load && !pdpte_load(g, c->cr3, regs))
            return FAULT_GP;
        if (load)
            memcpy(c->pdpte, regs, sizeof regs);
        uint16_t old_pcid = cpu_pcid(c);
        c->cr4 = v;
        if ((changed & CR4_PGE) || ((old & CR4_PCIDE) && !(v & CR4_PCIDE))) {
            *fl = TF_ALL;
        } else if ((changed & CR4_PAE) || ((v & CR4_SMEP) && !(old & CR4_SMEP))) {
            *fl = TF_PCID;       /* global entries of that PCID too: kept as possibly stale (conservative) */
            *fl_pcid = old_pcid;
        }
        return FAULT_NONE;
    }
    case CTRL_EFER:
        if ((v & ~EFER_KNOWN) || ((c->cr0 & CR0_PG) && ((v ^ c->efer) & EFER_LME)))
            return FAULT_GP;
        c->efer = (v & ~EFER_LMA) | ((v & EFER_LME) && (c->cr0 & CR0_PG) ? EFER_LMA : 0);
        return FAULT_NONE;
    case CTRL_INVLPG:
        return FAULT_NONE;   /* by address: the staleness tracking ignores it */
    case CTRL_INVPCID:
        if (op->invpcid_type > 3 || op->pcid > 0xfff ||
            (op->invpcid_type == 0 && lma && !canonical(op->va, (c->cr4 & CR4_LA57) ? 57 : 48)) ||
            (op->invpcid_type <= 1 && !pcide && op->pcid != 0))
            return FAULT_GP;
        if (op->invpcid_type == 1) {
            *fl = TF_PCID;
            *fl_pcid = (uint16_t)op->pcid;
        } else if (op->invpcid_type == 2) {
            *fl = TF_ALL;
        } else if (op->invpcid_type == 3) {
            *fl = TF_NONGLOBAL;
        }
        return FAULT_NONE;
    }
    return FAULT_GP;
}

/* --- staleness: which cached entries could disagree with the tables ----------- */

static void full_flush(sg_t *g)
{
    memset(g->tk, 0, TK_SLOTS * sizeof *g->tk);
    g->tk_used = 0;
    g->remapped = false;
    g->nctx = 0;
    g->overflow = false;
}

static uint64_t tk_key(unsigned tag, unsigned gsh, uint64_t vpn)
{
    return (vpn << 19) | ((uint64_t)gsh << 13) | tag;   /* gsh >= 12: never 0 */
}

static unsigned tk_tag(uint64_t key)
{
    return (unsigned)(key & 0x1fff);
}

/* The slot of key, created if asked (NULL when absent, or the table is too full). */
static tk_slot_t *tk_slot(sg_t *g, uint64_t key, bool create)
{
    uint64_t h = key * 0x9e3779b97f4a7c15ull;
    for (unsigned i = 0, at = (unsigned)(h >> 50) & (TK_SLOTS - 1); i < TK_SLOTS; i++, at = (at + 1) & (TK_SLOTS - 1)) {
        tk_slot_t *t = &g->tk[at];
        if (t->key == key)
            return t;
        if (t->key == 0) {
            if (!create || g->tk_used >= TK_SLOTS * 3 / 4)
                return NULL;
            t->key = key;
            g->tk_used++;
            return t;
        }
    }
    return NULL;
}

static void apply_flush(sg_t *g, tflush_t fl, uint16_t pcid)
{
    if (fl == TF_ALL) {
        full_flush(g);
        return;
    }
    if (fl == TF_NONE)
        return;
    for (unsigned i = 0; i < TK_SLOTS; i++) {
        unsigned tag = tk_tag(g->tk[i].key);
        if (g->tk[i].key && tag != TK_GLOBAL && (fl == TF_NONGLOBAL || tag == pcid))
            g->tk[i].mask = 0;
    }
}

/* The current translation context (mode, tables, PSE), or -1 if there are too many. */
static int ctx_index(sg_t *g)
{
    paging_mode_t mode = cpu_mode(&g->cpu);
    ctxkey_t k = {.mode = mode, .base = cr3_table(g, mode, g->cpu.cr3),
                  .pse = mode == PAGING_32 && (g->cpu.cr4 & CR4_PSE)};
    for (unsigned i = 0; i < g->nctx; i++)
        if (g->ctx[i].mode == k.mode && g->ctx[i].base == k.base && g->ctx[i].pse == k.pse)
            return (int)i;
    if (g->nctx == MAX_CTX) {
        g->overflow = true;
        return -1;
    }
    g->ctx[g->nctx] = k;
    return (int)g->nctx++;
}

/* Decides whether the access can be PA-checked (no TLB or PWC entry that another
 * context filled can serve it, and no table was remapped), then records what it may fill. */
static bool note_access(sg_t *g, vaddr_t va)
{
    static const unsigned granules[] = {12, 21, 22, 30, 39, 48};
    paging_mode_t mode = cpu_mode(&g->cpu);
    if (mode == PAGING_OFF)
        return false;
    int ci = ctx_index(g);
    if (ci < 0)
        return false;
    uint64_t bit = 1ull << ci;
    vaddr_t vu = mode <= PAGING_PAE ? va & 0xffffffffull : va & ((1ull << 57) - 1);
    unsigned pcid = cpu_pcid(&g->cpu);
    bool pge = g->cpu.cr4 & CR4_PGE;
    bool ok = !g->remapped && !g->overflow;
    for (unsigned i = 0; i < sizeof granules / sizeof granules[0]; i++) {
        unsigned gsh = granules[i];
        tk_slot_t *t = tk_slot(g, tk_key(pcid, gsh, vu >> gsh), true);
        if (!t) {
            g->overflow = true;
            return false;
        }
        ok = ok && !(t->mask & ~bit);
        t->mask |= bit;
        if (gsh > 30)
            continue;                            /* global entries are TLB entries only */
        t = tk_slot(g, tk_key(TK_GLOBAL, gsh, vu >> gsh), pge);
        if (!t && pge) {
            g->overflow = true;
            return false;
        }
        if (t) {
            ok = ok && !(t->mask & ~bit);
            if (pge)
                t->mask |= bit;
        }
    }
    return ok;
}

/* ========================================================================= */
/* Digest                                                                     */
/* ========================================================================= */

#define FNV_INIT 0xcbf29ce484222325ull

static uint64_t fnv(uint64_t h, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= 0x100000001b3ull;
    }
    return h;
}

typedef struct {
    uint64_t seq, va, access, cpl, ac, implicit, port, fault, ec, pa, cr2, issue, accept, complete, tlb, pwc, shift,
        walked, assist, reads, writes;
} dig_access_t;

static uint64_t digest_access(uint64_t h, const dig_access_t *d)
{
    const uint64_t *f = &d->seq;
    h = fnv(h, 'A');
    for (size_t i = 0; i < sizeof *d / sizeof *f; i++)
        h = fnv(h, f[i]);
    return h;
}

typedef struct {
    uint64_t kind, seq, value, va, type, pcid, fault, issue, accept, complete, reads, tlb_inv, pwc_inv;
} dig_ctrl_t;

static uint64_t digest_ctrl(uint64_t h, const dig_ctrl_t *d)
{
    const uint64_t *f = &d->kind;
    h = fnv(h, 'C');
    for (size_t i = 0; i < sizeof *d / sizeof *f; i++)
        h = fnv(h, f[i]);
    return h;
}

static void dig_from_result(dig_access_t *d, const mmu_req_t *q, const mmu_result_t *r)
{
    *d = (dig_access_t){
        .seq = r->seq, .va = r->va, .access = r->access, .cpl = r->cpl, .ac = q->ac, .implicit = q->implicit,
        .port = r->port, .fault = r->fault, .ec = r->error_code, .pa = r->fault == FAULT_NONE ? r->pa : 0,
        .cr2 = r->cr2, .issue = r->issue_cycle, .accept = r->accept_cycle, .complete = r->complete_cycle,
        .tlb = r->tlb_hit, .pwc = r->pwc_hit, .shift = r->page_shift, .walked = r->walked,
        .assist = r->dirty_assist, .reads = r->mem_reads, .writes = r->mem_writes,
    };
}

static void dig_from_ctrl(dig_ctrl_t *d, uint64_t seq, const mmu_ctrl_t *op, const mmu_ctrl_result_t *r)
{
    *d = (dig_ctrl_t){
        .kind = op->kind, .seq = seq, .fault = r->fault, .issue = r->issue_cycle, .accept = r->accept_cycle,
        .complete = r->complete_cycle, .reads = r->mem_reads, .tlb_inv = r->tlb_invalidated,
        .pwc_inv = r->pwc_invalidated,
    };
    if (op->kind == CTRL_INVLPG) {
        d->va = op->va;
    } else if (op->kind == CTRL_INVPCID) {
        d->type = op->invpcid_type;
        d->pcid = op->pcid;
        d->va = op->va;
    } else {
        d->value = op->value;
    }
}

/* --- JSONL (the script interpreter's output, sim/core/record.h) ------------------- */

static int digest_record_line(const char *line, uint64_t *h)
{
    record_t rec;
    if (record_parse(line, &rec) != 0)
        return -1;
    if (rec.kind == RECORD_CTRL) {
        dig_ctrl_t d;
        dig_from_ctrl(&d, rec.seq, &rec.op, &rec.cres);
        *h = digest_ctrl(*h, &d);
    } else {
        dig_access_t d;
        dig_from_result(&d, &rec.req, &rec.res);
        *h = digest_access(*h, &d);
    }
    return 0;
}

int sg_digest_jsonl(FILE *in, uint64_t *digest, char *err, size_t errlen)
{
    char *line = NULL;
    size_t cap = 0;
    uint64_t h = FNV_INIT, n = 0;
    int rc = 0;
    while (getline(&line, &cap, in) >= 0) {
        n++;
        if (digest_record_line(line, &h) < 0) {
            snprintf(err, errlen, "JSONL line %" PRIu64 ": not a result object the digest knows", n);
            rc = -1;
            break;
        }
    }
    free(line);
    *digest = h;
    return rc;
}

int sg_replay(const char *log, size_t len, backend_kind_t backend, uint64_t *digest, char *err, size_t errlen)
{
    const char *tmpdir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/mmulab-replay-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(err, errlen, "replay: cannot create a temporary file in %s: %s",
                 tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
        return -1;
    }
    close(fd);
    FILE *in = fmemopen((void *)log, len, "r");
    FILE *out = fopen("/dev/null", "w");
    char *ebuf = NULL;
    size_t elen = 0;
    FILE *ef = open_memstream(&ebuf, &elen);
    int rc = -1;
    if (!in || !out || !ef) {
        snprintf(err, errlen, "replay: cannot open streams: %s", strerror(errno));
    } else {
        mmu_config_t base;
        config_defaults(&base);
        script_opts_t so = {.path = "log", .base = &base, .jsonl_path = path, .backend = backend, .out = out,
                            .err = ef};
        int src = script_run_stream(&so, in, "log");
        fflush(ef);
        if (src != 0) {
            int n = (int)(elen && ebuf[elen - 1] == '\n' ? elen - 1 : elen);
            snprintf(err, errlen, "replay through the script interpreter failed: %.*s", n, ebuf ? ebuf : "");
        } else {
            FILE *j = fopen(path, "r");
            if (!j)
                snprintf(err, errlen, "replay: cannot read %s: %s", path, strerror(errno));
            else {
                rc = sg_digest_jsonl(j, digest, err, errlen);
                fclose(j);
            }
        }
    }
    if (in)
        fclose(in);
    if (out)
        fclose(out);
    if (ef)
        fclose(ef);
    free(ebuf);
    unlink(path);
    return rc;
}

/* ========================================================================= */
/* Running the stream                                                         */
/* ========================================================================= */

static const set_t *cur_set(const sg_t *g)
{
    paging_mode_t mode = cpu_mode(&g->cpu);
    for (unsigned i = 0; i < g->nsets; i++)
        if (g->set[i].mode == mode)
            return &g->set[i];
    return NULL;
}

/* The current address space's top table if it is one of the set's roots, else root 0. */
static paddr_t cur_root(const sg_t *g, const set_t *s)
{
    paddr_t t = cr3_table(g, s->mode, g->cpu.cr3);
    for (unsigned i = 0; i < s->nroots; i++)
        if (s->root[i] == t)
            return t;
    return s->root[0];
}

static void describe_result(const mmu_result_t *r, char *buf, size_t len)
{
    const char *sz = r->page_shift ? names_size(r->page_shift) : "-";
    if (r->fault == FAULT_NONE)
        snprintf(buf, len, "pa=0x%" PRIx64 " %s tlb=%s pwc=%u walked=%d", r->pa, sz, names_tlb(r->tlb_hit),
                 (unsigned)r->pwc_hit, r->walked);
    else if (r->fault == FAULT_PF)
        snprintf(buf, len, "#PF ec=0x%x tlb=%s pwc=%u walked=%d", (unsigned)r->error_code, names_tlb(r->tlb_hit),
                 (unsigned)r->pwc_hit, r->walked);
    else
        snprintf(buf, len, "#GP");
}

static void describe_pred(const pred_t *p, char *buf, size_t len)
{
    static const char *const fk[] = {"ok", "#PF not present", "#PF reserved", "#PF rights", "#GP"};
    if (p->fault == COV_F_NONE)
        snprintf(buf, len, "pa=0x%" PRIx64 " (page shift %u)", p->pa, p->shift);
    else if (p->fault == COV_F_GP)
        snprintf(buf, len, "#GP");
    else
        snprintf(buf, len, "%s ec=0x%x", fk[p->fault], (unsigned)p->ec);
}

/* Checks one translation result against the shadow (the state is the one it ran in). */
static void check_access(sg_t *g, const pend_t *p)
{
    const mmu_result_t *r = &p->res;
    paging_mode_t mode = cpu_mode(&g->cpu);
    pred_t pr;
    char got[160], want[160];
    shadow_translate(g, &p->req, &pr);
    describe_result(r, got, sizeof got);
    describe_pred(&pr, want, sizeof want);
    const char *what = names_access(p->req.access);
    if (mode == PAGING_OFF) {
        g->rep->checks++;
        if (r->fault != FAULT_NONE || r->pa != pr.pa || r->page_shift != 0 || r->tlb_hit != TLB_HIT_NONE)
            failf(g, p->line, "access #%" PRIu64 " va=0x%" PRIx64 " %s with paging off: got %s, expected pa=0x%" PRIx64,
                  r->seq, p->req.va, what, got, pr.pa);
        return;
    }
    if (pr.fault == COV_F_GP || r->fault == FAULT_GP) {
        g->rep->checks++;
        if (pr.fault != COV_F_GP || r->fault != FAULT_GP)
            failf(g, p->line, "access #%" PRIu64 " va=0x%" PRIx64 " %s: got %s, the shadow expects %s (canonical check)",
                  r->seq, p->req.va, what, got, want);
        return;
    }
    if (r->walked && r->pwc_hit == 0) {
        /* a walk from the top reads every entry from memory: nothing can be stale */
        g->rep->checks++;
        g->rep->walk_checks++;
        int fk = cov_fault_kind(r);
        bool same = fk == pr.fault && (fk == COV_F_NONE ? r->pa == pr.pa && r->page_shift == pr.shift
                                                        : r->error_code == pr.ec);
        if (!same)
            failf(g, p->line, "access #%" PRIu64 " va=0x%" PRIx64 " %s cpl%u%s%s: a walk with no PWC hit gave %s, "
                  "the shadow walk of the tables gives %s", r->seq, p->req.va, what, (unsigned)p->req.cpl,
                  p->req.ac ? " ac" : "", p->req.implicit ? " implicit" : "", got, want);
        return;
    }
    if (r->fault == FAULT_NONE && p->stale_free && pr.leaf_ok) {
        g->rep->checks++;
        g->rep->pa_checks++;
        if (r->pa != pr.pa || r->page_shift != pr.shift)
            failf(g, p->line, "access #%" PRIu64 " va=0x%" PRIx64 " %s: got %s although no stale entry can exist; "
                  "the tables map it to %s", r->seq, p->req.va, what, got, want);
    }
}

/* Completes everything queued; digests, bins and checks the results in order. */
static void do_sync(sg_t *g)
{
    if (backend_sync(g->be) != 0)
        failf(g, g->line, "the %s backend reported a divergence at this synchronisation (details on stderr)",
              backend_kind_name(g->be->kind));
    paging_mode_t mode = cpu_mode(&g->cpu);
    for (size_t i = 0; i < g->npend && !g->failed; i++) {
        const pend_t *p = &g->pend[i];
        dig_access_t d;
        dig_from_result(&d, &p->req, &p->res);
        g->digest = digest_access(g->digest, &d);
        if (g->cov)
            cov_add_access(g->cov, mode, &p->res);
        check_access(g, p);
    }
    g->npend = 0;
    g->base = backend_horizon(g->be);
    g->rel = 0;
}

static void op_sync(sg_t *g)
{
    emit(g, "sync");
    g->rep->syncs++;
    do_sync(g);
}

static bool arch_equal(const mmu_arch_t *a, const mmu_arch_t *b)
{
    return a->cr0 == b->cr0 && a->cr3 == b->cr3 && a->cr4 == b->cr4 && a->efer == b->efer && a->mode == b->mode &&
           a->pcid == b->pcid && (a->mode != PAGING_PAE || memcmp(a->pdpte, b->pdpte, sizeof a->pdpte) == 0);
}

/* One control operation: log line `text`, run, check #GP and the registers. */
static void do_ctrl(sg_t *g, mmu_ctrl_t op, const char *text)
{
    if (g->failed)
        return;
    bool pending = g->npend > 0;
    if (pending)
        do_sync(g);                       /* what the interpreter does before a control operation */
    if (!pending && chance(g, 0.3)) {
        uint64_t n = rnd(g, 6);
        op.issue_cycle = g->base + n;
        emit(g, "%s @+%" PRIu64, text, n);
    } else {
        op.issue_cycle = g->base;
        emit(g, "%s", text);
    }
    uint64_t line = g->line;
    if (g->failed)
        return;
    mmu_arch_t before, after, want_arch;
    cpu_arch(g, &before);
    tflush_t fl;
    uint16_t fl_pcid;
    mmu_fault_t want = shadow_ctrl(g, &op, &fl, &fl_pcid);
    /* a CR4.PAE toggle under paging walks 8-byte tables as 4-byte ones: the walker may then
     * set A/D in the upper half of an 8-byte word (the end-of-run check allows it) */
    g->any_32bit = g->any_32bit || cpu_mode(&g->cpu) == PAGING_32;
    mmu_ctrl_result_t res;
    g->rep->ctrl_ops++;
    g->rep->ops++;
    if (backend_control(g->be, &op, &res) != 0) {
        failf(g, line, "%s: the %s backend rejected the operation or reported a divergence", text,
              backend_kind_name(g->be->kind));
        return;
    }
    dig_ctrl_t d;
    dig_from_ctrl(&d, g->nctrl++, &op, &res);
    g->digest = digest_ctrl(g->digest, &d);
    if (g->cov)
        cov_add_ctrl(g->cov, &before, &op, &res);
    g->rep->checks += 2;
    if (res.fault != want) {
        failf(g, line, "%s: got %s, the shadow expects %s", text, res.fault == FAULT_GP ? "#GP" : "ok",
              want == FAULT_GP ? "#GP" : "ok");
        return;
    }
    backend_arch_state(g->be, &after);
    cpu_arch(g, &want_arch);
    if (!arch_equal(&after, &want_arch)) {
        failf(g, line, "%s: registers after it cr0=0x%" PRIx64 " cr3=0x%" PRIx64 " cr4=0x%" PRIx64 " efer=0x%" PRIx64
              " mode %d pcid 0x%x, the shadow has cr0=0x%" PRIx64 " cr3=0x%" PRIx64 " cr4=0x%" PRIx64
              " efer=0x%" PRIx64 " mode %d pcid 0x%x", text, after.cr0, after.cr3, after.cr4, after.efer,
              (int)after.mode, (unsigned)after.pcid, want_arch.cr0, want_arch.cr3, want_arch.cr4, want_arch.efer,
              (int)want_arch.mode, (unsigned)want_arch.pcid);
        return;
    }
    apply_flush(g, fl, fl_pcid);
    g->base = backend_horizon(g->be);
    g->rel = 0;
}

static void write_cr(sg_t *g, mmu_ctrl_kind_t kind, uint64_t v)
{
    char text[64];
    snprintf(text, sizeof text, "%s 0x%" PRIx64, names_ctrl(kind), v);
    mmu_ctrl_t op = {.kind = kind, .value = v};
    do_ctrl(g, op, text);
}

static void invlpg(sg_t *g, vaddr_t va)
{
    char text[64];
    snprintf(text, sizeof text, "invlpg 0x%" PRIx64, va);
    mmu_ctrl_t op = {.kind = CTRL_INVLPG, .va = va};
    do_ctrl(g, op, text);
}

static void invpcid(sg_t *g, unsigned type, uint64_t pcid, vaddr_t va)
{
    char text[96];
    snprintf(text, sizeof text, "invpcid %u 0x%" PRIx64 " 0x%" PRIx64, type, pcid, va);
    mmu_ctrl_t op = {.kind = CTRL_INVPCID, .invpcid_type = type, .pcid = pcid, .va = va};
    do_ctrl(g, op, text);
}

/* --- address selection -------------------------------------------------------- */

static void ring_push(sg_t *g, vaddr_t va, paddr_t root, bool user)
{
    g->ring[g->ring_pos].va = va;
    g->ring[g->ring_pos].root = root;
    g->ring[g->ring_pos].user = user;
    g->ring_pos = (g->ring_pos + 1) % RING;
    if (g->nring < RING)
        g->nring++;
}

/* The current top table as the set's builder sees it (0 with paging off). */
static paddr_t cur_table(const sg_t *g)
{
    paging_mode_t mode = cpu_mode(&g->cpu);
    return mode == PAGING_OFF ? 0 : cr3_table(g, mode, g->cpu.cr3);
}

/* A leaf of the current address space when possible. */
static const sg_leaf_t *pick_leaf(sg_t *g)
{
    const set_t *s = cur_set(g);
    if (!s)
        s = &g->set[rnd(g, g->nsets)];
    if (!s->nleaves)
        return NULL;
    paddr_t root = cur_root(g, s);
    for (unsigned r = 0; r < s->nroots; r++)
        if (s->root[r] == root && s->nby_root[r])
            return &g->leaves[s->by_root[r][rnd(g, s->nby_root[r])]];
    return random_leaf(g, s);
}

static vaddr_t in_leaf(sg_t *g, const sg_leaf_t *l)
{
    return l->va + rnd(g, 1ull << l->shift);
}

static vaddr_t wild_va(sg_t *g)
{
    paging_mode_t mode = cpu_mode(&g->cpu);
    const sg_leaf_t *l = pick_leaf(g);
    unsigned vb = va_bits_of(mode == PAGING_OFF ? PAGING_32 : mode);
    switch (rnd(g, 5)) {
    case 0:
        if (l)
            return canon(l->va + (1 + rnd(g, 8)) * (1ull << l->shift) + rnd(g, 4096), vb);
        /* fall through */
    case 1:
        return vb == 32 ? rnd(g, 1ull << 32) : canon(rng_next(&g->rng), vb);
    case 2:
        if (vb == 32)   /* bits 63:32 are ignored in 32-bit and PAE paging */
            return (rng_next(&g->rng) << 32) | (l ? in_leaf(g, l) & 0xffffffffull : rnd(g, 1ull << 32));
        return (l ? in_leaf(g, l) : 0) ^ (1ull << (vb + rnd(g, 64 - vb)));    /* non-canonical */
    case 3: {
        const set_t *s = &g->set[rnd(g, g->nsets)];
        const sg_leaf_t *o = random_leaf(g, s);
        return o ? in_leaf(g, o) : 0;
    }
    default: {
        static const vaddr_t edges[] = {0, 0xfff, 0x7ffffffff000ull, 0xffff800000000000ull, 0xfffffffffffff000ull,
                                        0x00fffffffffff000ull, 0xff00000000000000ull, 0xfffff000ull};
        return edges[rnd(g, sizeof edges / sizeof edges[0])];
    }
    }
}

/* A translation address: recently used in this address space (hits), a leaf of it,
 * or a wild one (unmapped, another space, non-canonical, ignored high bits). *user
 * says whether it was mapped for user mode. */
static vaddr_t pick_va(sg_t *g, bool *user)
{
    double u = unif(g);
    paddr_t root = cur_table(g);
    if (g->nring && u < g->k.p_hot) {
        unsigned match[RING], n = 0;
        for (unsigned i = 0; i < g->nring; i++)
            if (g->ring[i].root == root)
                match[n++] = i;
        if (n) {
            unsigned i = match[rnd(g, n)];
            vaddr_t va = g->ring[i].va;
            *user = g->ring[i].user;
            if (chance(g, 0.5))
                va = (va & ~0xfffull) | rnd(g, 4096);
            return va;
        }
    }
    if (u < g->k.p_hot + g->k.p_wild) {
        vaddr_t va = wild_va(g);
        *user = chance(g, 0.5);
        if (chance(g, 0.1))
            ring_push(g, va, root, *user);   /* faults fill nothing: keep the hot set mostly mapped */
        return va;
    }
    const sg_leaf_t *l = pick_leaf(g);
    if (!l) {
        *user = false;
        return rnd(g, 1ull << 32);
    }
    vaddr_t va = in_leaf(g, l);
    *user = l->user;
    ring_push(g, va, root, *user);
    return va;
}

/* --- operations ---------------------------------------------------------------- */

static void op_access(sg_t *g, uint64_t budget)
{
    uint64_t n = 1 + rnd(g, g->k.max_burst);
    if (n > budget)
        n = budget;
    g->rel += chance(g, 0.5) ? rnd(g, 4) : chance(g, 0.6) ? 4 + rnd(g, 40) : 40 + rnd(g, 300);
    for (uint64_t i = 0; i < n && !g->failed; i++) {
        if (g->npend == PEND_MAX)
            op_sync(g);            /* the backend holds pointers to the pending results: never move them */
        if (i)
            g->rel += chance(g, 0.8) ? rnd(g, 3) : rnd(g, 30);
        mmu_req_t req = {0};
        bool user;
        req.va = pick_va(g, &user);
        double u = unif(g);
        req.access = u < g->k.r_read ? ACC_READ : u < g->k.r_read + g->k.r_write ? ACC_WRITE : ACC_EXEC;
        if (user == chance(g, g->k.p_mismatch))
            req.cpl = chance(g, 0.1) ? (uint8_t)(1 + rnd(g, 2)) : 0;
        else
            req.cpl = 3;
        req.ac = chance(g, g->k.p_ac);
        req.implicit = req.access != ACC_EXEC && chance(g, g->k.p_implicit);
        req.issue_cycle = g->base + g->rel;
        char priv[8];
        if (req.cpl == 3 || req.cpl == 0)
            snprintf(priv, sizeof priv, "%s", req.cpl ? "user" : "sup");
        else
            snprintf(priv, sizeof priv, "cpl=%u", (unsigned)req.cpl);
        emit(g, "access 0x%" PRIx64 " %s %s%s%s @+%" PRIu64, req.va, names_access(req.access), priv,
             req.ac ? " ac" : "", req.implicit ? " implicit" : "", g->rel);
        pend_t *p = &g->pend[g->npend];
        memset(p, 0, sizeof *p);
        p->req = req;
        p->line = g->line;
        p->stale_free = note_access(g, req.va);
        g->rep->accesses++;
        g->rep->ops++;
        if (backend_submit(g->be, &req, &p->res) != 0) {
            failf(g, g->line, "the %s backend rejected the access issued at cycle %" PRIu64 " (horizon %" PRIu64 ")",
                  backend_kind_name(g->be->kind), req.issue_cycle, backend_horizon(g->be));
            return;
        }
        g->npend++;
    }
}

static const set_t *target_set(sg_t *g)
{
    const set_t *s = cur_set(g);
    return s ? s : &g->set[g->target_set < g->nsets ? g->target_set : 0];
}

static void op_cr3(sg_t *g)
{
    const set_t *s = target_set(g);
    paging_mode_t mode = cpu_mode(&g->cpu);
    uint64_t v;
    if (g->cpu.cr4 & CR4_PCIDE) {
        unsigned i = (unsigned)rnd(g, g->k.npcids);
        unsigned r = chance(g, 0.9) ? i % s->nroots : (unsigned)rnd(g, s->nroots);
        v = s->root[r] | g->pcid[i];
        if (chance(g, 0.35))
            v |= CR3_NOFLUSH;
    } else {
        v = chance(g, 0.6) ? cur_root(g, s) : s->root[rnd(g, s->nroots)];
        if (chance(g, 0.1))
            v |= chance(g, 0.5) ? PTE_PWT : PTE_PCD;
        if (mode == PAGING_PAE && s->bad_root && chance(g, 0.05))
            v = s->bad_root;            /* the PDPTE load fails: #GP */
    }
    write_cr(g, CTRL_CR3, v);
}

static void op_cr4(sg_t *g)
{
    bool lma = cpu_lma(&g->cpu);
    uint64_t bit;
    switch (rnd(g, lma ? 6 : 7)) {
    case 0: case 1: bit = CR4_PGE; break;
    case 2: bit = CR4_SMEP; break;
    case 3: bit = CR4_SMAP; break;
    case 4: bit = CR4_PSE; break;
    case 5: bit = lma && g->k.use_pcid ? CR4_PCIDE : CR4_SMEP; break;
    default: bit = chance(g, 0.3) ? CR4_PAE : CR4_PGE; break;   /* legacy paging: 32-bit <-> PAE */
    }
    if (cpu_mode(&g->cpu) == PAGING_32 && !(g->cpu.cr4 & CR4_PSE) && chance(g, 0.5))
        bit = CR4_PSE;       /* without PSE the 4 MiB leaves point to "tables": do not stay there long */
    write_cr(g, CTRL_CR4, g->cpu.cr4 ^ bit);
}

static void op_cr0(sg_t *g)
{
    double u = unif(g);
    write_cr(g, CTRL_CR0, g->cpu.cr0 ^ (u < 0.7 ? CR0_WP : u < 0.85 ? CR0_CD : CR0_NW));
}

static void op_efer(sg_t *g)
{
    write_cr(g, CTRL_EFER, g->cpu.efer ^ (chance(g, 0.5) ? EFER_NXE : EFER_SCE));
}

/* An operation that is illegal in the current state (the shadow says so too). */
static void op_illegal(sg_t *g)
{
    const cpu_t *c = &g->cpu;
    bool lma = cpu_lma(c), pcide = c->cr4 & CR4_PCIDE, pg = c->cr0 & CR0_PG;
    const set_t *s = target_set(g);
    switch (rnd(g, 10)) {
    case 0:
        write_cr(g, CTRL_CR0, c->cr0 | 1ull << (32 + rnd(g, 32)));
        return;
    case 1:
        if (pg) {
            write_cr(g, CTRL_CR0, pcide && chance(g, 0.5) ? c->cr0 & ~CR0_PG : c->cr0 & ~CR0_PE);
            return;
        }
        write_cr(g, CTRL_CR0, (c->cr0 | CR0_PG) & ~CR0_PE);     /* PG without PE */
        return;
    case 2:
        write_cr(g, CTRL_CR4, c->cr4 | (chance(g, 0.5) ? 1ull << (22 + rnd(g, 3))      /* PKE, CET, PKS */
                                                        : 1ull << (32 + rnd(g, 32))));
        return;
    case 3:
        if (lma)
            write_cr(g, CTRL_CR4, c->cr4 ^ (chance(g, 0.5) ? CR4_LA57 : CR4_PAE));
        else
            write_cr(g, CTRL_CR4, c->cr4 | CR4_PCIDE);
        return;
    case 4:
        if (lma && !pcide && (c->cr3 & 0xfff) == 0 && chance(g, 0.5)) {
            write_cr(g, CTRL_CR3, c->cr3 | PTE_PCD);   /* legal; the next PCIDE 0->1 then faults */
            write_cr(g, CTRL_CR4, c->cr4 | CR4_PCIDE);
            return;
        }
        if (lma) {
            uint64_t v = cur_root(g, s) | (pcide ? cpu_pcid(c) : 0);
            write_cr(g, CTRL_CR3, v | (!pcide && chance(g, 0.5) ? CR3_NOFLUSH : 1ull << (g->M + rnd(g, 63 - g->M))));
            return;
        }
        if (cpu_mode(c) == PAGING_PAE && s->bad_root) {
            write_cr(g, CTRL_CR3, s->bad_root);
            return;
        }
        write_cr(g, CTRL_EFER, c->efer | 1ull << (12 + rnd(g, 52)));
        return;
    case 5: {
        static const unsigned unknown[] = {1, 2, 3, 4, 5, 6, 7, 9, 12, 13, 14, 15, 20, 31, 40, 63};
        write_cr(g, CTRL_EFER, c->efer | 1ull << unknown[rnd(g, sizeof unknown / sizeof unknown[0])]);
        return;
    }
    case 6:
        if (pg) {
            write_cr(g, CTRL_EFER, c->efer ^ EFER_LME);
            return;
        }
        write_cr(g, CTRL_CR0, c->cr0 | CR0_PG | 1ull << 40);
        return;
    case 7:
        invpcid(g, 4 + (unsigned)rnd(g, chance(g, 0.8) ? 12 : 0xfffffff0u), 0, 0);
        return;
    case 8:
        invpcid(g, (unsigned)rnd(g, 4), 0x1000 + rnd(g, 1ull << 20), 0);
        return;
    default:
        if (lma)
            invpcid(g, 0, cpu_pcid(c), 1ull << (va_bits_of(cpu_mode(c)) + rnd(g, 4)));   /* non-canonical */
        else
            invpcid(g, (unsigned)rnd(g, 2), 1 + rnd(g, 0xfff), 0);   /* a PCID with PCIDE=0 */
        return;
    }
}

static void op_invlpg(sg_t *g)
{
    bool user;
    invlpg(g, chance(g, 0.85) ? pick_va(g, &user) : wild_va(g));
}

static void op_invpcid(sg_t *g)
{
    unsigned type = (unsigned)rnd(g, 4);
    uint64_t pcid = (g->cpu.cr4 & CR4_PCIDE) ? (chance(g, 0.7) ? g->pcid[rnd(g, g->k.npcids)] : cpu_pcid(&g->cpu)) : 0;
    bool user;
    invpcid(g, type, pcid, chance(g, 0.9) ? pick_va(g, &user) : 0);
}

/* Bits whose change cannot make a cached translation point elsewhere. */
static uint64_t safe_bits(paging_mode_t mode)
{
    uint64_t s = PTE_P | PTE_RW | PTE_US | PTE_PWT | PTE_PCD | PTE_A | PTE_D | PTE_G | (7ull << 9);
    return mode == PAGING_32 ? s : s | PTE_XD | bits(62, 52);
}

/* Writes one table entry through the backdoor (img and mem) and logs it. */
static void poke_entry(sg_t *g, paging_mode_t mode, paddr_t ea, uint64_t old, uint64_t v)
{
    unsigned es = esize(mode);
    do_sync(g);                                   /* what the interpreter does before a poke */
    if (g->failed)
        return;
    emit(g, "%s 0x%" PRIx64 " 0x%" PRIx64, es == 8 ? "poke64" : "poke32", ea, v);
    img_write(g, ea, es, v);
    if (es == 8)
        physmem_poke64(g->mem, ea, v);
    else
        physmem_poke32(g->mem, ea, (uint32_t)v);
    if ((old ^ v) & ~safe_bits(mode))
        g->remapped = true;
    g->rep->edits++;
    g->rep->ops++;
}

/* A page-table edit between operations, made without any invalidation. */
static void op_edit(sg_t *g)
{
    const set_t *s = target_set(g);
    paging_mode_t mode = s->mode;
    unsigned es = esize(mode);
    if (g->nundo && chance(g, 0.5)) {
        /* repair a destructive edit of an upper-level entry (software fixing its tables) */
        g->nundo--;
        if (g->undo[g->nundo].size == es)
            poke_entry(g, mode, g->undo[g->nundo].ea, img_entry(g, g->undo[g->nundo].ea, es), g->undo[g->nundo].value);
        return;
    }
    vaddr_t va;
    if (g->nring && chance(g, 0.6)) {
        va = g->ring[rnd(g, g->nring)].va;
    } else {
        const sg_leaf_t *l = pick_leaf(g);
        if (!l)
            return;
        va = l->va;
    }
    if (mode >= PAGING_4LEVEL && !canonical(va, va_bits_of(mode)))
        return;
    paddr_t ea[MAX_LEVELS + 1];
    int low = img_path(g, mode, cur_root(g, s), va, ea);
    int top = top_level(mode);
    int level = chance(g, 0.75) ? low : low + (int)rnd(g, (uint64_t)(top - low + 1));
    uint64_t e = img_entry(g, ea[level], es), v = e;
    if (!e)
        return;
    bool large = level > 1 && (e & PTE_PS) && (level == 2 || (level == 3 && mode >= PAGING_4LEVEL));
    bool leaf = level == 1 || large;
    bool pdpte = mode == PAGING_PAE && level == 3;
    unsigned kind;
    if (pdpte) {
        double u = unif(g);
        kind = u < 0.5 ? 6 : u < 0.8 ? 8 : u < 0.95 ? 10 : 9;
    } else {
        static const unsigned w[] = {25, 20, 5, 10, 6, 4, 8, 4, 6, 5, 3};
        unsigned total = 0, pick;
        for (unsigned i = 0; i < 11; i++)
            total += w[i];
        pick = (unsigned)rnd(g, total);
        for (kind = 0; pick >= w[kind]; kind++)
            pick -= w[kind];
    }
    switch (kind) {
    case 0: v &= ~PTE_A; break;
    case 1: v &= ~(leaf ? PTE_D : PTE_A); break;
    case 2: v |= leaf ? AD_BITS : PTE_A; break;
    case 3: v ^= PTE_RW; break;
    case 4: v ^= PTE_US; break;
    case 5: v ^= mode == PAGING_32 ? PTE_RW : PTE_XD; break;
    case 6: v ^= PTE_P; break;
    case 7: v ^= leaf ? PTE_G : PTE_A; break;
    case 8:                                       /* remap */
        if (leaf) {
            unsigned shift = level == 1 ? 12 : level == 2 ? (mode == PAGING_32 ? 22 : 21) : 30;
            paddr_t pa = data_frame(g, s, mode, shift);
            if (mode != PAGING_32)
                v = (v & ~(ADDR8 & ~((1ull << shift) - 1))) | pa;
            else if (shift == 12)
                v = (v & 0xfffull) | pa;
            else
                v = (v & ~(0xffc00000ull | (0xffull << 13))) | (pa & 0xffc00000ull) | (((pa >> 32) & 0xff) << 13);
        } else {
            const sg_leaf_t *o = pick_leaf(g);
            paddr_t eo[MAX_LEVELS + 1];
            if (!o || o->mode != mode || img_path(g, mode, o->root, o->va, eo) > level)
                return;
            uint64_t other = img_entry(g, eo[level], es);
            uint64_t amask = mode == PAGING_32 ? 0xfffff000ull : ADDR8;
            v = (v & ~amask) | (other & amask);
        }
        break;
    case 9: {                                     /* reserved bits: clear them, or set one */
        uint64_t rs = pdpte ? pdpte_rsvd(g) : entry_rsvd(g, mode, level, v) & ~PTE_XD;
        if (v & rs) {
            v &= ~rs;
        } else {
            int b = rsvd_bit(g, mode, level, v);
            if (b < 0)
                return;
            v |= 1ull << b;
        }
        break;
    }
    default: v ^= chance(g, 0.5) ? PTE_PWT : PTE_PCD; break;
    }
    if (v == 0)
        return;                                   /* an empty entry would end the builder's paths */
    poke_entry(g, mode, ea[level], e, v);
    if (g->failed)
        return;
    bool destructive = (e & PTE_P) &&
                       (!(v & PTE_P) || (v & ~e & (PTE_XD | bits(62, 7))) || (e & ~v & (PTE_RW | PTE_US)));
    if (pdpte && (v & pdpte_rsvd(g))) {
        /* a PDPT with a reserved bit: every load of it faults; try one, then repair the entry */
        if (cpu_mode(&g->cpu) == PAGING_PAE)
            write_cr(g, CTRL_CR3, g->cpu.cr3);
        poke_entry(g, mode, ea[level], v, e);
    } else if (destructive && g->nundo < 4 && (!leaf || chance(g, 0.5))) {
        g->undo[g->nundo].ea = ea[level];
        g->undo[g->nundo].value = e;
        g->undo[g->nundo].size = es;
        g->nundo++;
    }
}

/* Turn paging off (to re-enter a mode a few operations later). */
static void leave_paging(sg_t *g)
{
    if (g->cpu.cr4 & CR4_PCIDE)
        write_cr(g, CTRL_CR4, g->cpu.cr4 & ~CR4_PCIDE);
    write_cr(g, CTRL_CR0, g->cpu.cr0 & ~CR0_PG);
    g->off_left = (unsigned)rnd(g, 5);
    g->target_set = (unsigned)rnd(g, g->nsets);
}

/* Legal writes from paging off into the set's mode: EFER, CR4, CR3, CR0 (then PCIDs). */
static void enter_paging(sg_t *g, const set_t *s)
{
    paging_mode_t mode = s->mode;
    uint64_t efer = (g->cpu.efer & (EFER_NXE | EFER_SCE)) | (mode >= PAGING_4LEVEL ? EFER_LME : 0);
    uint64_t cr4 = g->cpu.cr4 & (CR4_PGE | CR4_SMEP | CR4_SMAP | CR4_PSE);
    cr4 |= mode == PAGING_32 ? 0 : CR4_PAE;
    cr4 |= mode == PAGING_5LEVEL ? CR4_LA57 : 0;
    if (g->cpu.cr0 & CR0_PG)
        leave_paging(g);
    write_cr(g, CTRL_EFER, efer);
    write_cr(g, CTRL_CR4, cr4);
    write_cr(g, CTRL_CR3, s->root[0]);
    write_cr(g, CTRL_CR0, (g->cpu.cr0 & (CR0_WP | CR0_CD | CR0_NW)) | CR0_PE | CR0_PG);
    if (mode >= PAGING_4LEVEL && g->k.use_pcid && cpu_mode(&g->cpu) == mode) {
        write_cr(g, CTRL_CR4, g->cpu.cr4 | CR4_PCIDE);
        unsigned i = (unsigned)rnd(g, g->k.npcids);
        write_cr(g, CTRL_CR3, s->root[i % s->nroots] | g->pcid[i]);
    }
    g->off_left = 0;
}

static void initial_paging(sg_t *g)
{
    const knobs_t *k = &g->k;
    /* from reset (all zero): the seed's control bits while paging is off, then into the primary mode */
    write_cr(g, CTRL_EFER, k->nxe ? EFER_NXE : 0);
    write_cr(g, CTRL_CR4, (k->pge ? CR4_PGE : 0) | (k->smep ? CR4_SMEP : 0) | (k->smap ? CR4_SMAP : 0) |
                              (k->pse ? CR4_PSE : 0));
    write_cr(g, CTRL_CR0, k->wp ? CR0_WP : 0);
    enter_paging(g, &g->set[0]);
}

/* ========================================================================= */
/* Set-up, the run, the end                                                   */
/* ========================================================================= */

void sg_defaults(sg_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->ops = 2000;
    o->mode = PAGING_OFF;
    o->backend = BACKEND_MODEL;
    o->replay = true;
    o->rerun = true;
}

sg_t *sg_create(const sg_opts_t *o, char *err, size_t errlen)
{
    sg_t *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    g->o = *o;
    if (o->cfg)
        g->cfg = *o->cfg;
    else
        config_defaults(&g->cfg);
    char cerr[CONFIG_ERR_LEN];
    if (config_validate(&g->cfg, cerr) != 0) {
        snprintf(err, errlen, "invalid configuration: %s", cerr);
        free(g);
        return NULL;
    }
    if (o->mode != PAGING_OFF && o->mode != PAGING_32 && o->mode != PAGING_PAE && o->mode != PAGING_4LEVEL &&
        o->mode != PAGING_5LEVEL) {
        snprintf(err, errlen, "bad paging mode %d", (int)o->mode);
        free(g);
        return NULL;
    }
    g->M = (unsigned)g->cfg.maxphyaddr;
    rng_seed(&g->rng, o->seed);
    choose_knobs(g);
    g->img = physmem_create(g->M);
    g->tk = calloc(TK_SLOTS, sizeof *g->tk);
    g->pend = calloc(PEND_MAX, sizeof *g->pend);
    if (!g->img || !g->tk || !g->pend) {
        snprintf(err, errlen, "out of memory");
        sg_destroy(g);
        return NULL;
    }
    physmem_set_frame_range(g->img, SG_FRAME_BASE, SG_FRAME_LIMIT);
    for (unsigned i = 0; i < g->k.nsets; i++) {
        if (build_set(g, &g->set[i], g->k.modes[i]) < 0) {
            snprintf(err, errlen, "seed %" PRIu64 ": building the %s page tables failed (out of frames?)", o->seed,
                     names_mode(g->k.modes[i]));
            sg_destroy(g);
            return NULL;
        }
        g->nsets++;
        g->any_32bit = g->any_32bit || g->k.modes[i] == PAGING_32;
    }
    return g;
}

void sg_destroy(sg_t *g)
{
    if (!g)
        return;
    if (g->be)
        backend_destroy(g->be);
    if (g->mem)
        physmem_destroy(g->mem);
    if (g->img)
        physmem_destroy(g->img);
    if (g->log)
        fclose(g->log);
    free(g->logbuf);
    free(g->leaves);
    for (unsigned i = 0; i < MAX_SETS; i++)
        for (unsigned r = 0; r < MAX_ROOTS; r++)
            free(g->set[i].by_root[r]);
    free(g->pend);
    free(g->tk);
    free(g);
}

paging_mode_t sg_mode(const sg_t *g)
{
    return g->k.modes[0];
}

const char *sg_knobs(const sg_t *g)
{
    return g->knobs_text;
}

size_t sg_num_leaves(const sg_t *g)
{
    return g->nleaves;
}

const sg_leaf_t *sg_leaf(const sg_t *g, size_t i)
{
    return i < g->nleaves ? &g->leaves[i] : NULL;
}

physmem_t *sg_image(const sg_t *g)
{
    return g->img;
}

static void dump_page(void *ctx, paddr_t pa, const uint8_t *page)
{
    sg_t *g = ctx;
    for (unsigned off = 0; off < PAGE_SIZE; off += 8) {
        uint64_t v;
        memcpy(&v, page + off, 8);
        if (!v)
            continue;
        emit(g, "poke64 0x%" PRIx64 " 0x%" PRIx64, pa + off, v);
        physmem_poke64(g->mem, pa + off, v);
    }
}

/* The final memory: the walker may only have set A/D bits. Lines that state the
 * A/D state it left go into the log. */
typedef struct {
    sg_t *g;
    physmem_t *other;
    bool mem_side;     /* iterating over mem (else over img) */
    uint64_t diffs;
} final_ctx_t;

static void final_page(void *ctx, paddr_t pa, const uint8_t *page)
{
    final_ctx_t *f = ctx;
    sg_t *g = f->g;
    uint64_t ok_bits = AD_BITS | (g->any_32bit ? AD_BITS << 32 : 0);
    for (unsigned off = 0; off < PAGE_SIZE && !g->failed; off += 8) {
        uint64_t here, there = physmem_peek64(f->other, pa + off);
        memcpy(&here, page + off, 8);
        uint64_t m = f->mem_side ? here : there, i = f->mem_side ? there : here;
        if (m == i)
            continue;
        if ((m ^ i) & ~ok_bits || (i & ~m)) {
            failf(g, 0, "end of run: memory word 0x%" PRIx64 " is 0x%" PRIx64 " but the driver wrote 0x%" PRIx64
                  " (the walker may only set A/D bits)", pa + off, m, i);
            return;
        }
        if (!f->mem_side) {
            emit(g, "expect64 0x%" PRIx64 " 0x%" PRIx64, pa + off, m);
            f->diffs++;
        }
    }
}

static void config_lines(sg_t *g)
{
    mmu_config_t def;
    config_defaults(&def);
    bool any = false;
    for (size_t i = 0; i < config_num_params; i++) {
        const config_param_t *p = &config_params[i];
        int64_t v = config_get(&g->cfg, p);
        if (v == config_get(&def, p))
            continue;
        const char *name = config_enum_name(p->kind, v);
        if (name)
            emit(g, "config %s=%s", p->key, name);
        else
            emit(g, "config %s=%lld", p->key, (long long)v);
        any = true;
    }
    if (!any)
        emit(g, "# (default configuration)");
}

static int pick_op(sg_t *g)
{
    double total = 0;
    for (int i = 0; i < OP_N; i++)
        total += g->k.w[i];
    double u = unif(g) * total;
    for (int i = 0; i < OP_N; i++) {
        if (u < g->k.w[i])
            return i;
        u -= g->k.w[i];
    }
    return OP_ACCESS;
}

static void stream(sg_t *g)
{
    initial_paging(g);
    while (g->rep->ops < g->o.ops && !g->failed) {
        if (cpu_mode(&g->cpu) == PAGING_OFF) {
            if (g->off_left == 0) {
                enter_paging(g, &g->set[g->target_set < g->nsets ? g->target_set : 0]);
                if (cpu_mode(&g->cpu) == PAGING_OFF)
                    g->off_left = 1 + (unsigned)rnd(g, 4);    /* it faulted: try again later */
                continue;
            }
            g->off_left--;
        }
        int op = pick_op(g);
        switch (op) {
        case OP_ACCESS: op_access(g, g->o.ops - g->rep->ops); break;
        case OP_SYNC: op_sync(g); g->rep->ops++; break;
        case OP_CR3: op_cr3(g); break;
        case OP_CR4: op_cr4(g); break;
        case OP_CR0: op_cr0(g); break;
        case OP_EFER: op_efer(g); break;
        case OP_ILLEGAL: op_illegal(g); break;
        case OP_INVLPG: op_invlpg(g); break;
        case OP_INVPCID: op_invpcid(g); break;
        case OP_EDIT: op_edit(g); break;
        default:
            if (cpu_mode(&g->cpu) != PAGING_OFF)
                leave_paging(g);
            break;
        }
    }
}

static int run_once(const sg_opts_t *o, sg_report_t *r, cov_t *cov)
{
    memset(r, 0, sizeof *r);
    r->mismatch_cycle = -1;
    char err[SG_FAIL_LEN];
    sg_t *g = sg_create(o, err, sizeof err);
    if (!g) {
        r->status = -1;
        snprintf(r->failure, SG_FAIL_LEN, "%s", err);
        return -1;
    }
    g->rep = r;
    g->cov = cov;
    g->digest = FNV_INIT;
    r->mode = g->k.modes[0];
    snprintf(r->knobs, sizeof r->knobs, "%s", g->knobs_text);
    g->log = open_memstream(&g->logbuf, &g->loglen);
    g->mem = physmem_create(g->M);
    if (!g->log || !g->mem) {
        r->status = -1;
        snprintf(r->failure, SG_FAIL_LEN, "out of memory");
        sg_destroy(g);
        return -1;
    }
    physmem_set_frame_range(g->mem, SG_FRAME_BASE, SG_FRAME_LIMIT);
    char berr[CONFIG_ERR_LEN] = "";
    g->be = o->make_backend ? o->make_backend(o->make_ctx, o->backend, &g->cfg, g->mem, berr)
                            : backend_create_opts(o->backend, &g->cfg, g->mem, &o->backend_opts, berr);
    if (!g->be) {
        r->status = -1;
        snprintf(r->failure, SG_FAIL_LEN, "cannot create the %s backend: %s", backend_kind_name(o->backend), berr);
        sg_destroy(g);
        return -1;
    }
    g->base = backend_horizon(g->be);

    emit(g, "# mmulab random --seed %" PRIu64 " --ops %" PRIu64 "%s%s (the stimulus does not depend on the backend)",
         o->seed, o->ops, o->mode != PAGING_OFF ? " --mode " : "", o->mode == PAGING_OFF ? "" : names_mode(o->mode));
    emit(g, "# knobs: %s", g->knobs_text);
    emit(g, "# replay: mmulab run THIS_FILE [--backend model|rtl|cosim]   (the config lines below are the run's)");
    config_lines(g);
    emit(g, "# page tables (%u set%s), written through the backdoor", g->nsets, g->nsets > 1 ? "s" : "");
    physmem_for_each_page(g->img, dump_page, g);
    emit(g, "# the stream");
    stream(g);
    if (!g->failed) {
        emit(g, "sync");
        do_sync(g);
    }
    if (!g->failed && backend_finish(g->be) != 0)
        failf(g, g->line, "the %s backend's end-of-run check failed (details on stderr)",
              backend_kind_name(g->be->kind));
    if (!g->failed) {
        emit(g, "# the A/D bits the walker set");
        final_ctx_t fc = {.g = g, .other = g->mem, .mem_side = false};
        physmem_for_each_page(g->img, final_page, &fc);
        final_ctx_t fm = {.g = g, .other = g->img, .mem_side = true};
        physmem_for_each_page(g->mem, final_page, &fm);
        g->rep->checks++;
    }
    r->digest = g->digest;
    if (g->failed)
        emit(g, "# stopped here: %s", r->failure);
    else
        emit(g, "# digest 0x%016" PRIx64 ": %" PRIu64 " translations, %" PRIu64 " control operations, %" PRIu64
             " edits, %" PRIu64 " checks", r->digest, r->accesses, r->ctrl_ops, r->edits, r->checks);
    fclose(g->log);
    g->log = NULL;
    r->log = g->logbuf;
    r->log_len = g->loglen;
    g->logbuf = NULL;
    r->mismatch_cycle = backend_mismatch_cycle(g->be);
    sg_destroy(g);
    return r->status;
}

int sg_run(const sg_opts_t *o, sg_report_t *r, cov_t *cov)
{
    double t0 = host_seconds();
    int rc = run_once(o, r, cov);
    if (rc == 0 && o->rerun) {
        sg_report_t again;
        sg_opts_t o2 = *o;
        o2.backend_opts.trace_path = NULL;   /* the waveform is the first run's */
        int rc2 = run_once(&o2, &again, NULL);
        if (rc2 != 0 || again.digest != r->digest || again.log_len != r->log_len ||
            memcmp(again.log, r->log, r->log_len) != 0) {
            r->status = rc = 1;
            snprintf(r->failure, SG_FAIL_LEN, "not deterministic: a second run of the seed gave %s (digest 0x%016"
                     PRIx64 " vs 0x%016" PRIx64 ")", rc2 != 0 ? "a failure" : "a different log or digest",
                     again.digest, r->digest);
        }
        sg_report_free(&again);
    }
    if (rc == 0 && o->replay) {
        uint64_t d = 0;
        char err[SG_FAIL_LEN - 64];
        if (sg_replay(r->log, r->log_len, o->backend, &d, err, sizeof err) != 0) {
            r->status = rc = 1;
            snprintf(r->failure, SG_FAIL_LEN, "%s", err);
        } else if (d != r->digest) {
            r->status = rc = 1;
            snprintf(r->failure, SG_FAIL_LEN, "replaying the log through the script interpreter gave digest 0x%016"
                     PRIx64 ", the run 0x%016" PRIx64, d, r->digest);
        } else {
            r->checks++;
        }
    }
    r->seconds = host_seconds() - t0;
    return rc;
}

void sg_report_free(sg_report_t *r)
{
    free(r->log);
    r->log = NULL;
    r->log_len = 0;
}
