/* A thin C interface over the Verilated mmu_top (sim/rtl/rtl_shim.cpp): one
 * opaque handle, plain structs for the pins, one call per clock edge. Port
 * index 0 is D and 1 is I (mmu_port_t). Everything else is C (rtl_mmu.c). */
#ifndef MMULAB_RTL_SHIM_H
#define MMULAB_RTL_SHIM_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtl_sim rtl_sim_t;

typedef struct {
    bool valid;
    uint64_t va;
    uint8_t access, cpl;
    bool ac, implicit;
} rtl_req_pins_t;

typedef struct {
    rtl_req_pins_t req[2];
    bool ctrl_valid;
    uint8_t ctrl_kind;
    uint64_t ctrl_value, ctrl_va, ctrl_pcid;
    uint32_t ctrl_invpcid_type;
    bool mem_req_ready, mem_resp_valid;
    uint64_t mem_resp_rdata;
} rtl_in_t;

typedef struct {
    bool valid;
    uint64_t pa, cr2;
    uint8_t fault, error_code, tlb_hit, pwc_hit, page_shift, mem_reads, mem_writes;
    bool walked, dirty_assist;
} rtl_resp_pins_t;

typedef struct {
    bool req_ready[2];
    rtl_resp_pins_t resp[2];
    bool ctrl_ready, ctrl_resp_valid, ctrl_resp_gp, ctrl_resp_ud;
    bool mem_req_valid, mem_req_write;
    uint64_t mem_req_addr, mem_req_wdata;
    uint8_t mem_req_size;
} rtl_out_t;

typedef struct {
    uint64_t cr0, cr2, cr3, cr4, efer, pdpte[4];
    uint8_t mode;                 /* paging_mode_t */
    uint16_t pcid;
    uint32_t pkru, pkrs;
    uint32_t tlb_valid, pwc_valid;  /* valid entries in all TLBs / all PWCs */
} rtl_state_t;

typedef struct {
    uint64_t itlb_hits, itlb_misses, dtlb_hits, dtlb_misses, l2_hits, l2_misses;
    uint64_t walks, walk_cycles, pwc_hits[6];   /* pwc_hits[level], levels 2..5 */
} rtl_perf_t;

rtl_sim_t *rtl_sim_create(void);
void rtl_sim_destroy(rtl_sim_t *s);
/* Synchronous reset for two clocks; the next rtl_sim_eval is cycle 0. */
void rtl_sim_reset(rtl_sim_t *s);
/* Drives the inputs of the current cycle and settles the combinational logic. */
void rtl_sim_eval(rtl_sim_t *s, const rtl_in_t *in);
void rtl_sim_outputs(const rtl_sim_t *s, rtl_out_t *out);
/* The rising edge that ends the current cycle. */
void rtl_sim_clock(rtl_sim_t *s);
void rtl_sim_state(const rtl_sim_t *s, rtl_state_t *out);
void rtl_sim_perf(const rtl_sim_t *s, rtl_perf_t *out);
/* FST waveform (trace builds only; returns -1 otherwise). */
int rtl_sim_trace_open(rtl_sim_t *s, const char *path);
/* Whether this build can trace (Verilated with --trace-fst). */
bool rtl_sim_has_trace(void);
/* Whether the RTL's assertions run (Verilated with --assert: a failing one aborts the process). */
bool rtl_sim_has_assertions(void);
/* A parameter the RTL was Verilated with (RTL_NAME of params.def); false if unknown. */
bool rtl_sim_param(const char *rtl_name, int64_t *value);

#ifdef __cplusplus
}
#endif
#endif
