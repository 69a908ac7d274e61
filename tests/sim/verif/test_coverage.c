/* Functional coverage (sim/verif/coverage.h): binning of hand-made results, the
 * impossible bins, control-operation kinds, merging, JSON round trips and the
 * printed table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "coverage.h"

static cov_t *new_cov(const mmu_config_t *cfg)
{
    cov_t *c = calloc(1, sizeof *c);
    assert_non_null(c);
    cov_init(c, cfg);
    return c;
}

static mmu_result_t ok(unsigned shift, tlb_hit_t tlb, unsigned pwc)
{
    mmu_result_t r = {0};
    r.fault = FAULT_NONE;
    r.page_shift = (uint8_t)shift;
    r.tlb_hit = tlb;
    r.pwc_hit = (uint8_t)pwc;
    r.walked = tlb == TLB_HIT_NONE;
    return r;
}

static mmu_result_t pf(uint32_t ec, unsigned pwc)
{
    mmu_result_t r = {0};
    r.fault = FAULT_PF;
    r.error_code = ec;
    r.pwc_hit = (uint8_t)pwc;
    r.walked = true;
    return r;
}

static void test_binning(void **state)
{
    (void)state;
    cov_t *c = new_cov(NULL);
    mmu_result_t r = ok(12, TLB_HIT_L1, 0);
    cov_add_access(c, PAGING_4LEVEL, &r);
    cov_add_access(c, PAGING_4LEVEL, &r);
    assert_int_equal(c->access[COV_M_4][COV_S_4K][COV_F_NONE][COV_P_NONE][COV_T_L1], 2);
    r = ok(21, TLB_HIT_NONE, 3);          /* a 2 MiB page found below a PDPTE-cache hit */
    cov_add_access(c, PAGING_5LEVEL, &r);
    assert_int_equal(c->access[COV_M_5][COV_S_2M][COV_F_NONE][COV_P_PDPT][COV_T_MISS], 1);
    r = ok(22, TLB_HIT_L2, 0);            /* 4 MiB pages share the 2m bin */
    cov_add_access(c, PAGING_32, &r);
    assert_int_equal(c->access[COV_M_32][COV_S_2M][COV_F_NONE][COV_P_NONE][COV_T_L2], 1);
    r = ok(30, TLB_HIT_NONE, 0);
    cov_add_access(c, PAGING_4LEVEL, &r);
    assert_int_equal(c->access[COV_M_4][COV_S_1G][COV_F_NONE][COV_P_NONE][COV_T_MISS], 1);

    r = pf(PFEC_W, 2);                    /* P=0: not present */
    assert_int_equal(cov_fault_kind(&r), COV_F_NP);
    cov_add_access(c, PAGING_PAE, &r);
    assert_int_equal(c->access[COV_M_PAE][COV_S_NONE][COV_F_NP][COV_P_PD][COV_T_MISS], 1);
    r = pf(PFEC_P | PFEC_RSVD | PFEC_U, 0);
    assert_int_equal(cov_fault_kind(&r), COV_F_RSVD);
    r = pf(PFEC_P | PFEC_I, 4);
    assert_int_equal(cov_fault_kind(&r), COV_F_RIGHTS);
    cov_add_access(c, PAGING_4LEVEL, &r);
    assert_int_equal(c->access[COV_M_4][COV_S_NONE][COV_F_RIGHTS][COV_P_PML4][COV_T_MISS], 1);
    mmu_result_t gp = {.fault = FAULT_GP};
    assert_int_equal(cov_fault_kind(&gp), COV_F_GP);
    cov_add_access(c, PAGING_5LEVEL, &gp);
    assert_int_equal(c->access[COV_M_5][COV_S_NONE][COV_F_GP][COV_P_NONE][COV_T_MISS], 1);
    mmu_result_t off = {.fault = FAULT_NONE, .pa = 0x1234};
    cov_add_access(c, PAGING_OFF, &off);
    assert_int_equal(c->access[COV_M_OFF][COV_S_NONE][COV_F_NONE][COV_P_NONE][COV_T_MISS], 1);
    assert_int_equal(c->accesses, 9);

    cov_summary_t s;
    cov_summary(c, &s);
    assert_int_equal(s.access_hit, 8);
    assert_int_equal(s.access_unexpected, 0);
    free(c);
}

