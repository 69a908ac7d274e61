/* Seeded synthetic workloads (workload.h): the address space of their own (for the benchmarks
 * and the generators' unit tests; the demo runs processes of the OS layer) — which slots of the
 * region get which page size, the page tables (eager, or lazily on first touch), the control
 * registers of the mode — and the workload's life cycle. */
#include "workload_int.h"

const wl_params_t *wl_params(const workload_t *w) { return &w->p; }
mmu_t *wl_mmu(workload_t *w) { return w->m.be ? backend_model(w->m.be) : NULL; }
backend_t *wl_backend(workload_t *w) { return w->m.be; }
physmem_t *wl_mem(workload_t *w) { return w->m.mem; }
const ptbuild_t *wl_ptb(const workload_t *w) { return &w->ptb; }
uint64_t wl_pages(const workload_t *w, page_class_t c) { return c < NUM_PSC ? w->pages[c] : 0; }
uint64_t wl_pages_mapped(const workload_t *w, page_class_t c) { return c < NUM_PSC ? w->pages_mapped[c] : 0; }

unsigned wl_page_shift(const workload_t *w, vaddr_t va)
{
    if (va < w->p.va_base || va - w->p.va_base >= w->p.region_bytes)
        return 0;
    switch (w->cls[(va - w->p.va_base) >> w->lshift]) {
    case PSC_4K: return 12;
    case PSC_2M: return w->lshift;
    default: return 30;
    }
}

paddr_t wl_expected_pa(const workload_t *w, vaddr_t va)
{
    return w->data_base + ((va - w->p.va_base) & (w->data_span - 1));
}

