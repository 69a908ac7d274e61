/* TLB organisation and policies (docs/semantics.md section 5): replacement
 * (lru / plru / random, predicted by a reference written here from the
 * rules, LFSR included), dirty assist, rights recheck, disabled size classes,
 * set indexing, the single-port configuration and the smallest-class rule. */
#include "mmutest.h"

#include <stdio.h>
#include <string.h>

#define VA4(l4, l3, l2, l1, off) \
    (((uint64_t)(l4) << 39) | ((uint64_t)(l3) << 30) | ((uint64_t)(l2) << 21) | ((uint64_t)(l1) << 12) | (off))

#define BASE VA4(1, 2, 3, 0, 0)
#define NPAGES 12
static vaddr_t page(int i) { return BASE + 0x1000ull * (unsigned)i; }
static paddr_t frame(int i) { return 0x800000ull + 0x1000ull * (unsigned)i; }

/* ---- reference of one TLB array ------------------------------------------------------ */

#define RMAXW 16
#define RMAXS 4
typedef struct {
    int policy, sets, ways;
    struct {
        bool valid, dirty;
        uint64_t tag;
    } e[RMAXS][RMAXW];
    uint64_t stamp[RMAXS][RMAXW], clock;
    uint8_t bit[RMAXS][2 * RMAXW];
    uint32_t x;
} rtlb_t;

static uint32_t lfsr_next(uint32_t x) { return (x >> 1) ^ ((x & 1) ? 0xA3000000u : 0); }

static void rtlb_init(rtlb_t *r, int policy, int sets, int ways, uint32_t seed, unsigned array_id)
{
    memset(r, 0, sizeof *r);
    r->policy = policy;
    r->sets = sets;
    r->ways = ways;
    r->x = lfsr_next((seed ? seed : 1) ^ array_id);
}

static void rtlb_touch(rtlb_t *r, int s, int w)
{
    r->stamp[s][w] = ++r->clock;
    int node = 1, lo = 0, hi = r->ways;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (w < mid) {
            r->bit[s][node] = 1;   /* victim away from w: right half */
            node = 2 * node;
            hi = mid;
        } else {
            r->bit[s][node] = 0;
            node = 2 * node + 1;
            lo = mid;
        }
    }
}

static int rtlb_victim(rtlb_t *r, int s)
{
    for (int w = 0; w < r->ways; w++)
        if (!r->e[s][w].valid)
            return w;
    if (r->policy == REPL_LRU) {
        int v = 0;
        for (int w = 1; w < r->ways; w++)
            if (r->stamp[s][w] < r->stamp[s][v])
                v = w;
        return v;
    }
    if (r->policy == REPL_PLRU) {
        int node = 1, lo = 0, hi = r->ways;
        while (hi - lo > 1) {
            int mid = (lo + hi) / 2;
            if (r->bit[s][node] == 0) {
                node = 2 * node;
                hi = mid;
            } else {
                node = 2 * node + 1;
                lo = mid;
            }
        }
        return lo;
    }
    int v = (int)(r->x % (uint32_t)r->ways);
    r->x = lfsr_next(r->x);
    return v;
}

/* Returns true for a hit. mem_dirty: the leaf's D in memory (updated for writes). */
static bool rtlb_access(rtlb_t *r, uint64_t vpn, bool write, bool *mem_dirty)
{
    int s = (int)(vpn & (uint64_t)(r->sets - 1));
    for (int w = 0; w < r->ways; w++)
        if (r->e[s][w].valid && r->e[s][w].tag == vpn) {
            if (write && !r->e[s][w].dirty) {
                r->e[s][w].valid = false;   /* dirty assist: drop, no state update */
                break;
            }
            rtlb_touch(r, s, w);
            return true;
        }
    if (write)
        *mem_dirty = true;
    int v = rtlb_victim(r, s);
    r->e[s][v].valid = true;
    r->e[s][v].tag = vpn;
    r->e[s][v].dirty = *mem_dirty;
    rtlb_touch(r, s, v);
    return false;
}

static void rtlb_invalidate(rtlb_t *r, uint64_t vpn)
{
    int s = (int)(vpn & (uint64_t)(r->sets - 1));
    for (int w = 0; w < r->ways; w++)
        if (r->e[s][w].valid && r->e[s][w].tag == vpn)
            r->e[s][w].valid = false;
}

