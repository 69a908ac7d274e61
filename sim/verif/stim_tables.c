/* Random page tables of a seed, built with ptbuild in the generator's image of memory:
 * mixed leaf sizes and flags, not-present entries and reserved bits at random levels,
 * aliased frames, shared tables, several address spaces. They never depend on the backend. */
#include "stimgen_int.h"

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

paddr_t sg_data_frame(sg_t *g, const set_t *s, paging_mode_t mode, unsigned shift)
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
        f |= rnd(g, 1ull << 11) << 52;             /* ignored bits 62:52 (62:59: the key) */
    if (mode >= PAGING_4LEVEL && chance(g, k->p_key))
        f = (f & ~PTE_PK_MASK) | PTE_PKEY(1 + rnd(g, 15));   /* a protection key (SDM Vol 3A 4.6.2) */
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
        paddr_t pa = sg_data_frame(g, s, mode, shift);
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
        uint64_t e = sg_img_entry(g, ea, es);
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
        sg_img_write(g, ea, es, e);
        randomize_tables(g, s, next, level - 1, seen);
    }
}

/* Entry addresses along va's path in the image, from the top down to the leaf
 * or the first empty / not-present entry. Returns the lowest level reached. */
int sg_img_path(const sg_t *g, paging_mode_t mode, paddr_t root, vaddr_t va, paddr_t ea[MAX_LEVELS + 1])
{
    unsigned es = esize(mode);
    paddr_t table = root;
    vaddr_t v = mode <= PAGING_PAE ? va & 0xffffffffull : va;
    for (int level = top_level(mode);; level--) {
        ea[level] = table + lvl_index(mode, level, v) * es;
        uint64_t e = sg_img_entry(g, ea[level], es);
        if (level == 1 || !(e & PTE_P))
            return level;
        if ((e & PTE_PS) && (level == 2 || (level == 3 && mode >= PAGING_4LEVEL)))
            return level;
        table = mode == PAGING_32 ? e & 0xfffff000ull : e & ADDR8;
    }
}

/* A reserved bit for this entry's format (docs/semantics.md 2), or -1 if it has none. */
int sg_rsvd_bit(sg_t *g, paging_mode_t mode, int level, uint64_t e)
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

const sg_leaf_t *sg_random_leaf(sg_t *g, const set_t *s)
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
            const sg_leaf_t *l = upper ? &g->leaves[s->victim_first + rnd(g, s->victim_n)] : sg_random_leaf(g, s);
            if (!l)
                return;
            paddr_t ea[MAX_LEVELS + 1];
            int low = sg_img_path(g, s->mode, l->root, l->va, ea);
            int top = top_level(s->mode);
            int level = upper ? low + (int)rnd(g, (uint64_t)(top - low + 1)) : low;
            uint64_t e = sg_img_entry(g, ea[level], es);
            if (!(e & PTE_P))
                continue;
            if (i < g->k.n_np) {
                e &= ~PTE_P;
            } else {
                if (s->mode == PAGING_PAE && level == 3)
                    continue;             /* would make every CR3 load of this root #GP */
                int b = sg_rsvd_bit(g, s->mode, level, e);
                if (b < 0)
                    continue;             /* 32-bit paging: only 4 MiB PDEs have reserved bits */
                e |= 1ull << b;
            }
            sg_img_write(g, ea[level], es, e);
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
        const sg_leaf_t *l = sg_random_leaf(g, s);
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
        if (sg_img_path(g, mode, v.root, v.va, ev) > L)
            continue;
        int wl = sg_img_path(g, mode, v.root, w, ew);
        if (wl != L || sg_img_entry(g, ew[L], es) != 0)
            continue;                    /* the slot is in use */
        sg_img_write(g, ew[L], es, sg_img_entry(g, ev[L], es));
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

int sg_build_set(sg_t *g, set_t *s, paging_mode_t mode)
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
                if (sg_img_entry(g, to, es) == 0)
                    sg_img_write(g, to, es, sg_img_entry(g, from, es));
                else if (sg_img_entry(g, to, es) != sg_img_entry(g, from, es))
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
                sg_img_write(g, bad + 8u * (unsigned)i, 8, sg_img_entry(g, s->root[0] + 8u * (unsigned)i, 8) | PTE_P);
            int i = (int)rnd(g, 4);
            int b = sg_rsvd_bit(g, PAGING_PAE, 3, 0);
            sg_img_write(g, bad + 8u * (unsigned)i, 8, sg_img_entry(g, bad + 8u * (unsigned)i, 8) | 1ull << b);
            s->bad_root = bad;
        }
    }
    return 0;
}
