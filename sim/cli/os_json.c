/* The OS counters and the tool object in JSON and text (os_json.h). */
#include "os_json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "names.h"

typedef struct { const char *name; uint64_t v; } named_t;

/* Event counters since base, then the frame levels. Returns how many entries were filled. */
static size_t counters(const os_t *os, const os_counters_t *base, named_t out[24])
{
    static const os_counters_t zero;
    const os_counters_t *c = &os->cnt, *b = base ? base : &zero;
    const frames_t *f = &os->frames;
    const named_t list[] = {
        {"page_faults", c->page_faults - b->page_faults}, {"demand_faults", c->demand_faults - b->demand_faults},
        {"zero_page_maps", c->zero_page_maps - b->zero_page_maps}, {"cow_faults", c->cow_faults - b->cow_faults},
        {"vmalloc_faults", c->vmalloc_faults - b->vmalloc_faults},
        {"vmalloc_synced", c->vmalloc_synced - b->vmalloc_synced}, {"segv", c->segv - b->segv},
        {"oops", c->oops - b->oops}, {"cr3_writes", c->cr3_writes - b->cr3_writes},
        {"cr3_noflush", c->cr3_noflush - b->cr3_noflush}, {"invlpg", c->invlpg - b->invlpg},
        {"invpcid", c->invpcid - b->invpcid}, {"full_flushes", c->full_flushes - b->full_flushes},
        {"ipis", c->ipis - b->ipis}, {"syscalls", c->syscalls - b->syscalls},
        {"switches", c->switches - b->switches},
        {"frames", frames_in_use(f)}, {"pt_pages", f->count[FRAME_PGTABLE]},
        {"user_pages", f->count[FRAME_USER]}, {"kernel_pages", f->count[FRAME_KERNEL]},
    };
    size_t n = sizeof list / sizeof list[0];
    for (size_t i = 0; i < n; i++)
        out[i] = list[i];
    return n;
}

cJSON *os_counters_json(const os_t *os, const os_counters_t *base)
{
    named_t v[24];
    size_t n = counters(os, base, v);
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < n; i++)
        cJSON_AddNumberToObject(o, v[i].name, (double)v[i].v);
    return o;
}

void os_counters_print(FILE *f, const os_t *os, const os_counters_t *base)
{
    named_t v[24];
    size_t n = counters(os, base, v);
    fputs("os:", f);
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(v[i].name, "frames"))
            fputs("\nos frames:", f);
        fprintf(f, " %s %" PRIu64, v[i].name, v[i].v);
    }
    fputc('\n', f);
}

cJSON *os_setup_json(const os_params_t *p, backend_kind_t backend)
{
    cJSON *oo = cJSON_CreateObject();
    cJSON_AddStringToObject(oo, "mode", names_mode(p->mode));
    cJSON_AddNumberToObject(oo, "ram", (double)p->ram);
    cJSON_AddNumberToObject(oo, "cpus", p->cpus);
    cJSON_AddNumberToObject(oo, "kpti", p->kpti);
    cJSON_AddNumberToObject(oo, "pcid", p->pcid);
    cJSON_AddNumberToObject(oo, "invpcid", p->invpcid);
    cJSON_AddStringToObject(oo, "vmalloc", vmalloc_policy_name(p->vmalloc));
    cJSON_AddNumberToObject(oo, "flush_ceiling", p->flush_ceiling);
    cJSON_AddNumberToObject(oo, "smep", p->smep);
    cJSON_AddNumberToObject(oo, "smap", p->smap);
    cJSON_AddStringToObject(oo, "backend", backend_kind_name(backend));
    return oo;
}
