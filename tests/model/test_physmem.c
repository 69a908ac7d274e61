/* physmem: sparse storage, little-endian accessors, address checks,
 * counters, the frame allocator and page iteration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "physmem.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)

static int setup_mem(void **state)
{
    *state = physmem_create(46);
    return *state ? 0 : -1;
}

static int teardown_mem(void **state)
{
    physmem_destroy(*state);
    return 0;
}

static void test_create_rejects_bad_width(void **state)
{
    (void)state;
    assert_null(physmem_create(11));
    assert_null(physmem_create(53));
    physmem_t *m = physmem_create(52);
    assert_non_null(m);
    assert_int_equal(physmem_maxphyaddr(m), 52);
    physmem_destroy(m);
    physmem_destroy(NULL);   /* harmless */
}

static void test_unwritten_memory_reads_zero(void **state)
{
    physmem_t *m = *state;
    const paddr_t addrs[] = { 0, 8, 0x1000, 0x123456788ull, (1ull << 46) - 8 };
    for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
        uint64_t v64 = 0xDEAD;
        uint32_t v32 = 0xDEAD;
        assert_int_equal(physmem_read64(m, addrs[i], &v64), 0);
        assert_int_equal(physmem_read32(m, addrs[i], &v32), 0);
        assert_int_equal(v64, 0);
        assert_int_equal(v32, 0);
    }
    assert_int_equal(physmem_stats(m)->pages_allocated, 0);
}

