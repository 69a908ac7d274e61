/* Sparse physical memory: an open-addressing hash map frame number -> 4 KiB
 * page, with a one-entry cache of the last page touched (page walks read
 * neighbouring entries of one table, so most lookups hit it), and a frame
 * allocator kept as a sorted list of free runs. */
#include "physmem.h"

#include <stdlib.h>
#include <string.h>

#define NO_FRAME UINT64_MAX        /* empty hash slot / empty last-page cache */
#define MAX_MAXPHYADDR 52u
#define DEFAULT_FRAME_BASE (16ull << 20)
#define DEFAULT_FRAME_LIMIT_CAP (1ull << 40)
#define INITIAL_SLOTS 256u          /* power of two */

typedef struct {
    uint64_t frame;                 /* NO_FRAME when empty */
    uint8_t *page;
} page_slot_t;

/* Free frames [first, end), in frame numbers. */
typedef struct {
    uint64_t first, end;
} frame_run_t;

struct physmem {
    unsigned maxphyaddr;
    uint64_t frame_count;           /* frames below 1 << maxphyaddr */

    page_slot_t *slots;             /* capacity slot_mask + 1, at most half full */
    size_t slot_mask, slots_used;

    /* Last page looked up; last_page may be NULL (a known-absent page). */
    uint64_t last_frame;
    uint8_t *last_page;

    /* Allocator: the managed range and its free runs, ascending, disjoint,
     * never adjacent (adjacent runs are merged). */
    uint64_t range_first, range_end;
    frame_run_t *runs;
    size_t num_runs, runs_cap;

    physmem_stats_t stats;

    /* Backdoor tracking (co-simulation mirrors the driver's writes into a
     * second memory): frames touched by poke or by allocator zeroing. */
    bool track_backdoor;
    uint64_t *touched;
    size_t num_touched, touched_cap;
};

/* --- the page map -------------------------------------------------------- */

static size_t frame_hash(uint64_t frame)
{
    uint64_t h = frame * 0x9E3779B97F4A7C15ull;   /* Fibonacci hashing */
    return (size_t)(h ^ (h >> 29));
}

static uint8_t *page_find(const physmem_t *m, uint64_t frame)
{
    for (size_t i = frame_hash(frame) & m->slot_mask;; i = (i + 1) & m->slot_mask) {
        const page_slot_t *s = &m->slots[i];
        if (s->frame == frame)
            return s->page;
        if (s->frame == NO_FRAME)
            return NULL;
    }
}

static void slot_put(page_slot_t *slots, size_t mask, uint64_t frame, uint8_t *page)
{
    size_t i = frame_hash(frame) & mask;
    while (slots[i].frame != NO_FRAME)
        i = (i + 1) & mask;
    slots[i].frame = frame;
    slots[i].page = page;
}

static page_slot_t *slots_new(size_t count)
{
    page_slot_t *slots = malloc(count * sizeof *slots);
    if (slots)
        for (size_t i = 0; i < count; i++)
            slots[i] = (page_slot_t){ NO_FRAME, NULL };
    return slots;
}

/* Keeps the load factor at or below 1/2 so probe chains stay short. */
static int slots_reserve_one(physmem_t *m)
{
    size_t cap = m->slot_mask + 1;
    if ((m->slots_used + 1) * 2 <= cap)
        return 0;
    size_t new_cap = cap * 2;
    page_slot_t *slots = slots_new(new_cap);
    if (!slots)
        return -1;
    for (size_t i = 0; i < cap; i++)
        if (m->slots[i].frame != NO_FRAME)
            slot_put(slots, new_cap - 1, m->slots[i].frame, m->slots[i].page);
    free(m->slots);
    m->slots = slots;
    m->slot_mask = new_cap - 1;
    return 0;
}

static const uint8_t *page_for_read(physmem_t *m, uint64_t frame)
{
    if (frame != m->last_frame) {
        m->last_frame = frame;
        m->last_page = page_find(m, frame);
    }
    return m->last_page;
}

/* The page of frame, allocated (zeroed) if it has none yet; NULL if out of memory. */
static uint8_t *page_for_write(physmem_t *m, uint64_t frame)
{
    uint8_t *page = frame == m->last_frame ? m->last_page : page_find(m, frame);
    if (!page) {
        if (slots_reserve_one(m) != 0)
            return NULL;
        page = calloc(1, PAGE_SIZE);
        if (!page)
            return NULL;
        slot_put(m->slots, m->slot_mask, frame, page);
        m->slots_used++;
        m->stats.pages_allocated++;
    }
    m->last_frame = frame;
    m->last_page = page;
    return page;
}