/* ---- environment ------------------------------------------------------------------------ */

static const char *const repl_names[] = {"lru", "plru", "random"};

static mt_t *policy_env(int policy, int sets, int ways, uint32_t seed, bool dirty_pages)
{
    char c1[48], c2[48], c3[48], c4[48];
    snprintf(c1, sizeof c1, "tlb_repl=%s", repl_names[policy]);
    snprintf(c2, sizeof c2, "dtlb_4k_sets=%d", sets);
    snprintf(c3, sizeof c3, "dtlb_4k_ways=%d", ways);
    snprintf(c4, sizeof c4, "random_seed=%u", seed);
    const char *cfg[] = {c1, c2, c3, c4, "l2tlb=0", NULL};
    mt_t *t = mt_new(cfg);
    mt_tables(t, PAGING_4LEVEL);
    for (int i = 0; i < NPAGES; i++)
        mt_map(t, page(i), frame(i), 12, PTE_P | PTE_RW | PTE_A | (dirty_pages ? PTE_D : 0));
    mt_enter(t, PAGING_4LEVEL, 0, 0, 0);
    return t;
}

/* Runs a sequence of page letters ("ABCDA...", A = page 0) and compares with hit/miss pattern "MMMMH...". */
static void run_pattern(mt_t *t, const char *seq, const char *want, const char *what)
{
    char got[128];
    size_t n = strlen(seq);
    assert_true(n < sizeof got && strlen(want) == n);
    for (size_t i = 0; i < n; i++) {
        mmu_result_t r = mt_rd(t, page(seq[i] - 'A'));
        assert_int_equal(r.fault, FAULT_NONE);
        assert_int_equal(r.pa, frame(seq[i] - 'A'));
        got[i] = r.tlb_hit == TLB_HIT_L1 ? 'H' : r.walked ? 'M' : '?';
    }
    got[n] = 0;
    if (strcmp(got, want) != 0)
        fail_msg("%s: sequence %s: got %s, expected %s", what, seq, got, want);
}

/* ---- hand-predicted sequences (1 set x 4 ways) ------------------------------------------- */

static void test_lru_by_hand(void **state)
{
    (void)state;
    mt_t *t = policy_env(REPL_LRU, 1, 4, 1, true);
    /* A..D fill ways 0..3; A hit makes B least recent; E evicts B; A C D E hit;
     * B evicts A (least recent now); A evicts C. */
    run_pattern(t, "ABCDAEACDEBA", "MMMMHMHHHHMM", "lru");
    mt_free(t);
}

static void test_plru_by_hand(void **state)
{
    (void)state;
    mt_t *t = policy_env(REPL_PLRU, 1, 4, 1, true);
    /* fills w0..w3 leave root=0 (victim left), n2=0, n3=0; hit A (w0): root=1, n2=1;
     * E: root=1 -> right, n3=0 -> w2 (C) and then root=0, n3=1;
     * C: root=0 -> left, n2=1 -> w1 (B); then root=1, n2=0;
     * A: hit (w0) -> root=1, n2=1; E: hit (w2) -> root=0, n3=1; D: hit (w3) -> root=0, n3=0;
     * B: root=0 -> left, n2=1 -> w1 (C): miss. */
    run_pattern(t, "ABCDAECAEDB", "MMMMHMMHHHM", "plru");
    mt_free(t);
    /* the same prefix under LRU keeps C (E evicts B): tells the two apart */
    t = policy_env(REPL_LRU, 1, 4, 1, true);
    run_pattern(t, "ABCDAEC", "MMMMHMH", "lru vs plru");
    mt_free(t);
}

static void test_random_by_hand(void **state)
{
    (void)state;
    /* DTLB 4k array id = 1 * 3 + 0 = 3. seed 1: x = 1 ^ 3 = 2, advanced once: 1.
     * E: victim 1 % 4 = way 1 (B), x -> 0xA3000000; B: victim 0 (A), x -> 0x51800000;
     * C D E B hit; A: victim 0 (B), x -> 0x28C00000 */
    mt_t *t = policy_env(REPL_RANDOM, 1, 4, 1, true);
    run_pattern(t, "ABCDEBCDEBAB", "MMMMMMHHHHMM", "random seed 1");
    mt_free(t);
    /* seed 0 is taken as 1 */
    t = policy_env(REPL_RANDOM, 1, 4, 0, true);
    run_pattern(t, "ABCDEBCDEBAB", "MMMMMMHHHHMM", "random seed 0");
    mt_free(t);
    /* seed 6: x = 6 ^ 3 = 5, advanced: 0xA3000002 -> victim 2 (C) */
    t = policy_env(REPL_RANDOM, 1, 4, 6, true);
    run_pattern(t, "ABCDEABDC", "MMMMMHHHM", "random seed 6");
    mt_free(t);
}