/* Picks k of the n indices in idx (partial Fisher-Yates); they end up in idx[0..k). */
static void pick(rng_t *r, uint64_t *idx, uint64_t n, uint64_t k)
{
    for (uint64_t i = 0; i < k; i++) {
        uint64_t j = i + rng_below(r, n - i);
        uint64_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

static int build_layout(workload_t *w, char *err)
{
    const wl_params_t *p = &w->p;
    w->nslots = p->region_bytes >> w->lshift;
    w->cls = calloc(w->nslots, 1);
    w->mapped = calloc(w->nslots, 1);
    if (!w->cls || !w->mapped) {
        wl_errf(err, "out of memory");
        return -1;
    }
    rng_t r;
    rng_seed(&r, p->seed ^ 0x6c61796f75742121ull);   /* layout stream, independent of ops */

    const uint64_t per_g = GIB >> w->lshift;            /* slots per 1 GiB */
    const uint64_t full_g = (w->p.mode == PAGING_4LEVEL || w->p.mode == PAGING_5LEVEL)
                                ? p->region_bytes >> 30 : 0;
    uint64_t n1g = (uint64_t)llround(p->frac_1g * (double)(p->region_bytes >> 30));
    if (n1g > full_g)
        n1g = full_g;
    uint64_t free_slots = w->nslots - n1g * per_g;
    uint64_t nlarge = (uint64_t)llround(p->frac_large * (double)w->nslots);
    if (nlarge > free_slots)
        nlarge = free_slots;

    uint64_t *idx = malloc((w->nslots > full_g ? w->nslots : full_g + 1) * sizeof *idx);
    if (!idx) {
        wl_errf(err, "out of memory");
        return -1;
    }
    for (uint64_t i = 0; i < full_g; i++)
        idx[i] = i;
    pick(&r, idx, full_g, n1g);
    for (uint64_t i = 0; i < n1g; i++)
        memset(w->cls + idx[i] * per_g, PSC_1G, per_g);

    uint64_t n = 0;
    for (uint64_t s = 0; s < w->nslots; s++)
        if (w->cls[s] != PSC_1G)
            idx[n++] = s;
    pick(&r, idx, n, nlarge);
    for (uint64_t i = 0; i < nlarge; i++)
        w->cls[idx[i]] = PSC_2M;
    free(idx);

    w->pages[PSC_1G] = n1g;
    w->pages[PSC_2M] = nlarge;
    w->pages[PSC_4K] = (free_slots - nlarge) << (w->lshift - 12);

    if (p->kind == WL_HOTCOLD) {
        w->nhot = p->hot_bytes >> 12;
        if (w->nhot == 0)
            w->nhot = 1;
        w->hot = malloc(w->nhot * sizeof *w->hot);
        if (!w->hot) {
            wl_errf(err, "out of memory");
            return -1;
        }
        const uint64_t npages = p->region_bytes >> 12;
        for (uint64_t i = 0; i < w->nhot; i++)
            w->hot[i] = rng_below(&r, npages) << 12;
    }
    w->npages4k = p->region_bytes >> 12;
    if (p->kind == WL_ZIPF && !(w->zipf_cdf = wl_zipf_table(w->npages4k, p->zipf_s))) {
        wl_errf(err, "out of memory for the Zipf table");
        return -1;
    }
    if (p->kind == WL_CHASE) {
        rng_t cr;   /* its own RNG: the layout's and the stream's draws stay as they were */
        rng_seed(&cr, p->seed ^ 0x6368617365ull);
        if (!(w->chase_next = wl_chase_cycle(w->npages4k, &cr))) {
            wl_errf(err, "out of memory for the chase cycle");
            return -1;
        }
    }
    return 0;
}

/* Writes the leaves of slot s (a whole page table for 4 KiB slots). */
int wl_map_slot(workload_t *w, uint64_t s)
{
    if (w->mapped[s])
        return 0;
    const wl_params_t *p = &w->p;
    const uint64_t off = s << w->lshift;
    const vaddr_t va = p->va_base + off;
    const paddr_t pa = wl_expected_pa(w, va);
    const uint64_t tflags = PTB_TABLE_FLAGS;
    switch (w->cls[s]) {
    case PSC_1G: {
        const uint64_t per_g = GIB >> w->lshift;
        const uint64_t first = s & ~(per_g - 1);
        const vaddr_t gva = p->va_base + (first << w->lshift);
        if (ptb_map(&w->ptb, gva, wl_expected_pa(w, gva), 30, w->leaf_flags, tflags) != 0)
            return -1;
        memset(w->mapped + first, 1, per_g);
        w->pages_mapped[PSC_1G]++;
        return 0;
    }
    case PSC_2M:
        if (ptb_map(&w->ptb, va, pa, w->lshift, w->leaf_flags, tflags) != 0)
            return -1;
        w->pages_mapped[PSC_2M]++;
        break;
    default: {
        /* The first page through ptb_map (allocates the tables), the rest of
         * the page table directly: a 4 KiB leaf is pa | flags in every mode. */
        if (ptb_map(&w->ptb, va, pa, 12, w->leaf_flags, tflags) != 0)
            return -1;
        const paddr_t pt = ptb_entry_addr(&w->ptb, va, LVL_PT);
        if (pt == 0)
            return -1;
        const uint64_t n = 1ull << (w->lshift - 12);
        for (uint64_t i = 1; i < n; i++)
            ptb_write_entry(&w->ptb, pt + i * w->esize, (pa + (i << 12)) | w->leaf_flags);
        w->pages_mapped[PSC_4K] += n;
        break;
    }
    }
    w->mapped[s] = 1;
    return 0;
}

static int ctrl(workload_t *w, mmu_ctrl_kind_t kind, uint64_t value, const char *what, char *err)
{
    mmu_ctrl_t op = { .kind = kind, .value = value, .issue_cycle = backend_horizon(w->m.be) };
    mmu_ctrl_result_t r;
    if (backend_control(w->m.be, &op, &r) != 0 || r.fault != FAULT_NONE) {
        wl_errf(err, "setting up the MMU: %s write 0x%" PRIx64 " failed", what, value);
        return -1;
    }
    return 0;
}

/* Control registers in a legal order (docs/semantics.md section 7): EFER
 * (LME before paging), CR4 (PAE/LA57/PSE/PGE while paging is off), CR3, CR0. */
static void wl_mode_regs(paging_mode_t mode, uint64_t *efer, uint64_t *cr4, uint64_t *cr0)
{
    *efer = 0;
    *cr4 = CR4_PGE;
    switch (mode) {
    case PAGING_32: *cr4 |= CR4_PSE; break;
    case PAGING_PAE: *efer = EFER_NXE; *cr4 |= CR4_PAE; break;
    case PAGING_4LEVEL: *efer = EFER_NXE | EFER_LME; *cr4 |= CR4_PAE; break;
    default: *efer = EFER_NXE | EFER_LME; *cr4 |= CR4_PAE | CR4_LA57; break;
    }
    *cr0 = CR0_PE | CR0_WP | CR0_PG;
}

static int setup_crs(workload_t *w, char *err)
{
    uint64_t efer, cr4, cr0;
    wl_mode_regs(w->p.mode, &efer, &cr4, &cr0);
    if (ctrl(w, CTRL_EFER, efer, "EFER", err) || ctrl(w, CTRL_CR4, cr4, "CR4", err) ||
        ctrl(w, CTRL_CR3, ptb_cr3(&w->ptb), "CR3", err) || ctrl(w, CTRL_CR0, cr0, "CR0", err))
        return -1;
    backend_clear_stats(w->m.be);
    return 0;
}

workload_t *wl_create(const wl_params_t *params, const mmu_config_t *cfg, char *err)
{
    return wl_create_on(params, cfg, BACKEND_MODEL, err);
}

/* tables: build the address space (memory, page tables); else the stream's state alone. */
static workload_t *create(const wl_params_t *params, const mmu_config_t *cfg, backend_kind_t kind, bool tables,
                          char *err)
{
    wl_params_t p = *params;
    if (wl_validate(&p, err) != 0)
        return NULL;
    workload_t *w = calloc(1, sizeof *w);
    if (!w) {
        wl_errf(err, "out of memory");
        return NULL;
    }
    w->p = p;
    w->lshift = wl_large_shift(p.mode);
    w->esize = p.mode == PAGING_32 ? 4 : 8;
    w->two_ports = cfg && cfg->ports >= 2;
    const unsigned maxphyaddr = cfg ? (unsigned)cfg->maxphyaddr : 46;
    char merr[CONFIG_ERR_LEN] = "";
    if (!tables) {
        if (build_layout(w, err) != 0)
            goto fail;
        wl_rewind(w);
        return w;
    }
    if (machine_init(&w->m, maxphyaddr, TABLE_FRAMES_BASE, TABLE_FRAMES_LIMIT, merr) < 0) {
        wl_errf(err, "%s", merr);
        goto fail;
    }
    if (p.mode == PAGING_32) {
        w->data_base = w->data_span = 2 * GIB;
    } else {
        w->data_base = w->data_span = 1ull << (maxphyaddr - 1);
    }
    w->leaf_flags = PTE_P | PTE_RW | (p.user ? PTE_US : 0) | (p.global ? PTE_G : 0) |
                    (p.preset_a ? PTE_A : 0) | (p.preset_d ? PTE_D : 0);
    if (ptb_init(&w->ptb, w->m.mem, p.mode) != 0) {
        wl_errf(err, "cannot allocate the top-level page table");
        goto fail;
    }
    if (build_layout(w, err) != 0)
        goto fail;
    w->lazy = p.map == WL_MAP_LAZY || (p.map == WL_MAP_AUTO && p.region_bytes > 4 * GIB);
    if (!w->lazy) {
        for (uint64_t s = 0; s < w->nslots; s++)
            if (wl_map_slot(w, s) != 0) {
                wl_errf(err, "mapping the region failed at 0x%" PRIx64 " (out of table frames?)",
                     p.va_base + (s << w->lshift));
                goto fail;
            }
    }
    if (cfg) {
        if (machine_start(&w->m, kind, cfg, NULL, merr) < 0) {
            wl_errf(err, "%s", merr);
            goto fail;
        }
        if (setup_crs(w, err) != 0)
            goto fail;
    }
    physmem_reset_counters(w->m.mem);
    wl_rewind(w);
    return w;
fail:
    wl_destroy(w);
    return NULL;
}

workload_t *wl_create_on(const wl_params_t *params, const mmu_config_t *cfg, backend_kind_t kind, char *err)
{
    return create(params, cfg, kind, true, err);
}

workload_t *wl_create_stream(const wl_params_t *params, char *err)
{
    return create(params, NULL, BACKEND_MODEL, false, err);
}

void wl_destroy(workload_t *w)
{
    if (!w)
        return;
    machine_release(&w->m);
    free(w->cls);
    free(w->mapped);
    free(w->hot);
    free(w->zipf_cdf);
    free(w->chase_next);
    free(w);
}