static void test_impossible_bins(void **state)
{
    (void)state;
    cov_t *c = new_cov(NULL);
    bool (*p)[COV_NSIZES][COV_NFAULTS][COV_NPWC][COV_NTLB] = c->access_possible;
    assert_false(p[COV_M_PAE][COV_S_1G][COV_F_NONE][COV_P_NONE][COV_T_MISS]);   /* no 1 GiB pages in PAE */
    assert_false(p[COV_M_32][COV_S_1G][COV_F_NONE][COV_P_NONE][COV_T_L1]);
    assert_true(p[COV_M_4][COV_S_1G][COV_F_NONE][COV_P_NONE][COV_T_L1]);
    assert_true(p[COV_M_4][COV_S_1G][COV_F_NONE][COV_P_PML4][COV_T_MISS]);
    assert_false(p[COV_M_4][COV_S_1G][COV_F_NONE][COV_P_PDPT][COV_T_MISS]);       /* leaf above the hit */
    assert_false(p[COV_M_4][COV_S_2M][COV_F_NONE][COV_P_PD][COV_T_MISS]);
    assert_false(p[COV_M_4][COV_S_4K][COV_F_NONE][COV_P_PML5][COV_T_MISS]);       /* no PML5 in 4-level */
    assert_true(p[COV_M_5][COV_S_4K][COV_F_NONE][COV_P_PML5][COV_T_MISS]);
    assert_false(p[COV_M_4][COV_S_4K][COV_F_NONE][COV_P_PD][COV_T_L1]);           /* a hit walks nothing */
    assert_false(p[COV_M_PAE][COV_S_NONE][COV_F_NP][COV_P_PDPT][COV_T_MISS]);     /* PAE: only the PDE cache */
    assert_false(p[COV_M_32][COV_S_NONE][COV_F_GP][COV_P_NONE][COV_T_MISS]);      /* canonical #GP: 4/5-level */
    assert_true(p[COV_M_4][COV_S_NONE][COV_F_GP][COV_P_NONE][COV_T_MISS]);
    assert_false(p[COV_M_32][COV_S_NONE][COV_F_RSVD][COV_P_PD][COV_T_MISS]);      /* 32-bit PTEs: no reserved bits */
    assert_true(p[COV_M_32][COV_S_NONE][COV_F_RSVD][COV_P_NONE][COV_T_MISS]);
    assert_false(p[COV_M_4][COV_S_4K][COV_F_RIGHTS][COV_P_NONE][COV_T_L1]);       /* faults come from walks */
    assert_false(c->inval_possible[COV_I_CR3_NOFLUSH][COV_M_PAE]);
    assert_true(c->inval_possible[COV_I_CR3_NOFLUSH][COV_M_5]);
    assert_false(c->inval_possible[COV_I_CR0_PG][COV_M_OFF]);
    assert_false(c->inval_possible[COV_I_CR4_PAE][COV_M_4]);
    assert_false(c->inval_possible[COV_I_GP_CR3][COV_M_32]);
    free(c);

    /* the configuration removes bins: no L2, no PML4/PD caches, no 1 GiB in the DTLB/ITLB */
    mmu_config_t cfg;
    config_defaults(&cfg);
    cfg.l2tlb = 0;
    cfg.pwc_pml4_entries = 0;
    cfg.pwc_pd_entries = 0;
    cfg.dtlb_1g_ways = 0;
    cfg.itlb_1g_ways = 0;
    c = new_cov(&cfg);
    p = c->access_possible;
    assert_false(p[COV_M_4][COV_S_4K][COV_F_NONE][COV_P_NONE][COV_T_L2]);
    assert_false(p[COV_M_4][COV_S_4K][COV_F_NONE][COV_P_PML4][COV_T_MISS]);
    assert_false(p[COV_M_PAE][COV_S_NONE][COV_F_NP][COV_P_PD][COV_T_MISS]);
    assert_false(p[COV_M_5][COV_S_1G][COV_F_NONE][COV_P_NONE][COV_T_L1]);
    assert_true(p[COV_M_5][COV_S_1G][COV_F_NONE][COV_P_PML5][COV_T_MISS]);
    cov_summary_t s;
    cov_summary(c, &s);
    assert_true(s.access_possible > 20 && s.access_hit == 0);
    /* a hit in an impossible bin is counted as unexpected */
    mmu_result_t r = ok(12, TLB_HIT_L2, 0);
    cov_add_access(c, PAGING_4LEVEL, &r);
    cov_summary(c, &s);
    assert_int_equal(s.access_unexpected, 1);
    free(c);
}