/* ---- long sequences against the reference ------------------------------------------------- */

static uint64_t rng_state;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

static void run_reference(int policy, int sets, int ways, uint32_t seed, int steps)
{
    mt_t *t = policy_env(policy, sets, ways, seed, false);
    rtlb_t ref;
    rtlb_init(&ref, policy, sets, ways, seed, 3);
    bool mem_dirty[NPAGES] = {false};
    rng_state = 0x9e3779b97f4a7c15ull ^ (uint64_t)(policy * 1000 + sets * 100 + ways) ^ seed;
    int hits = 0;
    for (int i = 0; i < steps; i++) {
        int p = (int)(rng() % NPAGES);
        uint32_t op = rng() % 100;
        uint64_t vpn = page(p) >> 12;
        if (op < 10) {
            mt_invlpg(t, page(p), NULL);
            rtlb_invalidate(&ref, vpn);
            continue;
        }
        bool write = op < 35;
        bool want_hit = rtlb_access(&ref, vpn, write, &mem_dirty[p]);
        mmu_result_t r = write ? mt_wr(t, page(p)) : mt_rd(t, page(p));
        assert_int_equal(r.fault, FAULT_NONE);
        bool got_hit = r.tlb_hit == TLB_HIT_L1;
        if (got_hit != want_hit || (!got_hit && !r.walked))
            fail_msg("%s sets=%d ways=%d seed=%u step %d: %s page %d: got %s, reference predicts %s",
                     repl_names[policy], sets, ways, seed, i, write ? "write" : "read", p, mt_how_name(mt_how(&r)),
                     want_hit ? "L1 hit" : "walk");
        hits += got_hit;
    }
    assert_true(hits > steps / 10);   /* the sequence exercises both outcomes */
    mt_free(t);
}

static void test_reference_sequences(void **state)
{
    (void)state;
    static const struct {
        int policy, sets, ways;
        uint32_t seed;
    } cfgs[] = {
        {REPL_LRU, 1, 4, 1},      {REPL_LRU, 2, 3, 1},      {REPL_LRU, 1, 8, 1},
        {REPL_PLRU, 1, 4, 1},     {REPL_PLRU, 2, 4, 1},     {REPL_PLRU, 1, 8, 1},  {REPL_PLRU, 1, 2, 1},
        {REPL_RANDOM, 1, 4, 1},   {REPL_RANDOM, 2, 3, 7},   {REPL_RANDOM, 1, 5, 0xdeadbeef},
        {REPL_RANDOM, 1, 8, 12345},
    };
    for (size_t i = 0; i < sizeof cfgs / sizeof cfgs[0]; i++)
        run_reference(cfgs[i].policy, cfgs[i].sets, cfgs[i].ways, cfgs[i].seed, 600);
}

/* ---- dirty assist ------------------------------------------------------------------------- */