uint8_t *physmem_page(physmem_t *m, paddr_t pa)
{
    return pa >> PAGE_SHIFT < m->frame_count ? page_for_write(m, pa >> PAGE_SHIFT) : NULL;
}

static bool access_ok(const physmem_t *m, paddr_t pa, unsigned size)
{
    return (pa & (size - 1)) == 0 && (pa >> m->maxphyaddr) == 0;
}

/* Byte-wise so the result is little-endian on any host; compilers merge it into one load. */
static uint64_t load_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void store_le(uint8_t *p, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static int read_sized(physmem_t *m, paddr_t pa, unsigned size, uint64_t *v)
{
    if (!access_ok(m, pa, size)) {
        *v = 0;
        return -1;
    }
    const uint8_t *page = page_for_read(m, pa >> PAGE_SHIFT);
    *v = page ? load_le(page + (pa & (PAGE_SIZE - 1)), size) : 0;
    return 0;
}

static int write_sized(physmem_t *m, paddr_t pa, unsigned size, uint64_t v)
{
    if (!access_ok(m, pa, size))
        return -1;
    uint8_t *page = page_for_write(m, pa >> PAGE_SHIFT);
    if (!page)
        return -1;
    store_le(page + (pa & (PAGE_SIZE - 1)), v, size);
    return 0;
}

/* --- public accessors ---------------------------------------------------- */

int physmem_read32(physmem_t *m, paddr_t pa, uint32_t *v)
{
    uint64_t wide;
    int rc = read_sized(m, pa, 4, &wide);
    *v = (uint32_t)wide;
    if (rc == 0)
        m->stats.reads++;
    return rc;
}

int physmem_read64(physmem_t *m, paddr_t pa, uint64_t *v)
{
    int rc = read_sized(m, pa, 8, v);
    if (rc == 0)
        m->stats.reads++;
    return rc;
}

int physmem_write32(physmem_t *m, paddr_t pa, uint32_t v)
{
    int rc = write_sized(m, pa, 4, v);
    if (rc == 0)
        m->stats.writes++;
    return rc;
}

int physmem_write64(physmem_t *m, paddr_t pa, uint64_t v)
{
    int rc = write_sized(m, pa, 8, v);
    if (rc == 0)
        m->stats.writes++;
    return rc;
}

/* Uncounted: table building is not traffic of the modelled walker. */
uint64_t physmem_peek64(physmem_t *m, paddr_t pa)
{
    uint64_t v;
    (void)read_sized(m, pa, 8, &v);   /* v is 0 on a bad address */
    return v;
}

static void note_backdoor(physmem_t *m, uint64_t frame)
{
    if (!m->track_backdoor || (m->num_touched && m->touched[m->num_touched - 1] == frame))
        return;
    if (m->num_touched == m->touched_cap) {
        size_t cap = m->touched_cap ? m->touched_cap * 2 : 64;
        uint64_t *t = realloc(m->touched, cap * sizeof *t);
        if (!t) {
            m->track_backdoor = false;   /* degrade loudly: physmem_copy_backdoor reports it */
            return;
        }
        m->touched = t;
        m->touched_cap = cap;
    }
    m->touched[m->num_touched++] = frame;
}

void physmem_poke64(physmem_t *m, paddr_t pa, uint64_t v)
{
    if (write_sized(m, pa, 8, v) == 0)
        note_backdoor(m, pa >> PAGE_SHIFT);
}

void physmem_poke32(physmem_t *m, paddr_t pa, uint32_t v)
{
    if (write_sized(m, pa, 4, v) == 0)
        note_backdoor(m, pa >> PAGE_SHIFT);
}

/* --- frame allocator ----------------------------------------------------- */

static int runs_reserve(physmem_t *m, size_t extra)
{
    if (m->num_runs + extra <= m->runs_cap)
        return 0;
    size_t cap = m->runs_cap ? m->runs_cap * 2 : 8;
    while (cap < m->num_runs + extra)
        cap *= 2;
    frame_run_t *runs = realloc(m->runs, cap * sizeof *runs);
    if (!runs)
        return -1;
    m->runs = runs;
    m->runs_cap = cap;
    return 0;
}

static void runs_remove(physmem_t *m, size_t i)
{
    memmove(&m->runs[i], &m->runs[i + 1], (m->num_runs - i - 1) * sizeof *m->runs);
    m->num_runs--;
}

/* Caller has reserved room. */
static void runs_insert(physmem_t *m, size_t i, frame_run_t run)
{
    memmove(&m->runs[i + 1], &m->runs[i], (m->num_runs - i) * sizeof *m->runs);
    m->runs[i] = run;
    m->num_runs++;
}

/* Handed-out frames read as zero whatever they held before. */
static void zero_frames(physmem_t *m, uint64_t first, uint64_t count)
{
    for (uint64_t f = first; f < first + count; f++) {
        uint8_t *page = page_find(m, f);
        if (page) {
            memset(page, 0, PAGE_SIZE);
            note_backdoor(m, f);
        }
    }
}

void physmem_set_frame_range(physmem_t *m, paddr_t base, paddr_t limit)
{
    uint64_t first = base / PAGE_SIZE + (base % PAGE_SIZE != 0);
    uint64_t end = limit / PAGE_SIZE;
    if (first == 0)
        first = 1;                    /* frame 0 is never handed out */
    if (end > m->frame_count)
        end = m->frame_count;
    m->num_runs = 0;
    m->stats.frames_allocated = 0;
    if (first >= end) {
        m->range_first = m->range_end = 0;
        return;
    }
    m->range_first = first;
    m->range_end = end;
    if (runs_reserve(m, 1) == 0)
        runs_insert(m, 0, (frame_run_t){ first, end });
}

paddr_t physmem_alloc_frame(physmem_t *m)
{
    return physmem_alloc_frames(m, 1, PAGE_SIZE);
}

paddr_t physmem_alloc_frames(physmem_t *m, unsigned n, uint64_t align)
{
    if (n == 0 || align < PAGE_SIZE || (align & (align - 1)) != 0)
        return 0;
    uint64_t align_frames = align / PAGE_SIZE;
    /* First fit over ascending runs = the lowest suitable address. */
    for (size_t i = 0; i < m->num_runs; i++) {
        frame_run_t run = m->runs[i];
        uint64_t start = (run.first + align_frames - 1) & ~(align_frames - 1);
        if (start >= run.end || run.end - start < n)
            continue;
        bool keep_left = start > run.first, keep_right = start + n < run.end;
        if (keep_left && keep_right) {
            if (runs_reserve(m, 1) != 0)
                return 0;
            m->runs[i].end = start;
            runs_insert(m, i + 1, (frame_run_t){ start + n, run.end });
        } else if (keep_left) {
            m->runs[i].end = start;
        } else if (keep_right) {
            m->runs[i].first = start + n;
        } else {
            runs_remove(m, i);
        }
        zero_frames(m, start, n);
        m->stats.frames_allocated += n;
        return start << PAGE_SHIFT;
    }
    return 0;
}

/* Frees of addresses the allocator never handed out (unaligned, outside the
 * range, already free) are ignored. */
void physmem_free_frame(physmem_t *m, paddr_t pa)
{
    uint64_t frame = pa >> PAGE_SHIFT;
    if ((pa & (PAGE_SIZE - 1)) != 0 || frame < m->range_first || frame >= m->range_end)
        return;
    /* next = index of the first run starting above frame */
    size_t lo = 0, hi = m->num_runs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->runs[mid].first > frame)
            hi = mid;
        else
            lo = mid + 1;
    }
    size_t next = lo;
    frame_run_t *prev = next > 0 ? &m->runs[next - 1] : NULL;
    if (prev && frame < prev->end)
        return;                                   /* already free */
    bool joins_prev = prev && prev->end == frame;
    bool joins_next = next < m->num_runs && m->runs[next].first == frame + 1;
    if (joins_prev && joins_next) {
        prev->end = m->runs[next].end;
        runs_remove(m, next);
    } else if (joins_prev) {
        prev->end = frame + 1;
    } else if (joins_next) {
        m->runs[next].first = frame;
    } else {
        if (runs_reserve(m, 1) != 0)
            return;                               /* out of memory: the frame stays in use */
        runs_insert(m, next, (frame_run_t){ frame, frame + 1 });
    }
    m->stats.frames_allocated--;
}