static void test_ctrl_kinds(void **state)
{
    (void)state;
    mmu_arch_t a = {.cr0 = CR0_PE | CR0_PG, .cr4 = CR4_PAE | CR4_PCIDE, .efer = EFER_LME | EFER_LMA,
                    .mode = PAGING_4LEVEL};
    mmu_ctrl_result_t okr = {.fault = FAULT_NONE}, gpr = {.fault = FAULT_GP};
    mmu_ctrl_t op = {.kind = CTRL_CR3, .value = 0x1000 | CR3_NOFLUSH};
    assert_int_equal(cov_ctrl_kinds(&a, &op, &okr), 1u << COV_I_CR3_NOFLUSH);
    op.value = 0x1000;
    assert_int_equal(cov_ctrl_kinds(&a, &op, &okr), 1u << COV_I_CR3_FLUSH);
    assert_int_equal(cov_ctrl_kinds(&a, &op, &gpr), 1u << COV_I_GP_CR3);
    mmu_arch_t legacy = {.cr0 = CR0_PE | CR0_PG, .cr4 = 0, .mode = PAGING_32};
    op.value = 0x1000 | CR3_NOFLUSH;      /* bit 63 means nothing without PCIDE */
    assert_int_equal(cov_ctrl_kinds(&legacy, &op, &okr), 1u << COV_I_CR3_FLUSH);

    op = (mmu_ctrl_t){.kind = CTRL_CR4, .value = CR4_PAE | CR4_PCIDE | CR4_PGE | CR4_SMEP};
    assert_int_equal(cov_ctrl_kinds(&a, &op, &okr), (1u << COV_I_CR4_PGE) | (1u << COV_I_CR4_SMEP));
    mmu_arch_t smep = a;
    smep.cr4 |= CR4_SMEP;
    op.value = CR4_PAE | CR4_PCIDE;       /* SMEP 1->0 invalidates nothing */
    assert_int_equal(cov_ctrl_kinds(&smep, &op, &okr), 0);
    op.value = CR4_PAE;
    assert_int_equal(cov_ctrl_kinds(&a, &op, &okr), 1u << COV_I_CR4_PCIDE);
    op.value = CR4_PAE | CR4_PSE;
    assert_int_equal(cov_ctrl_kinds(&legacy, &op, &okr), 1u << COV_I_CR4_PAE);
    assert_int_equal(cov_ctrl_kinds(&legacy, &op, &gpr), 1u << COV_I_GP_CR4);

    op = (mmu_ctrl_t){.kind = CTRL_CR0, .value = CR0_PE};
    assert_int_equal(cov_ctrl_kinds(&legacy, &op, &okr), 1u << COV_I_CR0_PG);
    op.value = CR0_PE | CR0_PG | CR0_WP;
    assert_int_equal(cov_ctrl_kinds(&legacy, &op, &okr), 0);
    op = (mmu_ctrl_t){.kind = CTRL_EFER, .value = EFER_NXE};
    assert_int_equal(cov_ctrl_kinds(&legacy, &op, &okr), 0);
    assert_int_equal(cov_ctrl_kinds(&legacy, &op, &gpr), 1u << COV_I_GP_EFER);
    op = (mmu_ctrl_t){.kind = CTRL_INVLPG, .va = 0x1000};
    assert_int_equal(cov_ctrl_kinds(&a, &op, &okr), 1u << COV_I_INVLPG);
    for (unsigned t = 0; t < 4; t++) {
        op = (mmu_ctrl_t){.kind = CTRL_INVPCID, .invpcid_type = t};
        assert_int_equal(cov_ctrl_kinds(&a, &op, &okr), 1u << (COV_I_INVPCID0 + t));
    }
    op.invpcid_type = 7;
    assert_int_equal(cov_ctrl_kinds(&a, &op, &gpr), 1u << COV_I_GP_INVPCID);

    cov_t *c = new_cov(NULL);
    op = (mmu_ctrl_t){.kind = CTRL_CR4, .value = CR4_PAE | CR4_PCIDE | CR4_PGE | CR4_SMEP};
    cov_add_ctrl(c, &a, &op, &okr);
    assert_int_equal(c->inval[COV_I_CR4_PGE][COV_M_4], 1);
    assert_int_equal(c->inval[COV_I_CR4_SMEP][COV_M_4], 1);
    assert_int_equal(c->ctrl_ops, 1);
    free(c);
}

static void fill(cov_t *c, int n)
{
    mmu_result_t r = ok(12, TLB_HIT_L1, 0);
    mmu_arch_t a = {.cr0 = CR0_PE | CR0_PG, .mode = PAGING_PAE, .cr4 = CR4_PAE};
    mmu_ctrl_t op = {.kind = CTRL_INVLPG};
    mmu_ctrl_result_t okr = {0};
    for (int i = 0; i < n; i++) {
        cov_add_access(c, PAGING_PAE, &r);
        cov_add_ctrl(c, &a, &op, &okr);
    }
    c->seeds++;
}