static void test_dirty_assist(void **state)
{
    (void)state;
    mt_t *t = mt_newv(NULL);   /* with the L2 */
    mt_tables(t, PAGING_4LEVEL);
    for (int i = 0; i < 4; i++)
        mt_map(t, page(i), frame(i), 12, PTE_P | PTE_RW | PTE_A);   /* D = 0 */
    mt_enter(t, PAGING_4LEVEL, 0, 0, 0);
    paddr_t pte = mt_entry_pa(t, page(0), 1);
    mmu_result_t r = mt_rd(t, page(0));
    mt_expect_how(&r, MT_WALK);
    assert_int_equal(ptb_read_entry(&t->pt, pte) & PTE_D, 0);
    r = mt_rd(t, page(0));
    mt_expect_how(&r, MT_L1);
    /* write: L1 and L2 entries are clean -> dropped -> walk sets D */
    r = mt_wr(t, page(0));
    mt_expect_how(&r, MT_WALK);
    assert_true(r.dirty_assist);
    assert_int_equal(r.mem_writes, 1);
    assert_int_equal(r.pa, frame(0));
    assert_int_equal(ptb_read_entry(&t->pt, pte) & PTE_D, PTE_D);
    const mmu_stats_t *st = mmu_stats(t->mmu);
    assert_true(st->dirty_assists >= 1);   /* per request or per dropped hit: not specified */
    assert_int_equal(st->tlb[TLB_DTLB].dropped, 1);
    assert_int_equal(st->tlb[TLB_L2].dropped, 1);
    r = mt_wr(t, page(0));
    mt_expect_how(&r, MT_L1);
    assert_false(r.dirty_assist);
    /* an L2 entry filled after the D write is dirty: port I gets it, a write on port D hits L1 */
    r = mt_fetch(t, page(0));
    mt_expect_how(&r, MT_L2);

    /* D already set in memory by someone else: the assist walk writes nothing */
    r = mt_rd(t, page(1));
    mt_expect_how(&r, MT_WALK);
    paddr_t pte1 = mt_entry_pa(t, page(1), 1);
    ptb_write_entry(&t->pt, pte1, ptb_read_entry(&t->pt, pte1) | PTE_D);
    r = mt_wr(t, page(1));
    mt_expect_how(&r, MT_WALK);
    assert_true(r.dirty_assist);
    assert_int_equal(r.mem_writes, 0);

    /* a read walk of a page whose D is set caches it dirty: the write hits */
    ptb_write_entry(&t->pt, mt_entry_pa(t, page(2), 1), ptb_read_entry(&t->pt, mt_entry_pa(t, page(2), 1)) | PTE_D);
    r = mt_rd(t, page(2));
    mt_expect_how(&r, MT_WALK);
    r = mt_wr(t, page(2));
    mt_expect_how(&r, MT_L1);
    assert_false(r.dirty_assist);

    /* a write miss sets D in its walk: the next write hits */
    r = mt_wr(t, page(3));
    mt_expect_how(&r, MT_WALK);
    assert_false(r.dirty_assist);
    r = mt_wr(t, page(3));
    mt_expect_how(&r, MT_L1);
    mt_free(t);
}

/* ---- rights recheck ---------------------------------------------------------------------- */

