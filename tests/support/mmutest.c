#include "mmutest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Live instances, freed by mt_teardown when a failed assertion skipped mt_free. */
#define MT_MAX_LIVE 64
static mt_t *live[MT_MAX_LIVE];

static void live_add(mt_t *t)
{
    for (int i = 0; i < MT_MAX_LIVE; i++)
        if (!live[i]) {
            live[i] = t;
            return;
        }
}

static void live_del(mt_t *t)
{
    for (int i = 0; i < MT_MAX_LIVE; i++)
        if (live[i] == t)
            live[i] = NULL;
}

int mt_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < MT_MAX_LIVE; i++)
        if (live[i])
            mt_free(live[i]);
    return 0;
}

mt_t *mt_new(const char *const *overrides)
{
    char err[CONFIG_ERR_LEN] = "";
    mt_t *t = calloc(1, sizeof *t);
    assert_non_null(t);
    live_add(t);
    config_defaults(&t->cfg);
    for (const char *const *o = overrides; o && *o; o++) {
        if (config_set_assignment(&t->cfg, *o, err) != 0)
            fail_msg("config override '%s': %s", *o, err);
    }
    if (config_validate(&t->cfg, err) != 0)
        fail_msg("config_validate: %s", err);
    t->mem = physmem_create((unsigned)t->cfg.maxphyaddr);
    assert_non_null(t->mem);
    physmem_set_frame_range(t->mem, MT_FRAMES_BASE, MT_FRAMES_LIMIT);
    t->mmu = mmu_create(&t->cfg, t->mem, err);
    if (!t->mmu)
        fail_msg("mmu_create: %s", err);
    t->mode = PAGING_OFF;
    return t;
}

mt_t *mt_newv(const char *first, ...)
{
    const char *list[64];
    int n = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s && n < 63; s = va_arg(ap, const char *))
        list[n++] = s;
    va_end(ap);
    list[n] = NULL;
    return mt_new(list);
}

void mt_free(mt_t *t)
{
    if (!t)
        return;
    live_del(t);
    if (t->mmu)
        mmu_destroy(t->mmu);
    if (t->mem)
        physmem_destroy(t->mem);
    free(t);
}

void mt_tables(mt_t *t, paging_mode_t mode)
{
    assert_int_equal(ptb_init(&t->pt, t->mem, mode), 0);
    t->mode = mode;
}

void mt_tables_extra(mt_t *t, ptbuild_t *b, paging_mode_t mode)
{
    assert_int_equal(ptb_init(b, t->mem, mode), 0);
}

void mt_map_in(ptbuild_t *b, vaddr_t va, paddr_t pa, unsigned shift, uint64_t leaf_flags,
               uint64_t table_flags)
{
    if (ptb_map(b, va, pa, shift, leaf_flags, table_flags) != 0)
        fail_msg("ptb_map(va=%#llx, pa=%#llx, shift=%u) failed", (unsigned long long)va,
                 (unsigned long long)pa, shift);
}

void mt_map(mt_t *t, vaddr_t va, paddr_t pa, unsigned shift, uint64_t leaf_flags)
{
    mt_map_in(&t->pt, va, pa, shift, leaf_flags, PTB_TABLE_FLAGS);
}

int mt_top_level(paging_mode_t mode)
{
    switch (mode) {
    case PAGING_5LEVEL: return 5;
    case PAGING_4LEVEL: return 4;
    default: return 2;
    }
}

uint64_t mt_flag_mask(paging_mode_t mode)
{
    uint64_t m = PTE_P | PTE_RW | PTE_US | PTE_PWT | PTE_PCD | PTE_A | PTE_D | PTE_G;
    if (mode != PAGING_32)
        m |= PTE_XD;
    return m;
}

paddr_t mt_entry_pa(mt_t *t, vaddr_t va, int level)
{
    paddr_t pa = ptb_entry_addr(&t->pt, va, level);
    if (!pa)
        fail_msg("no entry at level %d for va %#llx", level, (unsigned long long)va);
    return pa;
}

