/* Protection keys: the expected outcome of one data or instruction access per row, written from
 * the Intel SDM (not from either implementation): Vol 3A 4.6.1 (access rights), 4.6.2 (protection
 * keys: which register governs which address, AD_i / WD_i, CR0.WP, fetches, 4/5-level paging only)
 * and 4.7 (the PK bit, bit 5, of the #PF error code). Used by tests/model/test_pkeys.c (the model)
 * and tests/sim/ref/test_refarch_pkeys.c (the independent reference, sim/ref/refarch.c).
 *
 * Every row runs with EFER.NXE=1, CR4.SMEP=CR4.SMAP=0, the leaf A=D=1 and every other entry
 * P|R/W|U/S|A; the leaf's R/W and U/S are the row's, so the address is a user-mode address iff
 * user_addr. Error-code bits: P 0x1, W 0x2, U 0x4, RSVD 0x8, I/D 0x10, PK 0x20. PKRU / IA32_PKRS:
 * AD_i is bit 2i, WD_i bit 2i+1. */
#ifndef MMULAB_PKEYS_TABLE_H
#define MMULAB_PKEYS_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "types.h"

typedef struct {
    const char *what;
    paging_mode_t mode;
    bool pke, pks, wp;         /* CR4.PKE, CR4.PKS, CR0.WP */
    mmu_access_t acc;
    uint8_t cpl;
    bool implicit;             /* implicit supervisor access */
    bool user_addr, writable;  /* U/S and R/W of the leaf */
    unsigned key;              /* leaf bits 62:59 (0 outside 4/5-level paging: reserved there) */
    uint32_t pkru, pkrs;
    bool fault;
    uint32_t ec;
} pk_row_t;

#define L4 PAGING_4LEVEL
#define L5 PAGING_5LEVEL
#define RD ACC_READ
#define WR ACC_WRITE
#define EX ACC_EXEC