static void test_rights_recheck(void **state)
{
    (void)state;
    mt_t *t = mt_newv(NULL);
    mt_tables(t, PAGING_4LEVEL);
    mt_map(t, page(0), frame(0), 12, PTE_P | PTE_US | PTE_A | PTE_D);            /* user, read-only */
    mt_map(t, page(1), frame(1), 12, PTE_P | PTE_US | PTE_A | PTE_D);
    mt_map(t, page(2), frame(2), 12, PTE_P | PTE_A | PTE_D);                      /* supervisor RO */
    mt_map(t, page(3), frame(3), 12, PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D);   /* user RW */
    mt_map(t, page(4), frame(4), 12, PTE_P | PTE_RW | PTE_A | PTE_D | PTE_XD);   /* XD */
    mt_enter(t, PAGING_4LEVEL, 0, 0, EFER_NXE);
    const mmu_stats_t *st = mmu_stats(t->mmu);

    /* (a) cached read-only user entry + user write: re-walk faults; the entry is gone */
    mmu_result_t r = mt_access(t, page(0), ACC_READ, 3, false, false);
    mt_expect_how(&r, MT_WALK);
    r = mt_access(t, page(0), ACC_WRITE, 3, false, false);
    mt_expect_how(&r, MT_PF);
    assert_true(r.walked);
    assert_int_equal(r.error_code, PFEC_P | PFEC_W | PFEC_U);
    assert_true(st->rights_rechecks >= 1);
    r = mt_access(t, page(0), ACC_READ, 3, false, false);
    mt_expect_how(&r, MT_WALK);

    /* (b) the tables now allow the write (no invalidation): the re-walk decides -> success */
    r = mt_access(t, page(1), ACC_READ, 3, false, false);
    mt_expect_how(&r, MT_WALK);
    mt_set_flags(t, page(1), 1, PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D);
    r = mt_access(t, page(1), ACC_WRITE, 3, false, false);
    mt_expect_how(&r, MT_WALK);
    assert_int_equal(r.pa, frame(1));
    r = mt_access(t, page(1), ACC_WRITE, 3, false, false);
    mt_expect_how(&r, MT_L1);

    /* (c) CR0.WP 0 -> 1 with a cached supervisor write to a read-only page */
    r = mt_wr(t, page(2));
    mt_expect_how(&r, MT_WALK);
    r = mt_wr(t, page(2));
    mt_expect_how(&r, MT_L1);
    mt_ctrl_ok(t, CTRL_CR0, mt_arch(t).cr0 | CR0_WP);
    r = mt_rd(t, page(2));
    mt_expect_how(&r, MT_L1);            /* WP changes invalidate nothing */
    r = mt_wr(t, page(2));
    mt_expect_how(&r, MT_PF);
    assert_int_equal(r.error_code, PFEC_P | PFEC_W);
    r = mt_rd(t, page(2));
    mt_expect_how(&r, MT_WALK);

    /* (d) SMAP set after a supervisor read of a user page was cached; AC overrides */
    r = mt_rd(t, page(3));
    mt_expect_how(&r, MT_WALK);
    mt_ctrl_ok(t, CTRL_CR4, mt_arch(t).cr4 | CR4_SMAP);
    r = mt_access(t, page(3), ACC_READ, 0, true, false);
    mt_expect_how(&r, MT_L1);
    r = mt_rd(t, page(3));
    mt_expect_how(&r, MT_PF);
    assert_int_equal(r.error_code, PFEC_P);
    r = mt_access(t, page(3), ACC_READ, 3, false, true);   /* implicit: SMAP applies */
    mt_expect_how(&r, MT_PF);
    r = mt_access(t, page(3), ACC_READ, 3, false, false);  /* user */
    mt_expect_how(&r, MT_WALK);

    /* (e) XD page cached by a data read; a fetch finds it in the L2 -> dropped -> walk faults */
    r = mt_rd(t, page(4));
    mt_expect_how(&r, MT_WALK);
    uint64_t drops = st->tlb[TLB_L2].dropped;
    r = mt_fetch(t, page(4));
    mt_expect_how(&r, MT_PF);
    assert_true(r.walked);
    assert_int_equal(r.error_code, PFEC_P | PFEC_I);
    assert_int_equal(st->tlb[TLB_L2].dropped, drops + 1);
    mt_free(t);
}

/* ---- disabled classes, single port, set index, smallest class ----------------------------- */

static void test_disabled_classes(void **state)
{
    (void)state;
    static const char *cfg[] = {"dtlb_2m_ways=0", "l2_2m_ways=0", "dtlb_1g_ways=0", "l2_4k_ways=0", NULL};
    mt_t *t = mt_new(cfg);
    mt_tables(t, PAGING_4LEVEL);
    const vaddr_t v2m = VA4(2, 0, 1, 0, 0), v1g = VA4(3, 1, 0, 0, 0), v4k = page(0);
    mt_map(t, v2m, 0x40000000ull, 21, PTE_P | PTE_RW | PTE_A | PTE_D);
    mt_map(t, v1g, 0x80000000ull, 30, PTE_P | PTE_RW | PTE_A | PTE_D);
    mt_map(t, v4k, frame(0), 12, PTE_P | PTE_RW | PTE_A | PTE_D);
    mt_enter(t, PAGING_4LEVEL, 0, 0, 0);
    for (int i = 0; i < 3; i++) {
        mmu_result_t r = mt_rd(t, v2m + 0x1000ull * (unsigned)i);
        mt_expect_how(&r, MT_WALK);              /* 2M class off in DTLB and L2 */
        assert_int_equal(r.page_shift, 21);
        r = mt_rd(t, v1g + 0x1000ull * (unsigned)i);
        mt_expect_how(&r, i ? MT_L2 : MT_WALK);  /* 1G: L2 only, never the L1 */
        r = mt_fetch(t, v1g);
        mt_expect_how(&r, MT_L2);                /* itlb_1g_ways = 0 by default */
    }
    mmu_result_t r = mt_rd(t, v4k);
    mt_expect_how(&r, MT_WALK);
    r = mt_rd(t, v4k);
    mt_expect_how(&r, MT_L1);
    r = mt_fetch(t, v4k);
    mt_expect_how(&r, MT_WALK);                  /* not in the L2 (4k class off) */
    r = mt_fetch(t, v4k);
    mt_expect_how(&r, MT_L1);
    assert_int_equal(mmu_stats(t->mmu)->tlb[TLB_L2].hits[PSC_2M], 0);
    assert_int_equal(mmu_stats(t->mmu)->tlb[TLB_DTLB].hits[PSC_1G], 0);
    mt_free(t);
}