uint64_t mt_entry(mt_t *t, vaddr_t va, int level)
{
    return ptb_read_entry(&t->pt, mt_entry_pa(t, va, level));
}

void mt_entry_write(mt_t *t, vaddr_t va, int level, uint64_t value)
{
    ptb_write_entry(&t->pt, mt_entry_pa(t, va, level), value);
}

void mt_set_flags(mt_t *t, vaddr_t va, int level, uint64_t flags)
{
    uint64_t mask = mt_flag_mask(t->mode);
    uint64_t e = mt_entry(t, va, level);
    mt_entry_write(t, va, level, (e & ~mask) | (flags & mask));
}

mmu_fault_t mt_ctrl(mt_t *t, mmu_ctrl_kind_t kind, uint64_t value, mmu_ctrl_result_t *out)
{
    mmu_ctrl_t op;
    mmu_ctrl_result_t r;
    memset(&op, 0, sizeof op);
    memset(&r, 0, sizeof r);
    op.kind = kind;
    op.value = value;
    op.issue_cycle = mmu_horizon(t->mmu);
    assert_int_equal(mmu_control(t->mmu, &op, &r), 0);
    if (out)
        *out = r;
    return r.fault;
}

void mt_ctrl_ok(mt_t *t, mmu_ctrl_kind_t kind, uint64_t value)
{
    static const char *names[] = {"CR0", "CR3", "CR4", "EFER", "INVLPG", "INVPCID", "PKRU", "IA32_PKRS"};
    mmu_fault_t f = mt_ctrl(t, kind, value, NULL);
    if (f != FAULT_NONE)
        fail_msg("write %s = %#llx failed with %s", names[kind], (unsigned long long)value,
                 mmu_fault_name(f));
}

mmu_fault_t mt_invlpg(mt_t *t, vaddr_t va, mmu_ctrl_result_t *out)
{
    mmu_ctrl_t op;
    mmu_ctrl_result_t r;
    memset(&op, 0, sizeof op);
    memset(&r, 0, sizeof r);
    op.kind = CTRL_INVLPG;
    op.va = va;
    op.issue_cycle = mmu_horizon(t->mmu);
    assert_int_equal(mmu_control(t->mmu, &op, &r), 0);
    if (out)
        *out = r;
    return r.fault;
}

mmu_fault_t mt_invpcid(mt_t *t, unsigned type, uint64_t pcid, vaddr_t va, mmu_ctrl_result_t *out)
{
    mmu_ctrl_t op;
    mmu_ctrl_result_t r;
    memset(&op, 0, sizeof op);
    memset(&r, 0, sizeof r);
    op.kind = CTRL_INVPCID;
    op.invpcid_type = type;
    op.pcid = pcid;
    op.va = va;
    op.issue_cycle = mmu_horizon(t->mmu);
    assert_int_equal(mmu_control(t->mmu, &op, &r), 0);
    if (out)
        *out = r;
    return r.fault;
}

void mt_enter_cr3(mt_t *t, paging_mode_t mode, uint64_t cr3, uint64_t cr0_extra, uint64_t cr4_extra,
                  uint64_t efer_extra)
{
    uint64_t cr4 = cr4_extra & ~CR4_PCIDE, efer = efer_extra;
    switch (mode) {
    case PAGING_32: break;
    case PAGING_PAE: cr4 |= CR4_PAE; break;
    case PAGING_4LEVEL: cr4 |= CR4_PAE; efer |= EFER_LME; break;
    case PAGING_5LEVEL: cr4 |= CR4_PAE | CR4_LA57; efer |= EFER_LME; break;
    default: fail_msg("mt_enter: bad mode %d", (int)mode);
    }
    mt_ctrl_ok(t, CTRL_CR4, cr4);
    mt_ctrl_ok(t, CTRL_EFER, efer);
    mt_ctrl_ok(t, CTRL_CR3, cr3);
    mt_ctrl_ok(t, CTRL_CR0, CR0_PE | CR0_PG | cr0_extra);
    if (cr4_extra & CR4_PCIDE)
        mt_ctrl_ok(t, CTRL_CR4, cr4 | CR4_PCIDE);
}