/* --- lifetime, statistics, iteration ------------------------------------- */

physmem_t *physmem_create(unsigned maxphyaddr)
{
    if (maxphyaddr < PAGE_SHIFT || maxphyaddr > MAX_MAXPHYADDR)
        return NULL;
    physmem_t *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->maxphyaddr = maxphyaddr;
    m->frame_count = 1ull << (maxphyaddr - PAGE_SHIFT);
    m->slots = slots_new(INITIAL_SLOTS);
    if (!m->slots) {
        free(m);
        return NULL;
    }
    m->slot_mask = INITIAL_SLOTS - 1;
    m->last_frame = NO_FRAME;
    uint64_t top = 1ull << maxphyaddr;
    physmem_set_frame_range(m, DEFAULT_FRAME_BASE,
                            top < DEFAULT_FRAME_LIMIT_CAP ? top : DEFAULT_FRAME_LIMIT_CAP);
    return m;
}

void physmem_destroy(physmem_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i <= m->slot_mask; i++)
        free(m->slots[i].page);
    free(m->slots);
    free(m->runs);
    free(m->touched);
    free(m);
}

const physmem_stats_t *physmem_stats(const physmem_t *m)
{
    return &m->stats;
}

/* Only the access counters; the page and frame counts describe state. */
void physmem_reset_counters(physmem_t *m)
{
    m->stats.reads = 0;
    m->stats.writes = 0;
}