static const pk_row_t pk_rows[] = {
    /* what                                                          mode pke pks wp acc cpl imp  uaddr  rw  key  pkru        pkrs        fault  ec */
    {"4.6.2: AD_i denies a user read of a user-mode address",         L4, 1, 0, 0, RD, 3, 0,   1,    1,  1,  0x4,        0,          1, 0x25},
    {"4.6.2: CR4.PKE=0 associates no key",                            L4, 0, 0, 0, RD, 3, 0,   1,    1,  1,  0x4,        0,          0, 0},
    {"4.6.2: WD_i denies a user write",                               L4, 1, 0, 0, WR, 3, 0,   1,    1,  1,  0x8,        0,          1, 0x27},
    {"4.6.2: WD_i allows a user read",                                L4, 1, 0, 0, RD, 3, 0,   1,    1,  1,  0x8,        0,          0, 0},
    {"4.6.2: AD_i together with WD_i, user read",                     L4, 1, 0, 0, RD, 3, 0,   1,    1,  1,  0xc,        0,          1, 0x25},
    {"4.6.2: keys do not affect instruction fetches (user)",          L4, 1, 0, 0, EX, 3, 0,   1,    1,  1,  0x4,        0,          0, 0},
    {"4.6.2: AD_i denies a supervisor read of a user-mode address",   L4, 1, 0, 0, RD, 0, 0,   1,    1,  1,  0x4,        0,          1, 0x21},
    {"4.6.2: ... an implicit supervisor access too",                  L4, 1, 0, 0, RD, 0, 1,   1,    1,  1,  0x4,        0,          1, 0x21},
    {"4.6.2: implicit at CPL 3 is a supervisor-mode access",          L4, 1, 0, 0, WR, 3, 1,   1,    1,  1,  0x8,        0,          0, 0},
    {"4.6.2: WD_i, supervisor write, CR0.WP=0: allowed",              L4, 1, 0, 0, WR, 0, 0,   1,    1,  1,  0x8,        0,          0, 0},
    {"4.6.2: WD_i, supervisor write, CR0.WP=1: denied",               L4, 1, 0, 1, WR, 0, 0,   1,    1,  1,  0x8,        0,          1, 0x23},
    {"4.6.2: WD_i, implicit write, CR0.WP=1: denied",                 L4, 1, 0, 1, WR, 3, 1,   1,    1,  1,  0x8,        0,          1, 0x23},
    {"4.6.2: another key's AD does not matter",                       L4, 1, 0, 0, RD, 3, 0,   1,    1,  2,  0x4,        0,          0, 0},
    {"4.6.2: key 15 is PKRU bits 31:30 (AD15)",                       L4, 1, 0, 0, RD, 3, 0,   1,    1,  15, 0x40000000, 0,          1, 0x25},
    {"4.6.2: key 15, WD15, user write",                               L4, 1, 0, 0, WR, 3, 0,   1,    1,  15, 0x80000000, 0,          1, 0x27},
    {"4.6.1: a read-only user page, user write, no key rule",         L4, 1, 0, 0, WR, 3, 0,   1,    0,  1,  0,          0,          1, 0x7},
    {"4.7: PK is set with another violation (R/W=0 and WD_i)",        L4, 1, 0, 0, WR, 3, 0,   1,    0,  1,  0x8,        0,          1, 0x27},
    {"4.7: supervisor write, R/W=0, WP=1, WD_i: both, PK set",        L4, 1, 0, 1, WR, 0, 0,   1,    0,  1,  0x8,        0,          1, 0x23},
    {"4.6.2: WP=0: neither R/W=0 nor WD_i stops a supervisor write",  L4, 1, 0, 0, WR, 0, 0,   1,    0,  1,  0x8,        0,          0, 0},
    {"4.6.2: PKRU does not govern supervisor-mode addresses",         L4, 1, 0, 1, WR, 0, 0,   0,    1,  3,  0x55555555, 0,          0, 0},
    {"4.6.1: user access to a supervisor address, PKS=0: no PK",      L4, 1, 0, 0, RD, 3, 0,   0,    1,  3,  0xffffffff, 0x40,       1, 0x5},
    {"4.6.2: IA32_PKRS AD_i denies a supervisor read (PKS=1)",        L4, 0, 1, 0, RD, 0, 0,   0,    1,  3,  0,          0x40,       1, 0x21},
    {"4.6.2: CR4.PKS=0: supervisor-mode addresses have no key",       L4, 0, 0, 0, RD, 0, 0,   0,    1,  3,  0,          0x40,       0, 0},
    {"4.6.2: IA32_PKRS WD_i, supervisor write, WP=0: allowed",        L4, 0, 1, 0, WR, 0, 0,   0,    1,  3,  0,          0x80,       0, 0},
    {"4.6.2: IA32_PKRS WD_i, supervisor write, WP=1: denied",         L4, 0, 1, 1, WR, 0, 0,   0,    1,  3,  0,          0x80,       1, 0x23},
    {"4.6.2: IA32_PKRS WD_i, implicit write, WP=1: denied",           L4, 1, 1, 1, WR, 1, 1,   0,    1,  3,  0,          0x80,       1, 0x23},
    {"4.6.2: IA32_PKRS and instruction fetches",                      L4, 0, 1, 0, EX, 0, 0,   0,    1,  3,  0,          0x40,       0, 0},
    {"4.6.2: IA32_PKRS does not govern user-mode addresses",          L4, 0, 1, 1, WR, 0, 0,   1,    1,  3,  0,          0xffffffff, 0, 0},
    {"4.7 Choice: user read of a supervisor address, PKRS AD_i",      L4, 0, 1, 0, RD, 3, 0,   0,    1,  3,  0,          0x40,       1, 0x25},
    {"4.7 Choice: user write of a supervisor address, PKRS WD_i",     L4, 0, 1, 0, WR, 3, 0,   0,    1,  3,  0,          0x80,       1, 0x27},
    {"4.6.2: 5-level paging, AD_i, user read",                        L5, 1, 1, 0, RD, 3, 0,   1,    1,  9,  1u << 18,   0,          1, 0x25},
    {"4.6.2: 5-level paging, IA32_PKRS WD_i, WP=1",                   L5, 1, 1, 1, WR, 0, 0,   0,    1,  9,  0,          1u << 19,   1, 0x23},
    {"4.6.2: PAE paging associates no key (PKRU)",                    PAGING_PAE, 1, 1, 1, WR, 3, 0, 1, 1, 0, 0xffffffff, 0xffffffff, 0, 0},
    {"4.6.2: PAE paging associates no key (IA32_PKRS)",               PAGING_PAE, 1, 1, 1, WR, 0, 0, 0, 1, 0, 0xffffffff, 0xffffffff, 0, 0},
};

#undef L4
#undef L5
#undef RD
#undef WR
#undef EX

#define PK_ROWS (sizeof pk_rows / sizeof pk_rows[0])

#endif