void mt_enter(mt_t *t, paging_mode_t mode, uint64_t cr0_extra, uint64_t cr4_extra, uint64_t efer_extra)
{
    mt_enter_cr3(t, mode, ptb_cr3(&t->pt), cr0_extra, cr4_extra, efer_extra);
}

mmu_result_t mt_access(mt_t *t, vaddr_t va, mmu_access_t acc, unsigned cpl, bool ac, bool implicit)
{
    mmu_req_t q;
    mmu_result_t r;
    memset(&q, 0, sizeof q);
    memset(&r, 0, sizeof r);
    q.va = va;
    q.access = acc;
    q.cpl = (uint8_t)cpl;
    q.ac = ac;
    q.implicit = implicit;
    q.issue_cycle = mmu_horizon(t->mmu);
    assert_int_equal(mmu_translate(t->mmu, &q, &r), 0);
    return r;
}

mmu_result_t mt_rd(mt_t *t, vaddr_t va) { return mt_access(t, va, ACC_READ, 0, false, false); }
mmu_result_t mt_wr(mt_t *t, vaddr_t va) { return mt_access(t, va, ACC_WRITE, 0, false, false); }
mmu_result_t mt_fetch(mt_t *t, vaddr_t va) { return mt_access(t, va, ACC_EXEC, 0, false, false); }

mmu_arch_t mt_arch(mt_t *t)
{
    mmu_arch_t a;
    memset(&a, 0, sizeof a);
    mmu_arch_state(t->mmu, &a);
    return a;
}

int mt_how(const mmu_result_t *r)
{
    if (r->fault == FAULT_PF)
        return MT_PF;
    if (r->fault == FAULT_GP)
        return MT_GP;
    if (r->tlb_hit == TLB_HIT_L1)
        return MT_L1;
    if (r->tlb_hit == TLB_HIT_L2)
        return MT_L2;
    if (r->walked)
        return MT_WALK;
    return MT_OFF;
}

const char *mt_how_name(int how)
{
    static const char *n[] = {"?", "L1-hit", "L2-hit", "walk", "#PF", "#GP", "no-lookup"};
    return how >= 1 && how <= 6 ? n[how] : "?";
}

void mt_expect_how_at(const mmu_result_t *r, int want, const char *file, int line)
{
    int got = mt_how(r);
    if (got != want)
        fail_msg("%s:%d: va %#llx %s: expected %s, got %s (tlb_hit=%d walked=%d pwc_hit=%d fault=%s ec=%#x)",
                 file, line, (unsigned long long)r->va, mmu_access_name(r->access), mt_how_name(want),
                 mt_how_name(got), (int)r->tlb_hit, (int)r->walked, (int)r->pwc_hit,
                 mmu_fault_name(r->fault), r->error_code);
}

vaddr_t mt_canon(vaddr_t va, int bits)
{
    uint64_t sign = 1ull << (bits - 1);
    va &= (sign << 1) - 1;
    return (va & sign) ? (va | ~((sign << 1) - 1)) : va;
}

void mt_ops_record(void *ctx, const mmu_memop_t *op)
{
    mt_ops_t *o = ctx;
    if (o->n < MT_MAX_OPS)
        o->op[o->n] = *op;
    o->n++;
}

void mt_ops_start(mt_t *t, mt_ops_t *ops)
{
    memset(ops, 0, sizeof *ops);
    mmu_set_memop_observer(t->mmu, mt_ops_record, ops);
}

void mt_ops_stop(mt_t *t)
{
    mmu_set_memop_observer(t->mmu, NULL, NULL);
}
