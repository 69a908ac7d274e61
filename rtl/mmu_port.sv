// mmu_port: one translation port and its L1 TLB (docs/timing.md steps 1-4, 8).
// Accept at a (the L1 sets are read), compare at a+1, the result travels L1-1 more
// cycles: a hit (or paging off, or a non-canonical #GP) responds at a+L1, a miss (or a
// dropped hit) reaches the walker at m = a+L1. req_ready_o is low from the cycle the
// compare misses until the walker's response c, so hits stream at one per cycle and a
// miss blocks only its own port.
module mmu_port #(
  parameter int          SETS_4K = 16, WAYS_4K = 4,
  parameter int          SETS_2M = 8,  WAYS_2M = 4,
  parameter int          SETS_1G = 1,  WAYS_1G = 4,
  parameter int          TLB_ID      = 1,
  parameter int          REPL        = 0,
  parameter logic [31:0] RANDOM_SEED = 32'd1,
  parameter int          MAXPHYADDR  = 46,
  parameter int          PK          = 1,
  parameter int          L1_LATENCY  = 1,
  parameter int          SET_W       = 5,
  parameter int          PERF_W      = 32
) (
  input  logic              clk_i,
  input  logic              rst_i,
  // translation request
  input  logic              req_valid_i,
  output logic              req_ready_o,
  input  logic [63:0]       req_va_i,
  input  logic [1:0]        req_access_i,
  input  logic [1:0]        req_cpl_i,
  input  logic              req_ac_i,
  input  logic              req_implicit_i,
  // translation response (one cycle, no back-pressure)
  output logic              resp_valid_o,
  output mmu_pkg::xlat_resp_t resp_o,
  // control state
  input  logic              stall_i,           // a control operation is running
  input  logic              pf_rd_i,           // a #PF completes: the invalidation reads the L1 (no accept)
  input  logic              pf_cmp_i,          // ... and compares the set read (cycle after pf_rd_i)
  input  logic              pf_own_i,          // ... the fault is this port's (its miss VA is the address)
  input  logic [56:0]       pf_va_i,           // ... the address, for the other port
  input  logic [2:0]        mode_i,
  input  logic [11:0]       pcid_i,
  input  logic              wp_i,
  input  logic              smep_i,
  input  logic              smap_i,
  input  logic              nxe_i,
  input  mmu_pkg::pk_ctl_t  pk_i,
  // to / from the walker
  output logic              miss_valid_o,
  output logic [63:0]       miss_va_o,
  output logic [1:0]        miss_access_o,
  output logic [1:0]        miss_cpl_o,
  output logic              miss_ac_o,
  output logic              miss_implicit_o,
  output logic              miss_ddrop_o,
  input  logic              grant_i,
  input  logic              wresp_valid_i,     // the walker answers this port
  input  mmu_pkg::xlat_resp_t wresp_i,
  input  logic              fill_i,
  input  mmu_pkg::tlb_fill_t fill_entry_i,
  // invalidation (mmu_ctrl owns the L1 read port while stall_i)
  input  logic              inv_rd_en_i,
  input  logic              inv_rd_sweep_i,
  input  logic [SET_W-1:0]  inv_rd_set_i,
  input  logic [56:0]       inv_va_i,
  input  mmu_pkg::tlb_inv_t inv_i,
  // status and performance counters
  output logic              busy_o,
  output logic [18:0]       nvalid_o,
  output logic [PERF_W-1:0] perf_hits_o,
  output logic [PERF_W-1:0] perf_misses_o,
  output logic [PERF_W-1:0] perf_walk_cycles_o
);

  // --- accept: read the L1 sets ----------------------------------------------------
  logic        accept;
  logic        s1_valid_q;
  logic [63:0] s1_va_q;
  logic [1:0]  s1_acc_q, s1_cpl_q;
  logic        s1_ac_q, s1_imp_q;
  logic        blocked_q;
  logic        miss;

  assign req_ready_o = !stall_i && !pf_rd_i && !blocked_q && !(s1_valid_q && miss);
  assign accept      = req_valid_i && req_ready_o;

  always_ff @(posedge clk_i) begin
    if (rst_i) s1_valid_q <= 1'b0;
    else       s1_valid_q <= accept;
    if (accept) begin
      s1_va_q  <= req_va_i;
      s1_acc_q <= req_access_i;
      s1_cpl_q <= req_cpl_i;
      s1_ac_q  <= req_ac_i;
      s1_imp_q <= req_implicit_i;
    end
  end

  // --- compare at a+1 ------------------------------------------------------------------
  logic [63:0] va_u;
  /* verilator lint_off UNUSEDSIGNAL */  // lookups use VA[56:0]; global and PCID only matter to the TLB's own match
  logic [63:0] rd_va_u;
  logic        lookup, usable, ddrop, viol;
  logic        hit, hrw, hus, hxd, hg, hdirty;
  logic [1:0]  hcls;
  logic [63:0] hframe;
  logic [11:0] hpcid;
  logic [3:0]  hpkey;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [4:0]  hshift;

  assign va_u    = mmu_pkg::va_used(s1_va_q, mode_i);
  assign rd_va_u = mmu_pkg::va_used(req_va_i, mode_i);

  tlb #(
    .SETS_4K(SETS_4K), .WAYS_4K(WAYS_4K), .SETS_2M(SETS_2M), .WAYS_2M(WAYS_2M),
    .SETS_1G(SETS_1G), .WAYS_1G(WAYS_1G), .TLB_ID(TLB_ID), .REPL(REPL),
    .RANDOM_SEED(RANDOM_SEED), .MAXPHYADDR(MAXPHYADDR), .PK(PK), .SET_W(SET_W)
  ) u_l1 (
    .clk_i, .rst_i, .mode32_i(mode_i == mmu_pkg::PAGING_32),
    // reads: an accept, the walker's grant of this port's miss (the fill's set, re-read: a #PF
    // invalidation may have read another set meanwhile), or an invalidation
    .rd_en_i(stall_i ? inv_rd_en_i : (pf_rd_i || accept || grant_i)),
    .rd_sweep_i(stall_i && inv_rd_sweep_i), .rd_set_i(inv_rd_set_i),
    // (the faulting port's own request register holds the #PF's VA through c+1: no new mux there)
    .rd_va_i(stall_i ? inv_va_i : (pf_rd_i && !pf_own_i) ? pf_va_i :
             (grant_i || pf_rd_i) ? va_u[56:0] : rd_va_u[56:0]),
    .cmp_en_i(s1_valid_q || stall_i || pf_cmp_i),
    .cmp_va_i(stall_i ? inv_va_i : (pf_cmp_i && !pf_own_i) ? pf_va_i : va_u[56:0]),
    .cmp_pcid_i(pcid_i),
    .hit_o(hit), .hit_cls_o(hcls), .hit_frame_o(hframe), .hit_rw_o(hrw), .hit_us_o(hus),
    .hit_xd_o(hxd), .hit_g_o(hg), .hit_dirty_o(hdirty), .hit_pcid_o(hpcid),
    .hit_pkey_o(hpkey),
    .drop_i(lookup && hit && !usable), .touch_i(lookup && usable),
    .inv_i,
    .fill_i, .fill_entry_i,
    .nvalid_o
  );

  assign lookup = s1_valid_q && mode_i != mmu_pkg::PAGING_OFF && mmu_pkg::va_canonical(s1_va_q, mode_i);
  assign ddrop  = (s1_acc_q == mmu_pkg::ACC_WRITE) && !hdirty;
  // (the rights only matter to a hit: the simulation skips the check otherwise)
  always_comb begin : rights
    viol = 1'b0;
    // (the entry's key against the current PKRU / IA32_PKRS: a WRPKRU needs no flush)
    if (hit) viol = mmu_pkg::rights_violation(s1_acc_q, s1_cpl_q, s1_ac_q, s1_imp_q, hrw, hus, hxd, hpkey,
                                              wp_i, smep_i, smap_i, nxe_i, pk_i.pke, pk_i.pks, pk_i.pkru,
                                              pk_i.pkrs);
  end
  assign usable = hit && !ddrop && !viol;
  assign miss   = lookup && !usable;
  assign hshift = mmu_pkg::class_shift(hcls, mode_i);

  // result record: {valid, miss, l1 hit, fault, page_shift, pa}
  localparam int RW = 1 + 1 + 1 + 2 + 5 + 64;
  logic [RW-1:0] s1_rec, out_rec;
  always_comb begin : result
    logic [63:0] pa;
    logic [1:0]  fault;
    logic [4:0]  shift;
    pa = '0;  fault = mmu_pkg::FAULT_NONE;  shift = '0;
    if (!s1_valid_q) begin
      // no result: its fields are not looked at (the simulation skips them)
    end else if (mode_i == mmu_pkg::PAGING_OFF) begin
      pa = {32'd0, s1_va_q[31:0]};
    end else if (!mmu_pkg::va_canonical(s1_va_q, mode_i)) begin
      fault = mmu_pkg::FAULT_GP;
    end else if (usable) begin
      pa = hframe | (va_u & mmu_pkg::page_mask(hshift));
      shift = hshift;
    end
    s1_rec = {s1_valid_q, miss, lookup && usable, fault, shift, pa};
  end

  // --- L1 - 1 more cycles --------------------------------------------------------------
  logic dl_busy;
  if (L1_LATENCY > 1) begin : g_delay
    localparam int N = L1_LATENCY - 1;
    logic [N*RW-1:0] dl_q;
    logic [N-1:0]    dl_valid;
    always_ff @(posedge clk_i) begin
      if (rst_i) dl_q <= '0;
      else begin
        dl_q[0 +: RW] <= s1_rec;
        for (int i = 1; i < N; i++) dl_q[i*RW +: RW] <= dl_q[(i-1)*RW +: RW];
      end
    end
    for (genvar i = 0; i < N; i++) begin : g_v
      assign dl_valid[i] = dl_q[i*RW + RW - 1];
    end
    assign out_rec = dl_q[(N-1)*RW +: RW];
    assign dl_busy = |dl_valid;
  end else begin : g_direct
    assign out_rec = s1_rec;
    assign dl_busy = 1'b0;
  end

  logic        out_valid, out_miss, out_hit;
  logic [1:0]  out_fault;
  logic [4:0]  out_shift;
  logic [63:0] out_pa;
  assign {out_valid, out_miss, out_hit, out_fault, out_shift, out_pa} = out_rec;

  // --- the miss, until the walker answers ----------------------------------------------
  logic mwait_q, ddrop_q;
  logic [PERF_W-1:0] mcyc_q;
  always_ff @(posedge clk_i) begin
    if (rst_i) begin
      blocked_q <= 1'b0;
      mwait_q   <= 1'b0;
    end else begin
      if (s1_valid_q && miss) blocked_q <= 1'b1;
      else if (wresp_valid_i) blocked_q <= 1'b0;
      if (out_valid && out_miss && !grant_i) mwait_q <= 1'b1;
      else if (grant_i) mwait_q <= 1'b0;
    end
    if (s1_valid_q && miss) ddrop_q <= hit && ddrop;
    mcyc_q <= (out_valid && out_miss) ? PERF_W'(1) : mcyc_q + 1'b1;
  end

  assign miss_valid_o    = (out_valid && out_miss) || mwait_q;
  assign miss_va_o       = va_u;
  assign miss_access_o   = s1_acc_q;
  assign miss_cpl_o      = s1_cpl_q;
  assign miss_ac_o       = s1_ac_q;
  assign miss_implicit_o = s1_imp_q;
  assign miss_ddrop_o    = (L1_LATENCY == 1 && s1_valid_q) ? (hit && ddrop) : ddrop_q;
  assign busy_o          = s1_valid_q || dl_busy || blocked_q;

  // --- response ----------------------------------------------------------------------------
  logic pipe_resp;
  assign pipe_resp = out_valid && !out_miss;
  assign resp_valid_o        = pipe_resp || wresp_valid_i;
  assign resp_o.pa           = wresp_valid_i ? wresp_i.pa : out_pa;
  assign resp_o.fault        = wresp_valid_i ? wresp_i.fault : out_fault;
  assign resp_o.ec           = wresp_valid_i ? wresp_i.ec : 6'd0;
  assign resp_o.tlb_hit      = wresp_valid_i ? wresp_i.tlb_hit :
                               (out_hit ? mmu_pkg::TLB_HIT_L1 : mmu_pkg::TLB_HIT_NONE);
  assign resp_o.pwc_hit      = wresp_valid_i ? wresp_i.pwc_hit : 3'd0;
  assign resp_o.page_shift   = wresp_valid_i ? wresp_i.page_shift : out_shift;
  assign resp_o.walked       = wresp_valid_i && wresp_i.walked;
  assign resp_o.dirty_assist = wresp_valid_i && wresp_i.dirty_assist;
  assign resp_o.mem_reads    = wresp_valid_i ? wresp_i.mem_reads : 4'd0;
  assign resp_o.mem_writes   = wresp_valid_i ? wresp_i.mem_writes : 4'd0;

  // --- performance counters ------------------------------------------------------------------
  logic [PERF_W-1:0] hits_q, misses_q, wcyc_q;
  always_ff @(posedge clk_i) begin
    if (rst_i) begin
      hits_q <= '0;  misses_q <= '0;  wcyc_q <= '0;
    end else begin
      if (lookup && usable) hits_q <= hits_q + 1'b1;
      if (miss) misses_q <= misses_q + 1'b1;
      if (wresp_valid_i && wresp_i.walked) wcyc_q <= wcyc_q + mcyc_q;
    end
  end
  assign perf_hits_o        = hits_q;
  assign perf_misses_o      = misses_q;
  assign perf_walk_cycles_o = wcyc_q;

endmodule