static void test_merge_and_json(void **state)
{
    (void)state;
    cov_t *a = new_cov(NULL), *b = new_cov(NULL), *m = new_cov(NULL), *back = new_cov(NULL);
    fill(a, 3);
    fill(b, 4);
    mmu_result_t g = {.fault = FAULT_GP};
    cov_add_access(b, PAGING_5LEVEL, &g);
    cov_merge(m, a);
    cov_merge(m, b);
    assert_int_equal(m->access[COV_M_PAE][COV_S_4K][COV_F_NONE][COV_P_NONE][COV_T_L1], 7);
    assert_int_equal(m->access[COV_M_5][COV_S_NONE][COV_F_GP][COV_P_NONE][COV_T_MISS], 1);
    assert_int_equal(m->inval[COV_I_INVLPG][COV_M_PAE], 7);
    assert_int_equal(m->seeds, 2);
    assert_int_equal(m->accesses, 8);

    char path[] = "/tmp/test_coverage_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[COV_ERR_LEN];
    assert_int_equal(cov_save(m, path, err), 0);
    /* loading merges into what is there: twice gives double counts */
    memset(back, 0, sizeof *back);
    assert_int_equal(cov_load_merge(back, path, err), 0);
    assert_memory_equal(back->access, m->access, sizeof m->access);
    assert_memory_equal(back->inval, m->inval, sizeof m->inval);
    assert_memory_equal(back->access_possible, m->access_possible, sizeof m->access_possible);
    assert_int_equal(back->seeds, 2);
    assert_int_equal(cov_load_merge(back, path, err), 0);
    assert_int_equal(back->access[COV_M_PAE][COV_S_4K][COV_F_NONE][COV_P_NONE][COV_T_L1], 14);
    assert_int_equal(back->seeds, 4);

    /* bad files: a message, nothing merged */
    cov_t before = *back;
    FILE *f = fopen(path, "w");
    fputs("{\"format\": \"mmulab-coverage/1\", \"translations\": [{\"bin\": \"4/3k/none/pwc-none/l1\", "
          "\"count\": 1, \"possible\": true}], \"control\": []}", f);
    fclose(f);
    assert_int_equal(cov_load_merge(back, path, err), -1);
    assert_non_null(strstr(err, "bad translation bin"));
    /* counts that are not whole numbers from 0 to 2^53 are refused, not cast (undefined) */
    static const char *const bad_counts[] = { "3", "1e300", "1.5", "-1", "\"7\"", "18446744073709551616" };
    for (size_t k = 0; k < sizeof bad_counts / sizeof *bad_counts; k++) {   /* [0] is good */
        f = fopen(path, "w");
        fprintf(f, "{\"format\": \"mmulab-coverage/1\", \"seeds\": 1, \"accesses\": 1, \"ctrl_ops\": 0, "
                "\"translations\": [{\"bin\": \"4/4k/none/pwc-none/l1\", \"count\": %s, \"possible\": true}], "
                "\"control\": []}", bad_counts[k]);
        fclose(f);
        if (k == 0) {
            assert_int_equal(cov_load_merge(back, path, err), 0);
            before = *back;
            continue;
        }
        assert_int_equal(cov_load_merge(back, path, err), -1);
        assert_non_null(strstr(err, "bad translation bin"));
    }
    f = fopen(path, "w");
    fputs("{\"format\": \"mmulab-coverage/1\", \"seeds\": 1e300, \"accesses\": 1, \"ctrl_ops\": 0, "
          "\"translations\": [], \"control\": []}", f);
    fclose(f);
    assert_int_equal(cov_load_merge(back, path, err), -1);
    assert_non_null(strstr(err, "whole numbers"));
    f = fopen(path, "w");
    fputs("{\"format\": \"something else\"}", f);
    fclose(f);
    assert_int_equal(cov_load_merge(back, path, err), -1);
    assert_non_null(strstr(err, "not a coverage file"));
    f = fopen(path, "w");
    fputs("{not json", f);
    fclose(f);
    assert_int_equal(cov_load_merge(back, path, err), -1);
    assert_non_null(strstr(err, "not valid JSON"));
    assert_memory_equal(&before, back, sizeof before);
    unlink(path);
    assert_int_equal(cov_load_merge(back, path, err), -1);
    assert_non_null(strstr(err, "cannot open"));
    free(a);
    free(b);
    free(m);
    free(back);
}

static void test_print(void **state)
{
    (void)state;
    cov_t *c = new_cov(NULL);
    fill(c, 2);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cov_print(c, f);
    fclose(f);
    assert_non_null(strstr(buf, "PAE paging"));
    assert_non_null(strstr(buf, "holes ("));
    assert_non_null(strstr(buf, "pae/4k/none/pwc-none/l2"));    /* a hole */
    assert_null(strstr(buf, "pae/4k/none/pwc-none/l1 "));       /* hit: not a hole */
    assert_null(strstr(buf, "pae/1g"));                          /* impossible: not a hole */
    assert_non_null(strstr(buf, "invlpg@32"));
    assert_null(strstr(buf, "invlpg@pae"));
    assert_null(strstr(buf, "warning"));
    free(buf);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binning),
        cmocka_unit_test(test_impossible_bins),
        cmocka_unit_test(test_ctrl_kinds),
        cmocka_unit_test(test_merge_and_json),
        cmocka_unit_test(test_print),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
