/* An outside program: built against an installed libmmulab with pkg-config only
 * (tests/sim/ref/install.sh). It maps a page, lets a "design" keep the old translation after a
 * remap without INVLPG (permitted, SDM 4.10.4.3) and then after INVLPG (not permitted,
 * SDM 4.10.4.1); exit 0 only if the checker says exactly that. Also compiled as C++. */
#include <mmulab.h>
#include <stdio.h>

int main(void)
{
    char why[256];
    if (mmulab_api_version() / 100 != MMULAB_API_VERSION_MAJOR) {
        fprintf(stderr, "library API %d, header %d\n", mmulab_api_version(), MMULAB_API_VERSION);
        return 1;
    }
    mmulab_ref_t *ref = mmulab_ref_create(46);
    mmulab_pt_t *pt = mmulab_pt_create(ref, MMULAB_MODE_4LEVEL, 0x1000000, 0x2000000);
    if (!ref || !pt || mmulab_pt_map(pt, 0x400000, 0x200000, 12, 0x67, 0x27) != MMULAB_OK)
        return 1;
    mmulab_ref_write_reg(ref, MMULAB_CR4, 0x20);
    mmulab_ref_write_reg(ref, MMULAB_EFER, 0x100);
    mmulab_ref_write_reg(ref, MMULAB_CR3, mmulab_pt_cr3(pt));
    mmulab_ref_write_reg(ref, MMULAB_CR0, 0x80000001);
    mmulab_access_t a = {0x400010, MMULAB_READ, 3, 0, 0};
    mmulab_result_t old_pa = {MMULAB_FAULT_NONE, 0, 0x200010, 12};
    int first = mmulab_ref_check(ref, &a, &old_pa, why, sizeof why);
    mmulab_ref_mem_write(ref, mmulab_pt_entry_addr(pt, 0x400000, 1), 0x300067, 8);   /* remap */
    int stale = mmulab_ref_check(ref, &a, &old_pa, why, sizeof why);
    mmulab_ref_invlpg(ref, 0x400000);
    int after = mmulab_ref_check(ref, &a, &old_pa, why, sizeof why);
    printf("first %d, stale without INVLPG %d, after INVLPG %d: %s\n", first, stale, after, why);
    mmulab_pt_destroy(pt);
    mmulab_ref_destroy(ref);
    return first == MMULAB_OK && stale == MMULAB_OK && after == MMULAB_MISMATCH ? 0 : 1;
}
