/* The knobs of a seed: paging modes, leaf-size and flag mix, operation weights
 * (docs/verification.md "mode and knobs"). Drawn once, before anything else. */
#include "stimgen_int.h"

static const char *const op_names[OP_N] = {"access", "sync", "cr3", "cr4", "cr0", "efer", "illegal",
                                           "invlpg", "invpcid", "edit", "switch", "pkey"};
static const double op_base_weight[OP_N] = {60, 3, 4, 2.5, 1, 1, 1.5, 2.5, 2.5, 7, 0.5, 2};

/* ========================================================================= */
/* Knobs                                                                      */
/* ========================================================================= */

static const paging_mode_t all_modes[4] = {PAGING_32, PAGING_PAE, PAGING_4LEVEL, PAGING_5LEVEL};

void sg_choose_knobs(sg_t *g)
{
    knobs_t *k = &g->k;
    k->modes[0] = g->o.mode != PAGING_OFF ? g->o.mode : all_modes[rnd(g, 4)];
    k->nsets = 1;
    if (chance(g, 0.35)) {
        paging_mode_t m;
        do
            m = all_modes[rnd(g, 4)];
        while (m == k->modes[0]);
        k->modes[k->nsets++] = m;
    }
    k->nroots = 1 + (unsigned)rnd(g, MAX_ROOTS);
    k->nregions = 1 + (unsigned)rnd(g, 4);
    k->npcids = 1 + (unsigned)rnd(g, MAX_PCIDS);
    k->use_pcid = chance(g, 0.7);
    k->p_large = 0.4 * unif(g);
    k->p_1g = 0.08 * unif(g);
    k->p_alias_frame = 0.15 * unif(g);
    k->p_rw = 0.6 + 0.35 * unif(g);
    k->p_xd = 0.15 * unif(g);
    k->p_g = 0.6 * unif(g);
    k->p_a = unif(g);
    k->p_d = unif(g);
    k->n_np = (unsigned)rnd(g, 5);
    k->n_rsvd = (unsigned)rnd(g, 5);
    k->n_share = (unsigned)rnd(g, 4);
    for (int i = 0; i < OP_N; i++)
        k->w[i] = op_base_weight[i] * (0.25 + 1.75 * unif(g));
    k->p_hot = 0.35 + 0.45 * unif(g);
    k->p_wild = 0.02 + 0.06 * unif(g);
    k->p_mismatch = 0.03 + 0.2 * unif(g);
    k->p_ac = 0.4 * unif(g);
    k->p_implicit = 0.15 * unif(g);
    k->r_read = 0.3 + 0.4 * unif(g);
    k->r_write = (1 - k->r_read) * (0.3 + 0.5 * unif(g));
    k->max_burst = 1 + (unsigned)rnd(g, 8);
    k->nxe = chance(g, 0.75);
    k->pge = chance(g, 0.6);
    k->smep = chance(g, 0.3);
    k->smap = chance(g, 0.3);
    k->wp = chance(g, 0.6);
    k->pse = chance(g, 0.85);
    k->p_key = 0.6 * unif(g);
    k->pke = g->cfg.pk && chance(g, 0.6);
    k->pks = g->cfg.pk && chance(g, 0.5);
    for (unsigned i = 0; i < k->npcids; i++)
        g->pcid[i] = i == 0 ? 0 : (uint16_t)(1 + rnd(g, 0xfff));

    char *b = g->knobs_text;
    size_t len = sizeof g->knobs_text;
    int n = snprintf(b, len, "mode=%s", names_mode(k->modes[0]));
    if (k->nsets > 1)
        n += snprintf(b + n, len - (size_t)n, "+%s", names_mode(k->modes[1]));
    n += snprintf(b + n, len - (size_t)n,
                  " roots=%u regions=%u pcids=%u%s large=%.2f 1g=%.2f alias=%.2f rw=%.2f xd=%.2f g=%.2f a=%.2f"
                  " d=%.2f key=%.2f np=%u rsvd=%u shared=%u hot=%.2f wild=%.2f cpl-mismatch=%.2f burst=%u"
                  " cr=%s%s%s%s%s%s%s%s w=",
                  k->nroots, k->nregions, k->npcids, k->use_pcid ? "" : "(pcide off)", k->p_large, k->p_1g,
                  k->p_alias_frame, k->p_rw, k->p_xd, k->p_g, k->p_a, k->p_d, k->p_key, k->n_np, k->n_rsvd, k->n_share,
                  k->p_hot, k->p_wild, k->p_mismatch, k->max_burst, k->nxe ? "nxe," : "", k->pge ? "pge," : "",
                  k->smep ? "smep," : "", k->smap ? "smap," : "", k->wp ? "wp," : "", k->pke ? "pke," : "",
                  k->pks ? "pks," : "", k->pse ? "pse" : "");
    for (int i = 0; i < OP_N && n > 0 && (size_t)n < len; i++)
        n += snprintf(b + n, len - (size_t)n, "%s%s:%.1f", i ? "," : "", op_names[i], k->w[i]);
}