static void test_single_port(void **state)
{
    (void)state;
    static const char *cfg[] = {"ports=1", "l2tlb=0", NULL};
    mt_t *t = mt_new(cfg);
    mt_tables(t, PAGING_4LEVEL);
    mt_map(t, page(0), frame(0), 12, PTE_P | PTE_RW | PTE_A | PTE_D);
    mt_map(t, page(1), frame(1), 12, PTE_P | PTE_RW | PTE_A | PTE_D);
    mt_enter(t, PAGING_4LEVEL, 0, 0, 0);
    mmu_result_t r = mt_rd(t, page(0));
    mt_expect_how(&r, MT_WALK);
    r = mt_fetch(t, page(0));
    mt_expect_how(&r, MT_L1);
    assert_int_equal(r.port, PORT_D);
    r = mt_fetch(t, page(1));
    mt_expect_how(&r, MT_WALK);
    assert_int_equal(r.port, PORT_D);
    r = mt_wr(t, page(1));
    mt_expect_how(&r, MT_L1);
    const mmu_stats_t *st = mmu_stats(t->mmu);
    assert_int_equal(st->requests_by_port[PORT_I], 0);
    assert_int_equal(st->requests_by_port[PORT_D], 4);
    assert_int_equal(st->tlb[TLB_ITLB].fills, 0);
    /* one port: a fetch issued while a data miss is outstanding waits for it */
    cycle_t h = mmu_horizon(t->mmu);
    mmu_req_t q;
    mmu_result_t rd, ri;
    memset(&q, 0, sizeof q);
    q.va = VA4(7, 0, 0, 0, 0);   /* unmapped: walk and #PF */
    q.issue_cycle = h;
    assert_int_equal(mmu_submit(t->mmu, &q, &rd), 0);
    q.va = page(0);
    q.access = ACC_EXEC;
    q.issue_cycle = h + 1;
    assert_int_equal(mmu_submit(t->mmu, &q, &ri), 0);
    mmu_sync(t->mmu);
    assert_int_equal(rd.fault, FAULT_PF);
    assert_int_equal(ri.accept_cycle, rd.complete_cycle + 1);
    mt_free(t);
}

static void test_set_index(void **state)
{
    (void)state;
    static const char *cfg[] = {"dtlb_4k_sets=4", "dtlb_4k_ways=1", "l2tlb=0", NULL};
    mt_t *t = mt_new(cfg);
    mt_tables(t, PAGING_4LEVEL);
    for (int i = 0; i < NPAGES; i++)
        mt_map(t, page(i), frame(i), 12, PTE_P | PTE_RW | PTE_A | PTE_D);
    mt_enter(t, PAGING_4LEVEL, 0, 0, 0);
    /* pages 0 and 4 share set 0; page 1 is in set 1 */
    run_pattern(t, "ABEBAEIA", "MMMHMMMM", "4k set index");
    mt_free(t);

    /* 32-bit 4 MiB pages: shift 22, so 0 and 8 MiB share set 0 and 4 MiB is in set 1 */
    static const char *cfg2[] = {"dtlb_2m_sets=2", "dtlb_2m_ways=1", "l2tlb=0", NULL};
    t = mt_new(cfg2);
    mt_tables(t, PAGING_32);
    for (unsigned i = 0; i < 3; i++)
        mt_map(t, 0x00400000ull * i, 0x01000000ull + 0x00400000ull * i, 22, PTE_P | PTE_RW | PTE_A | PTE_D);
    mt_enter(t, PAGING_32, 0, CR4_PSE, 0);
    static const struct {
        unsigned page;
        int how;
    } seq[] = {{0, MT_WALK}, {1, MT_WALK}, {2, MT_WALK}, {1, MT_L1}, {0, MT_WALK}, {2, MT_WALK}, {1, MT_L1}};
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
        mmu_result_t r = mt_rd(t, 0x00400000ull * seq[i].page + 0x1234);
        mt_expect_how(&r, seq[i].how);
        assert_int_equal(r.page_shift, 22);
        assert_int_equal(r.pa, 0x01000000ull + 0x00400000ull * seq[i].page + 0x1234);
    }
    mt_free(t);
}