static void test_little_endian_layout(void **state)
{
    physmem_t *m = *state;
    const paddr_t pa = 0x5000010;
    assert_int_equal(physmem_write64(m, pa, 0x0102030405060708ull), 0);
    uint32_t lo, hi;
    assert_int_equal(physmem_read32(m, pa, &lo), 0);
    assert_int_equal(physmem_read32(m, pa + 4, &hi), 0);
    assert_int_equal(lo, 0x05060708u);
    assert_int_equal(hi, 0x01020304u);

    assert_int_equal(physmem_write32(m, pa + 4, 0xAABBCCDDu), 0);
    uint64_t v;
    assert_int_equal(physmem_read64(m, pa, &v), 0);
    assert_int_equal(v, 0xAABBCCDD05060708ull);
    /* neighbours untouched */
    assert_int_equal(physmem_read64(m, pa + 8, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(physmem_read64(m, pa - 8, &v), 0);
    assert_int_equal(v, 0);
}

static void test_last_page_of_memory(void **state)
{
    physmem_t *m = *state;
    const paddr_t top = 1ull << 46;
    assert_int_equal(physmem_write64(m, top - 8, 0x1122334455667788ull), 0);
    assert_int_equal(physmem_peek64(m, top - 8), 0x1122334455667788ull);
    assert_int_equal(physmem_write32(m, top - 4, 7), 0);
}

typedef struct {
    paddr_t pa;
    unsigned size;     /* 4 or 8 */
} bad_access_t;

static void test_unaligned_and_out_of_range_fail(void **state)
{
    physmem_t *m = *state;
    const paddr_t top = 1ull << 46;
    const bad_access_t cases[] = {
        { 0x1001, 4 }, { 0x1002, 4 }, { 0x1003, 4 },
        { 0x1004, 8 }, { 0x1001, 8 }, { 0x1007, 8 },
        { top, 4 }, { top, 8 }, { top + 0x1000, 8 }, { UINT64_MAX - 7, 8 }, { 1ull << 63, 4 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bad_access_t *c = &cases[i];
        if (c->size == 4) {
            uint32_t v = 0xFFFFFFFFu;
            assert_int_equal(physmem_read32(m, c->pa, &v), -1);
            assert_int_equal(v, 0);
            assert_int_equal(physmem_write32(m, c->pa, 1), -1);
        } else {
            uint64_t v = UINT64_MAX;
            assert_int_equal(physmem_read64(m, c->pa, &v), -1);
            assert_int_equal(v, 0);
            assert_int_equal(physmem_write64(m, c->pa, 1), -1);
        }
        assert_int_equal(physmem_peek64(m, c->pa & ~7ull), 0);
    }
    /* rejected accesses allocate nothing and count nothing */
    assert_int_equal(physmem_stats(m)->pages_allocated, 0);
    assert_int_equal(physmem_stats(m)->reads, 0);
    assert_int_equal(physmem_stats(m)->writes, 0);
    /* peek/poke of bad addresses: 0 / no effect, no crash */
    physmem_poke64(m, 0x2004, 5);
    physmem_poke64(m, top, 5);
    assert_int_equal(physmem_peek64(m, 0x2004), 0);
    assert_int_equal(physmem_peek64(m, top), 0);
    assert_int_equal(physmem_stats(m)->pages_allocated, 0);
}

static void test_counters(void **state)
{
    physmem_t *m = *state;
    uint64_t v64;
    uint32_t v32;
    physmem_write64(m, 0x1000, 1);
    physmem_write32(m, 0x1008, 2);
    physmem_write32(m, 0x3000, 3);
    physmem_read64(m, 0x1000, &v64);
    physmem_read32(m, 0x9000, &v32);
    physmem_poke64(m, 0x1010, 4);       /* uncounted */
    (void)physmem_peek64(m, 0x1010);    /* uncounted */
    const physmem_stats_t *s = physmem_stats(m);
    assert_int_equal(s->writes, 3);
    assert_int_equal(s->reads, 2);
    assert_int_equal(s->pages_allocated, 2);   /* 0x1000 and 0x3000; reads allocate nothing */

    physmem_reset_counters(m);
    assert_int_equal(s->reads, 0);
    assert_int_equal(s->writes, 0);
    assert_int_equal(s->pages_allocated, 2);   /* state, not a counter */
    assert_int_equal(physmem_peek64(m, 0x1010), 4);
}

/* A page looked up while absent must not stay "absent" after a write. */
static void test_last_page_cache_sees_new_page(void **state)
{
    physmem_t *m = *state;
    uint64_t v;
    physmem_read64(m, 0x7000, &v);
    assert_int_equal(v, 0);
    physmem_poke64(m, 0x7008, 0x55);
    physmem_read64(m, 0x7008, &v);
    assert_int_equal(v, 0x55);
    physmem_read64(m, 0x8000, &v);      /* move the cache away and back */
    physmem_read64(m, 0x7008, &v);
    assert_int_equal(v, 0x55);
}

/* Enough pages to grow the hash map several times; every value survives. */
static void test_many_pages(void **state)
{
    physmem_t *m = *state;
    const unsigned n = 20000;
    for (unsigned i = 0; i < n; i++) {
        paddr_t pa = ((uint64_t)i * 0x9E3779B1u % (1u << 30)) << 12;   /* scattered, distinct */
        assert_int_equal(physmem_write64(m, pa + 8 * (i % 512), i + 1), 0);
    }
    assert_int_equal(physmem_stats(m)->pages_allocated, n);
    for (unsigned i = 0; i < n; i++) {
        paddr_t pa = ((uint64_t)i * 0x9E3779B1u % (1u << 30)) << 12;
        uint64_t v;
        assert_int_equal(physmem_read64(m, pa + 8 * (i % 512), &v), 0);
        assert_int_equal(v, i + 1);
    }
}

static void test_default_frame_range(void **state)
{
    physmem_t *m = *state;
    assert_int_equal(physmem_alloc_frame(m), 16 * MIB);
    assert_int_equal(physmem_alloc_frame(m), 16 * MIB + 0x1000);
    assert_int_equal(physmem_alloc_frame(m), 16 * MIB + 0x2000);
    assert_int_equal(physmem_stats(m)->frames_allocated, 3);

    /* the default limit is capped at 1 TiB, and by 1 << maxphyaddr */
    physmem_t *small = physmem_create(25);   /* 32 MiB */
    assert_non_null(small);
    assert_int_equal(physmem_alloc_frames(small, 4096, 4096), 16 * MIB);
    assert_int_equal(physmem_alloc_frame(small), 0);
    physmem_destroy(small);
}

static void test_allocator_reuses_lowest_and_zeroes(void **state)
{
    physmem_t *m = *state;
    physmem_set_frame_range(m, 1 * MIB, 1 * MIB + 4 * 0x1000);
    paddr_t f[4];
    for (int i = 0; i < 4; i++)
        f[i] = physmem_alloc_frame(m);
    assert_int_equal(f[0], 1 * MIB);
    assert_int_equal(f[3], 1 * MIB + 0x3000);
    assert_int_equal(physmem_alloc_frame(m), 0);          /* exhausted */
    assert_int_equal(physmem_stats(m)->frames_allocated, 4);

    physmem_poke64(m, f[2] + 0x10, 0xABCD);
    physmem_poke64(m, f[1] + 0xFF8, 0x1234);
    physmem_free_frame(m, f[2]);
    physmem_free_frame(m, f[1]);
    assert_int_equal(physmem_stats(m)->frames_allocated, 2);

    /* bad frees are ignored: double free, unaligned, outside the range */
    physmem_free_frame(m, f[1]);
    physmem_free_frame(m, f[3] + 8);
    physmem_free_frame(m, 0x1000);
    physmem_free_frame(m, 2 * MIB);
    assert_int_equal(physmem_stats(m)->frames_allocated, 2);

    assert_int_equal(physmem_alloc_frame(m), f[1]);      /* lowest free first */
    assert_int_equal(physmem_peek64(m, f[1] + 0xFF8), 0); /* zeroed */
    assert_int_equal(physmem_alloc_frame(m), f[2]);
    assert_int_equal(physmem_peek64(m, f[2] + 0x10), 0);
    assert_int_equal(physmem_alloc_frame(m), 0);
}

static void test_frame_zero_never_handed_out(void **state)
{
    physmem_t *m = *state;
    physmem_set_frame_range(m, 0, 0x2000);
    assert_int_equal(physmem_alloc_frame(m), 0x1000);
    assert_int_equal(physmem_alloc_frame(m), 0);
    physmem_free_frame(m, 0);      /* ignored */
    assert_int_equal(physmem_alloc_frame(m), 0);
}

static void test_frame_range_is_rounded_and_clamped(void **state)
{
    physmem_t *m = *state;
    /* base rounded up, limit rounded down: only frame 0x3000 fits */
    physmem_set_frame_range(m, 0x2001, 0x4FFF);
    assert_int_equal(physmem_alloc_frame(m), 0x3000);
    assert_int_equal(physmem_alloc_frame(m), 0);
    /* empty and inverted ranges hand out nothing */
    physmem_set_frame_range(m, 0x5000, 0x5000);
    assert_int_equal(physmem_alloc_frame(m), 0);
    physmem_set_frame_range(m, 0x9000, 0x5000);
    assert_int_equal(physmem_alloc_frame(m), 0);
    /* a limit above 1 << maxphyaddr is clamped */
    physmem_set_frame_range(m, (1ull << 46) - 0x1000, UINT64_MAX);
    assert_int_equal(physmem_alloc_frame(m), (1ull << 46) - 0x1000);
    assert_int_equal(physmem_alloc_frame(m), 0);
}

static void test_alloc_frames_contiguous_aligned(void **state)
{
    physmem_t *m = *state;
    physmem_set_frame_range(m, 16 * MIB + 0x1000, 32 * MIB);
    /* 2 MiB aligned block of 512 frames: the first aligned slot above 16 MiB + 4 KiB */
    paddr_t big = physmem_alloc_frames(m, 512, 2 * MIB);
    assert_int_equal(big, 18 * MIB);
    assert_int_equal(physmem_stats(m)->frames_allocated, 512);
    /* single frames fill the hole below it first, lowest first */
    assert_int_equal(physmem_alloc_frame(m), 16 * MIB + 0x1000);
    /* 4 frames aligned to 16 KiB: 16 MiB + 16 KiB is the first fit */
    assert_int_equal(physmem_alloc_frames(m, 4, 0x4000), 16 * MIB + 0x4000);
    /* frames 16M+0x2000, 0x3000 are still free */
    assert_int_equal(physmem_alloc_frame(m), 16 * MIB + 0x2000);
    /* a block larger than what remains fails and changes nothing */
    uint64_t before = physmem_stats(m)->frames_allocated;
    assert_int_equal(physmem_alloc_frames(m, 8 * 512, 2 * MIB), 0);
    assert_int_equal(physmem_stats(m)->frames_allocated, before);
    /* a frame freed inside the big block waits until the lower free frames are used */
    physmem_free_frame(m, big + 0x5000);
    assert_int_equal(physmem_alloc_frame(m), 16 * MIB + 0x3000);
    assert_int_equal(physmem_alloc_frame(m), 16 * MIB + 0x8000);
}

static void test_alloc_frames_rejects_bad_arguments(void **state)
{
    physmem_t *m = *state;
    assert_int_equal(physmem_alloc_frames(m, 0, 4096), 0);
    assert_int_equal(physmem_alloc_frames(m, 1, 0), 0);
    assert_int_equal(physmem_alloc_frames(m, 1, 2048), 0);
    assert_int_equal(physmem_alloc_frames(m, 1, 3 * 4096), 0);
    assert_int_equal(physmem_alloc_frames(m, 1, 1ull << 63), 0);   /* no such aligned frame */
    assert_int_equal(physmem_stats(m)->frames_allocated, 0);
}

static void test_alloc_frames_zeroes_every_frame(void **state)
{
    physmem_t *m = *state;
    physmem_set_frame_range(m, 1 * MIB, 2 * MIB);
    for (unsigned i = 0; i < 4; i++)
        physmem_poke64(m, 1 * MIB + i * 0x1000 + 0x800, 0x77);
    assert_int_equal(physmem_alloc_frames(m, 4, 0x1000), 1 * MIB);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(physmem_peek64(m, 1 * MIB + i * 0x1000 + 0x800), 0);
}

typedef struct {
    paddr_t seen[16];
    const uint8_t *pages[16];
    size_t n;
} page_log_t;

static void log_page(void *ctx, paddr_t pa, const uint8_t *page)
{
    page_log_t *log = ctx;
    if (log->n < 16) {
        log->seen[log->n] = pa;
        log->pages[log->n] = page;
    }
    log->n++;
}

static void test_for_each_page_ascending(void **state)
{
    physmem_t *m = *state;
    const paddr_t written[] = { 5 * GIB, 0x3000, 0x1000, 7 * GIB + 0x1000, 0x2000, 1 * GIB };
    const paddr_t ascending[] = { 0x1000, 0x2000, 0x3000, 1 * GIB, 5 * GIB, 7 * GIB + 0x1000 };
    for (size_t i = 0; i < 6; i++)
        physmem_poke64(m, written[i] + 8, written[i]);
    page_log_t log = { .n = 0 };
    physmem_for_each_page(m, log_page, &log);
    assert_int_equal(log.n, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(log.seen[i], ascending[i]);
        /* the page bytes are the memory contents (little-endian) */
        uint64_t v = 0;
        for (int b = 0; b < 8; b++)
            v |= (uint64_t)log.pages[i][8 + b] << (8 * b);
        assert_int_equal(v, ascending[i]);
    }

    physmem_t *empty = physmem_create(40);
    page_log_t none = { .n = 0 };
    physmem_for_each_page(empty, log_page, &none);
    assert_int_equal(none.n, 0);
    physmem_destroy(empty);
}

/* Co-simulation mirrors the driver's writes: only backdoor pages are copied. */
static void test_backdoor_mirror(void **state)
{
    physmem_t *src = *state, *dst = physmem_create(46);
    assert_non_null(dst);
    assert_int_equal(physmem_copy_backdoor(src, dst), -1);   /* tracking off */
    physmem_track_backdoor(src, true);
    physmem_poke64(src, 0x5000, 0x1122334455667788ull);
    physmem_poke32(src, 0x5008, 0xcafe);
    physmem_poke64(src, 0x9ff8, 7);
    assert_int_equal(physmem_write64(src, 0xa000, 9), 0);     /* front door: not mirrored */
    assert_int_equal(physmem_copy_backdoor(src, dst), 2);
    assert_int_equal(physmem_peek64(dst, 0x5000), 0x1122334455667788ull);
    assert_int_equal(physmem_peek64(dst, 0x5008), 0xcafe);
    assert_int_equal(physmem_peek64(dst, 0x9ff8), 7);
    assert_int_equal(physmem_peek64(dst, 0xa000), 0);
    assert_int_equal(physmem_copy_backdoor(src, dst), 0);     /* forgotten once copied */

    paddr_t where = 0;
    assert_int_equal(physmem_diff(src, dst, &where), 1);
    assert_int_equal(where, 0xa000);
    assert_int_equal(physmem_write64(dst, 0xa000, 9), 0);
    assert_int_equal(physmem_diff(src, dst, &where), 0);
    /* a page present on one side only, holding zeros, is no difference */
    physmem_poke64(dst, 0x40000, 0);
    assert_int_equal(physmem_diff(src, dst, NULL), 0);
    physmem_poke64(dst, 0x40010, 1);
    assert_int_equal(physmem_diff(src, dst, &where), 1);
    assert_int_equal(where, 0x40010);
    physmem_destroy(dst);
}

/* Co-simulation of a script that writes no memory: the mirror has nothing to copy (and
 * must not hand qsort a NULL array, undefined behaviour flagged by UBSan). */
static void test_backdoor_mirror_of_nothing(void **state)
{
    physmem_t *src = *state, *dst = physmem_create(46);
    assert_non_null(dst);
    physmem_track_backdoor(src, true);
    assert_int_equal(physmem_copy_backdoor(src, dst), 0);
    assert_int_equal(physmem_diff(src, dst, NULL), 0);
    physmem_destroy(dst);
}

/* A reused frame is zeroed in place, which the mirror must see. */
static void test_backdoor_sees_allocator_zeroing(void **state)
{
    physmem_t *src = *state, *dst = physmem_create(46);
    assert_non_null(dst);
    paddr_t f = physmem_alloc_frame(src);
    physmem_poke64(src, f, 42);
    physmem_poke64(dst, f, 42);
    physmem_free_frame(src, f);
    physmem_track_backdoor(src, true);
    assert_int_equal(physmem_alloc_frame(src), f);
    assert_int_equal(physmem_copy_backdoor(src, dst), 1);
    assert_int_equal(physmem_peek64(dst, f), 0);
    physmem_destroy(dst);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_mem, teardown_mem)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_rejects_bad_width),
        T(test_unwritten_memory_reads_zero),
        T(test_little_endian_layout),
        T(test_last_page_of_memory),
        T(test_unaligned_and_out_of_range_fail),
        T(test_counters),
        T(test_last_page_cache_sees_new_page),
        T(test_many_pages),
        T(test_default_frame_range),
        T(test_allocator_reuses_lowest_and_zeroes),
        T(test_frame_zero_never_handed_out),
        T(test_frame_range_is_rounded_and_clamped),
        T(test_alloc_frames_contiguous_aligned),
        T(test_alloc_frames_rejects_bad_arguments),
        T(test_alloc_frames_zeroes_every_frame),
        T(test_for_each_page_ascending),
        T(test_backdoor_mirror),
        T(test_backdoor_mirror_of_nothing),
        T(test_backdoor_sees_allocator_zeroing),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
