/* The names tables of sim/core/names.h: one place for every spelling. */
#include "names.h"

#include <stdio.h>
#include <string.h>

#define END { NULL, 0 }

/* Paging modes: the canonical words are also the CLI's (--mode), the scripts' (`pt`,
 * `expect mode`), the JSON's and the coverage bins'. The aliases are the older forms
 * (script `pt 4`, random `--mode 4`, paging_mode_name's "4-level"). */
static const names_entry_t mode_canon[] = {
    { "off", PAGING_OFF }, { "32bit", PAGING_32 }, { "pae", PAGING_PAE },
    { "4level", PAGING_4LEVEL }, { "5level", PAGING_5LEVEL }, END,
};
static const names_entry_t mode_aliases[] = {
    { "32", PAGING_32 }, { "32-bit", PAGING_32 }, { "PAE", PAGING_PAE },
    { "4", PAGING_4LEVEL }, { "4-level", PAGING_4LEVEL }, { "5", PAGING_5LEVEL }, { "5-level", PAGING_5LEVEL }, END,
};
const names_table_t NAMES_MODE = { "paging mode", mode_canon, mode_aliases };

static const names_entry_t access_canon[] = { { "r", ACC_READ }, { "w", ACC_WRITE }, { "x", ACC_EXEC }, END };
const names_table_t NAMES_ACCESS = { "access", access_canon, NULL };

static const names_entry_t fault_canon[] = { { "none", FAULT_NONE }, { "pf", FAULT_PF }, { "gp", FAULT_GP }, { "ud", FAULT_UD }, END };
const names_table_t NAMES_FAULT = { "fault", fault_canon, NULL };

/* by page shift; "none": no translation (a fault) */
static const names_entry_t size_canon[] = { { "4k", 12 }, { "2m", 21 }, { "4m", 22 }, { "1g", 30 }, { "none", 0 }, END };
const names_table_t NAMES_SIZE = { "page size", size_canon, NULL };

/* page-size classes of the TLB arrays and the statistics (page_class_t): the 2m class holds
 * 4 MiB pages in 32-bit paging */
static const names_entry_t psc_canon[] = { { "4k", PSC_4K }, { "2m", PSC_2M }, { "1g", PSC_1G }, END };
const names_table_t NAMES_PSC = { "page-size class", psc_canon, NULL };

static const names_entry_t ctrl_canon[] = {
    { "cr0", CTRL_CR0 }, { "cr3", CTRL_CR3 }, { "cr4", CTRL_CR4 }, { "efer", CTRL_EFER },
    { "invlpg", CTRL_INVLPG }, { "invpcid", CTRL_INVPCID },
    { "wrpkru", CTRL_WRPKRU }, { "wrpkrs", CTRL_WRPKRS },   /* WRPKRU; WRMSR IA32_PKRS (script `wrmsr pkrs`) */
    END,
};
const names_table_t NAMES_CTRL = { "control operation", ctrl_canon, NULL };

static const names_entry_t tlb_canon[] = { { "l1", TLB_HIT_L1 }, { "l2", TLB_HIT_L2 }, { "miss", TLB_HIT_NONE }, END };
const names_table_t NAMES_TLB = { "TLB level", tlb_canon, NULL };

static const names_entry_t port_canon[] = { { "d", PORT_D }, { "i", PORT_I }, END };
const names_table_t NAMES_PORT = { "port", port_canon, NULL };

static const names_entry_t level_canon[] = {
    { "pt", 1 }, { "pd", 2 }, { "pdpt", 3 }, { "pml4", 4 }, { "pml5", 5 }, END,
};
static const names_entry_t level_aliases[] = { { "1", 1 }, { "2", 2 }, { "3", 3 }, { "4", 4 }, { "5", 5 }, END };
const names_table_t NAMES_LEVEL = { "paging level", level_canon, level_aliases };

/* the deepest paging-structure cache hit of a walk: a level, or none */
static const names_entry_t pwc_canon[] = { { "none", 0 }, { "pd", 2 }, { "pdpt", 3 }, { "pml4", 4 }, { "pml5", 5 }, END };
const names_table_t NAMES_PWC = { "paging-structure cache level", pwc_canon, NULL };

static int find(const names_entry_t *e, const char *s, int64_t *out)
{
    for (; e && e->name; e++)
        if (strcmp(s, e->name) == 0) {
            *out = e->value;
            return 0;
        }
    return -1;
}

int names_parse(const names_table_t *t, const char *s, int64_t *out)
{
    if (!s)
        return -1;
    return find(t->canon, s, out) == 0 || find(t->aliases, s, out) == 0 ? 0 : -1;
}

const char *names_lookup(const names_table_t *t, int64_t v)
{
    for (const names_entry_t *e = t->canon; e->name; e++)
        if (e->value == v)
            return e->name;
    return NULL;
}

const char *names_format(const names_table_t *t, int64_t v)
{
    const char *n = names_lookup(t, v);
    return n ? n : "?";
}

const char *names_list(const names_table_t *t, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (const names_entry_t *e = t->canon; e->name; e++) {
        int k = snprintf(buf + used, len - used, "%s%s", e == t->canon ? "" : (e[1].name ? ", " : " or "), e->name);
        if (k < 0 || (size_t)k >= len - used)
            break;
        used += (size_t)k;
    }
    return buf;
}

int names_parse_mode(const char *s, paging_mode_t *out)
{
    int64_t v;
    if (names_parse(&NAMES_MODE, s, &v) != 0)
        return -1;
    *out = (paging_mode_t)v;
    return 0;
}

const char *names_mode(paging_mode_t m)
{
    return names_format(&NAMES_MODE, m);
}

const char *names_access(mmu_access_t a)
{
    return names_format(&NAMES_ACCESS, a);
}

const char *names_fault(mmu_fault_t f)
{
    return names_format(&NAMES_FAULT, f);
}

const char *names_ctrl(mmu_ctrl_kind_t k)
{
    return names_format(&NAMES_CTRL, k);
}

const char *names_tlb(tlb_hit_t t)
{
    return names_format(&NAMES_TLB, t);
}

const char *names_port(mmu_port_t p)
{
    return names_format(&NAMES_PORT, p);
}

const char *names_size(unsigned shift)
{
    const char *n = names_lookup(&NAMES_SIZE, shift);
    return n ? n : "none";
}