unsigned physmem_maxphyaddr(const physmem_t *m)
{
    return m->maxphyaddr;
}

static int compare_slots_by_frame(const void *a, const void *b)
{
    uint64_t fa = ((const page_slot_t *)a)->frame, fb = ((const page_slot_t *)b)->frame;
    return (fa > fb) - (fa < fb);
}

void physmem_for_each_page(const physmem_t *m, physmem_page_fn fn, void *ctx)
{
    page_slot_t *sorted = malloc((m->slots_used ? m->slots_used : 1) * sizeof *sorted);
    if (sorted) {
        size_t n = 0;
        for (size_t i = 0; i <= m->slot_mask; i++)
            if (m->slots[i].frame != NO_FRAME)
                sorted[n++] = m->slots[i];
        if (n > 1)
            qsort(sorted, n, sizeof *sorted, compare_slots_by_frame);
        for (size_t i = 0; i < n; i++)
            fn(ctx, sorted[i].frame << PAGE_SHIFT, sorted[i].page);
        free(sorted);
        return;
    }
    /* Out of memory: select the next-higher frame on each pass (quadratic, but still ordered). */
    uint64_t floor = 0;
    bool any_left = true;
    for (size_t visited = 0; visited < m->slots_used && any_left; visited++) {
        const page_slot_t *best = NULL;
        for (size_t i = 0; i <= m->slot_mask; i++) {
            const page_slot_t *s = &m->slots[i];
            if (s->frame != NO_FRAME && s->frame >= floor && (!best || s->frame < best->frame))
                best = s;
        }
        any_left = best != NULL;
        if (best) {
            fn(ctx, best->frame << PAGE_SHIFT, best->page);
            floor = best->frame + 1;
        }
    }
}

/* --- backdoor mirroring and comparison ------------------------------------ */

void physmem_track_backdoor(physmem_t *m, bool on)
{
    m->track_backdoor = on;
    m->num_touched = 0;
}

static int compare_frames(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

long physmem_copy_backdoor(physmem_t *src, physmem_t *dst)
{
    if (!src->track_backdoor)
        return -1;
    if (src->num_touched == 0)
        return 0;   /* also: touched may still be NULL, and qsort(NULL, 0, ...) is undefined */
    qsort(src->touched, src->num_touched, sizeof *src->touched, compare_frames);
    long copied = 0;
    for (size_t i = 0; i < src->num_touched; i++) {
        uint64_t f = src->touched[i];
        if (i && f == src->touched[i - 1])
            continue;
        const uint8_t *from = page_find(src, f);
        uint8_t *to = from ? page_for_write(dst, f) : page_find(dst, f);
        if (!to)
            continue;   /* absent on both sides: both read as zero */
        if (from)
            memcpy(to, from, PAGE_SIZE);
        else
            memset(to, 0, PAGE_SIZE);
        copied++;
    }
    src->num_touched = 0;
    return copied;
}

int physmem_diff(const physmem_t *a, const physmem_t *b, paddr_t *first_diff)
{
    static const uint8_t zero[PAGE_SIZE];
    paddr_t best = 0;
    bool found = false;
    for (int pass = 0; pass < 2; pass++) {
        const physmem_t *x = pass ? b : a, *y = pass ? a : b;
        for (size_t i = 0; i <= x->slot_mask; i++) {
            if (x->slots[i].frame == NO_FRAME)
                continue;
            uint64_t f = x->slots[i].frame;
            const uint8_t *px = x->slots[i].page, *py = page_find(y, f);
            if (!py)
                py = zero;
            if (memcmp(px, py, PAGE_SIZE) == 0)
                continue;
            for (unsigned off = 0; off < PAGE_SIZE; off++) {
                if (px[off] != py[off]) {
                    paddr_t pa = (f << PAGE_SHIFT) + off;
                    if (!found || pa < best)
                        best = pa;
                    found = true;
                    break;
                }
            }
        }
    }
    if (found && first_diff)
        *first_diff = best;
    return found;
}