/* Two classes match after an unflushed change from a 4 KiB to a 2 MiB mapping: the smaller wins. */
static void test_smallest_class_wins(void **state)
{
    (void)state;
    static const char *cfg[] = {"pwc_pml4_entries=0", "pwc_pdpt_entries=0", "pwc_pd_entries=0", "l2tlb=0", NULL};
    mt_t *t = mt_new(cfg);
    mt_tables(t, PAGING_4LEVEL);
    const vaddr_t v = VA4(1, 2, 3, 4, 0x10), v2 = VA4(1, 2, 3, 9, 0x20);
    mt_map(t, v & ~0xfffull, 0x123000ull, 12, PTE_P | PTE_RW | PTE_A | PTE_D);
    mt_enter(t, PAGING_4LEVEL, 0, 0, 0);
    mmu_result_t r = mt_rd(t, v);
    mt_expect_how(&r, MT_WALK);
    assert_int_equal(r.pa, 0x123010ull);
    /* turn the PDE into a 2 MiB leaf at 0x40000000 without invalidating */
    mt_entry_write(t, v, 2, 0x40000000ull | PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PS);
    r = mt_rd(t, v2);
    mt_expect_how(&r, MT_WALK);
    assert_int_equal(r.page_shift, 21);
    assert_int_equal(r.pa, 0x40000000ull + (v2 & 0x1fffffull));
    /* v matches the stale 4 KiB entry and the new 2 MiB entry */
    r = mt_rd(t, v);
    mt_expect_how(&r, MT_L1);
    assert_int_equal(r.pa, 0x123010ull);
    assert_int_equal(r.page_shift, 12);
    mt_free(t);
}

/* Paging-structure caches: FIFO replacement, hits do not change it (section 6). */
static void test_pwc_fifo(void **state)
{
    (void)state;
    static const char *cfg[] = {"pwc_pd_entries=2", NULL};
    mt_t *t = mt_new(cfg);
    mt_tables(t, PAGING_4LEVEL);
    for (unsigned d = 1; d <= 3; d++)
        for (unsigned k = 0; k < 4; k++)
            mt_map(t, VA4(1, 2, d, k, 0), frame((int)(d * 4 + k)), 12, PTE_P | PTE_RW | PTE_A | PTE_D);
    mt_enter(t, PAGING_4LEVEL, 0, 0, 0);
    static const struct {
        unsigned d, k;
        int pwc;
    } seq[] = {
        {1, 0, 0},   /* fills PML4E, PDPTE, PDE d1 (slot 0) */
        {2, 0, 3},   /* PDE d2 -> slot 1 */
        {3, 0, 3},   /* PDE d3 -> slot 0, evicts d1 */
        {3, 1, 2},   /* hits: no change to the FIFO pointer */
        {2, 1, 2},
        {1, 1, 3},   /* PDE d1 -> slot 1, evicts d2 (LRU would evict d3) */
        {3, 2, 2},
        {2, 2, 3},
    };
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
        mmu_result_t r = mt_rd(t, VA4(1, 2, seq[i].d, seq[i].k, 0));
        mt_expect_how(&r, MT_WALK);
        if (r.pwc_hit != seq[i].pwc)
            fail_msg("step %zu (PD slot %u, page %u): pwc_hit %d, expected %d", i, seq[i].d, seq[i].k, r.pwc_hit,
                     seq[i].pwc);
    }
    mt_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lru_by_hand),
        cmocka_unit_test(test_plru_by_hand),
        cmocka_unit_test(test_random_by_hand),
        cmocka_unit_test(test_reference_sequences),
        cmocka_unit_test(test_dirty_assist),
        cmocka_unit_test(test_rights_recheck),
        cmocka_unit_test(test_disabled_classes),
        cmocka_unit_test(test_single_port),
        cmocka_unit_test(test_set_index),
        cmocka_unit_test(test_smallest_class_wins),
        cmocka_unit_test(test_pwc_fifo),
    };
    return cmocka_run_group_tests(tests, NULL, mt_teardown);
}
