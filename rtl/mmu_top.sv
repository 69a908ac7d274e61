// mmu_top: the mmulab MMU (docs/semantics.md, docs/timing.md, docs/rtl.md).
// Two translation ports (D = 0, I = 1; PORTS = 1 keeps only D), a serialising control
// port, one memory master port for the walker and the PDPTE loads, the architectural
// state and performance counters. Parameters are the RTL_NAME column of model/params.def,
// and PLANTED_BUG (verification only: mmu_ctrl.sv; per instance for rtl/dpi/tb_ref_check.sv).
`ifndef MMU_PLANTED_BUG
`define MMU_PLANTED_BUG 0
`endif
module mmu_top #(
  parameter int          MAXPHYADDR       = 46,
  parameter int          PORTS            = 2,
  parameter int          ITLB_4K_SETS     = 16,
  parameter int          ITLB_4K_WAYS     = 4,
  parameter int          ITLB_2M_SETS     = 2,
  parameter int          ITLB_2M_WAYS     = 4,
  parameter int          ITLB_1G_SETS     = 1,
  parameter int          ITLB_1G_WAYS     = 0,
  parameter int          DTLB_4K_SETS     = 16,
  parameter int          DTLB_4K_WAYS     = 4,
  parameter int          DTLB_2M_SETS     = 8,
  parameter int          DTLB_2M_WAYS     = 4,
  parameter int          DTLB_1G_SETS     = 1,
  parameter int          DTLB_1G_WAYS     = 4,
  parameter int          L2TLB            = 1,
  parameter int          L2_4K_SETS       = 128,
  parameter int          L2_4K_WAYS       = 8,
  parameter int          L2_2M_SETS       = 32,
  parameter int          L2_2M_WAYS       = 4,
  parameter int          L2_1G_SETS       = 4,
  parameter int          L2_1G_WAYS       = 4,
  parameter int          TLB_REPL         = 0,
  parameter logic [31:0] RANDOM_SEED      = 32'd1,
  parameter int          PWC_PML5_ENTRIES = 2,
  parameter int          PWC_PML4_ENTRIES = 4,
  parameter int          PWC_PDPT_ENTRIES = 8,
  parameter int          PWC_PD_ENTRIES   = 16,
  parameter int          L1_LATENCY       = 1,
  parameter int          L2_LATENCY       = 4,
  parameter int          PWC_LATENCY      = 1,
  parameter int          WALK_OVERHEAD    = 1,
  parameter int          CTRL_LATENCY     = 1,
  parameter int          PK               = 1,     // protection keys (0: no key storage or logic)
  // memory-model parameters: used by the harness's memory responder, not by the RTL;
  // accepted so one -G list (mmulab params --verilator-flags) serves every build
  parameter int          MEM_MODEL        = 0,
  parameter int          MEM_LATENCY      = 20,
  parameter int          DRAM_BANKS       = 8,
  parameter int          DRAM_ROW_BYTES   = 2048,
  parameter int          DRAM_ROW_HIT     = 12,
  parameter int          DRAM_ROW_MISS    = 36,
  parameter int          CACHE_LEVELS     = 3,
  parameter int          CACHE_L1_BYTES   = 49152,
  parameter int          CACHE_L1_WAYS    = 12,
  parameter int          CACHE_L1_LINE    = 64,
  parameter int          CACHE_L1_LATENCY = 5,
  parameter int          CACHE_L2_BYTES   = 524288,
  parameter int          CACHE_L2_WAYS    = 8,
  parameter int          CACHE_L2_LINE    = 64,
  parameter int          CACHE_L2_LATENCY = 10,
  parameter int          CACHE_L3_BYTES   = 2097152,
  parameter int          CACHE_L3_WAYS    = 16,
  parameter int          CACHE_L3_LINE    = 64,
  parameter int          CACHE_L3_LATENCY = 20,
  parameter int          CACHE_DRAM_LATENCY = 100,
  parameter int          PERF_W           = 32,
  parameter int          PLANTED_BUG      = `MMU_PLANTED_BUG
) (
  input  logic              clk_i,
  input  logic              rst_i,             // synchronous, active high
  // translation port D
  input  logic              d_req_valid_i,
  output logic              d_req_ready_o,
  input  logic [63:0]       d_req_va_i,
  input  logic [1:0]        d_req_access_i,      // 0 r, 1 w, 2 x
  input  logic [1:0]        d_req_cpl_i,
  input  logic              d_req_ac_i,
  input  logic              d_req_implicit_i,
  output logic              d_resp_valid_o,
  output logic [63:0]       d_resp_pa_o,
  output logic [1:0]        d_resp_fault_o,      // 0 none, 1 #PF, 2 #GP
  output logic [5:0]        d_resp_error_code_o,
  output logic [63:0]       d_resp_cr2_o,
  output logic [1:0]        d_resp_tlb_hit_o,    // 0 none, 1 L1, 2 L2
  output logic [2:0]        d_resp_pwc_hit_o,    // 0 or level 2..5
  output logic [4:0]        d_resp_page_shift_o,
  output logic              d_resp_walked_o,
  output logic              d_resp_dirty_assist_o,
  output logic [3:0]        d_resp_mem_reads_o,
  output logic [3:0]        d_resp_mem_writes_o,
  // translation port I
  input  logic              i_req_valid_i,
  output logic              i_req_ready_o,
  input  logic [63:0]       i_req_va_i,
  input  logic [1:0]        i_req_access_i,      // 0 r, 1 w, 2 x
  input  logic [1:0]        i_req_cpl_i,
  input  logic              i_req_ac_i,
  input  logic              i_req_implicit_i,
  output logic              i_resp_valid_o,
  output logic [63:0]       i_resp_pa_o,
  output logic [1:0]        i_resp_fault_o,      // 0 none, 1 #PF, 2 #GP
  output logic [5:0]        i_resp_error_code_o,
  output logic [63:0]       i_resp_cr2_o,
  output logic [1:0]        i_resp_tlb_hit_o,    // 0 none, 1 L1, 2 L2
  output logic [2:0]        i_resp_pwc_hit_o,    // 0 or level 2..5
  output logic [4:0]        i_resp_page_shift_o,
  output logic              i_resp_walked_o,
  output logic              i_resp_dirty_assist_o,
  output logic [3:0]        i_resp_mem_reads_o,
  output logic [3:0]        i_resp_mem_writes_o,
  // control port: CR writes, INVLPG, INVPCID
  input  logic              ctrl_req_valid_i,
  output logic              ctrl_req_ready_o,
  input  logic [2:0]        ctrl_req_kind_i,       // 0 CR0, 1 CR3, 2 CR4, 3 EFER, 4 INVLPG, 5 INVPCID
  input  logic [63:0]       ctrl_req_value_i,
  input  logic [63:0]       ctrl_req_va_i,
  input  logic [31:0]       ctrl_req_invpcid_type_i,
  input  logic [63:0]       ctrl_req_pcid_i,
  output logic              ctrl_resp_valid_o,
  output logic              ctrl_resp_gp_o,
  output logic              ctrl_resp_ud_o,        // #UD (WRPKRU while CR4.PKE = 0)
  // memory master: one operation outstanding, any latency, request back-pressure
  output logic              mem_req_valid_o,
  input  logic              mem_req_ready_i,
  output logic [63:0]       mem_req_addr_o,
  output logic              mem_req_write_o,
  output logic [3:0]        mem_req_size_o,        // 4 or 8 bytes
  output logic [63:0]       mem_req_wdata_o,
  input  logic              mem_resp_valid_i,      // reads and writes both complete with a response
  input  logic [63:0]       mem_resp_rdata_i,
  // architectural state
  output logic [63:0]       cr0_o,
  output logic [63:0]       cr2_o,
  output logic [63:0]       cr3_o,
  output logic [63:0]       cr4_o,
  output logic [63:0]       efer_o,
  output logic [255:0]      pdpte_o,
  output logic [2:0]        mode_o,
  output logic [11:0]       pcid_o,
  output logic [31:0]       pkru_o,                // 0 with PK=0
  output logic [31:0]       pkrs_o,                // IA32_PKRS[31:0] (63:32 reserved)
  // performance counters and occupancy
  output logic [PERF_W-1:0] perf_itlb_hits_o,
  output logic [PERF_W-1:0] perf_itlb_misses_o,
  output logic [PERF_W-1:0] perf_dtlb_hits_o,
  output logic [PERF_W-1:0] perf_dtlb_misses_o,
  output logic [PERF_W-1:0] perf_l2_hits_o,
  output logic [PERF_W-1:0] perf_l2_misses_o,
  output logic [PERF_W-1:0] perf_walks_o,
  output logic [PERF_W-1:0] perf_walk_cycles_o,
  output logic [4*PERF_W-1:0] perf_pwc_hits_o,     // deepest hit, levels 2..5
  output logic [19:0]       tlb_valid_o,           // valid TLB entries (all TLBs)
  output logic [8:0]        pwc_valid_o            // valid PWC entries
);

  // S: the largest sets of any TLB array that exists (timing.md, selective flush)
  function automatic int smax(input int a, input int b);
    smax = (a > b) ? a : b;
  endfunction
  function automatic int sets_of(input int sets, input int ways, input int present);
    sets_of = (ways > 0 && present != 0) ? sets : 1;
  endfunction
  localparam int S_D = smax(sets_of(DTLB_4K_SETS, DTLB_4K_WAYS, 1),
                       smax(sets_of(DTLB_2M_SETS, DTLB_2M_WAYS, 1), sets_of(DTLB_1G_SETS, DTLB_1G_WAYS, 1)));
  localparam int S_I = smax(sets_of(ITLB_4K_SETS, ITLB_4K_WAYS, PORTS - 1),
                       smax(sets_of(ITLB_2M_SETS, ITLB_2M_WAYS, PORTS - 1), sets_of(ITLB_1G_SETS, ITLB_1G_WAYS, PORTS - 1)));
  localparam int S_L2 = smax(sets_of(L2_4K_SETS, L2_4K_WAYS, L2TLB),
                        smax(sets_of(L2_2M_SETS, L2_2M_WAYS, L2TLB), sets_of(L2_1G_SETS, L2_1G_WAYS, L2TLB)));
  localparam int SWEEP_SETS = smax(S_D, smax(S_I, S_L2));
  localparam int SET_W = $clog2(SWEEP_SETS) + 1;

  // --- control state -----------------------------------------------------------------
  logic [2:0]   mode;
  logic [11:0]  pcid;
  logic         wp, smep, smap, nxe, pse, pge, pae;
  logic [63:0]  cr3, cr2;
  logic [255:0] pdpte;
  logic         ctrl_busy;
  mmu_pkg::pk_ctl_t pk_ctl;

  // --- walker <-> ports --------------------------------------------------------------------
  logic [1:0]   miss_valid, grant, miss_ac, miss_implicit, miss_ddrop, port_busy;
  logic [127:0] miss_va;
  logic [3:0]   miss_access, miss_cpl;
  logic         w_resp_valid, w_resp_port;
  mmu_pkg::xlat_resp_t w_resp;
  logic         w_l1_fill, w_l2_fill;
  mmu_pkg::tlb_fill_t fill_entry;

  // --- invalidation (mmu_ctrl -> every TLB and the PWCs) -------------------------------------
  logic             inv_rd_en, inv_rd_sweep;
  mmu_pkg::tlb_inv_t c_inv, inv;          // mmu_ctrl's, and the one every TLB sees
  logic [SET_W-1:0] inv_rd_set;
  logic [56:0]      inv_va;
  logic             pwc_inv_all, pwc_inv_pcid;
  logic [11:0]      pwc_inv_pcid_val;

  logic [37:0]          l1_nvalid;
  logic [2*PERF_W-1:0]  perf_l1_hits, perf_l1_misses, perf_l1_wcyc;

  // --- translation ports ---------------------------------------------------------------------
  logic pf_inv_q;
  // the response's CR2 is the value after the completion cycle (a #PF writes it in that cycle)
  logic pf;
  logic [63:0] pf_va, cr2_now;
  assign cr2_now = pf ? pf_va : cr2;
  assign d_resp_cr2_o = cr2_now;
  assign i_resp_cr2_o = cr2_now;

  // the ports' responses, flattened onto mmu_top's pins
  mmu_pkg::xlat_resp_t d_resp, i_resp;
  assign d_resp_pa_o           = d_resp.pa;
  assign d_resp_fault_o        = d_resp.fault;
  assign d_resp_error_code_o   = d_resp.ec;
  assign d_resp_tlb_hit_o      = d_resp.tlb_hit;
  assign d_resp_pwc_hit_o      = d_resp.pwc_hit;
  assign d_resp_page_shift_o   = d_resp.page_shift;
  assign d_resp_walked_o       = d_resp.walked;
  assign d_resp_dirty_assist_o = d_resp.dirty_assist;
  assign d_resp_mem_reads_o    = d_resp.mem_reads;
  assign d_resp_mem_writes_o   = d_resp.mem_writes;
  assign i_resp_pa_o           = i_resp.pa;
  assign i_resp_fault_o        = i_resp.fault;
  assign i_resp_error_code_o   = i_resp.ec;
  assign i_resp_tlb_hit_o      = i_resp.tlb_hit;
  assign i_resp_pwc_hit_o      = i_resp.pwc_hit;
  assign i_resp_page_shift_o   = i_resp.page_shift;
  assign i_resp_walked_o       = i_resp.walked;
  assign i_resp_dirty_assist_o = i_resp.dirty_assist;
  assign i_resp_mem_reads_o    = i_resp.mem_reads;
  assign i_resp_mem_writes_o   = i_resp.mem_writes;

  begin : g_d
    mmu_port #(
      .SETS_4K(DTLB_4K_SETS), .WAYS_4K(DTLB_4K_WAYS), .SETS_2M(DTLB_2M_SETS), .WAYS_2M(DTLB_2M_WAYS),
      .SETS_1G(DTLB_1G_SETS), .WAYS_1G(DTLB_1G_WAYS), .TLB_ID(1), .REPL(TLB_REPL),
      .RANDOM_SEED(RANDOM_SEED), .MAXPHYADDR(MAXPHYADDR), .PK(PK), .L1_LATENCY(L1_LATENCY), .SET_W(SET_W),
      .PERF_W(PERF_W)
    ) u_port (
      .clk_i, .rst_i,
      .req_valid_i(d_req_valid_i), .req_ready_o(d_req_ready_o), .req_va_i(d_req_va_i),
      .req_access_i(d_req_access_i), .req_cpl_i(d_req_cpl_i), .req_ac_i(d_req_ac_i),
      .req_implicit_i(d_req_implicit_i),
      .resp_valid_o(d_resp_valid_o), .resp_o(d_resp),
      .stall_i(ctrl_busy), .pf_rd_i(pf), .pf_cmp_i(pf_inv_q), .pf_own_i(PORTS == 1 || !w_resp_port),
      .pf_va_i(pf_va[56:0]),
      .mode_i(mode), .pcid_i(pcid), .wp_i(wp), .smep_i(smep), .smap_i(smap), .nxe_i(nxe), .pk_i(pk_ctl),
      .miss_valid_o(miss_valid[0]), .miss_va_o(miss_va[64*0 +: 64]),
      .miss_access_o(miss_access[2*0 +: 2]), .miss_cpl_o(miss_cpl[2*0 +: 2]),
      .miss_ac_o(miss_ac[0]), .miss_implicit_o(miss_implicit[0]), .miss_ddrop_o(miss_ddrop[0]),
      .grant_i(grant[0]),
      .wresp_valid_i(w_resp_valid && w_resp_port == 1'b0), .wresp_i(w_resp),
      .fill_i(w_l1_fill && w_resp_port == 1'b0), .fill_entry_i(fill_entry),
      .inv_rd_en_i(inv_rd_en), .inv_rd_sweep_i(inv_rd_sweep), .inv_rd_set_i(inv_rd_set), .inv_va_i(inv_va),
      .inv_i(inv),
      .busy_o(port_busy[0]), .nvalid_o(l1_nvalid[19*0 +: 19]),
      .perf_hits_o(perf_l1_hits[PERF_W*0 +: PERF_W]), .perf_misses_o(perf_l1_misses[PERF_W*0 +: PERF_W]),
      .perf_walk_cycles_o(perf_l1_wcyc[PERF_W*0 +: PERF_W])
    );
  end

  if (PORTS == 2) begin : g_i
    mmu_port #(
      .SETS_4K(ITLB_4K_SETS), .WAYS_4K(ITLB_4K_WAYS), .SETS_2M(ITLB_2M_SETS), .WAYS_2M(ITLB_2M_WAYS),
      .SETS_1G(ITLB_1G_SETS), .WAYS_1G(ITLB_1G_WAYS), .TLB_ID(0), .REPL(TLB_REPL),
      .RANDOM_SEED(RANDOM_SEED), .MAXPHYADDR(MAXPHYADDR), .PK(PK), .L1_LATENCY(L1_LATENCY), .SET_W(SET_W),
      .PERF_W(PERF_W)
    ) u_port (
      .clk_i, .rst_i,
      .req_valid_i(i_req_valid_i), .req_ready_o(i_req_ready_o), .req_va_i(i_req_va_i),
      .req_access_i(i_req_access_i), .req_cpl_i(i_req_cpl_i), .req_ac_i(i_req_ac_i),
      .req_implicit_i(i_req_implicit_i),
      .resp_valid_o(i_resp_valid_o), .resp_o(i_resp),
      .stall_i(ctrl_busy), .pf_rd_i(pf), .pf_cmp_i(pf_inv_q), .pf_own_i(w_resp_port),
      .pf_va_i(pf_va[56:0]),
      .mode_i(mode), .pcid_i(pcid), .wp_i(wp), .smep_i(smep), .smap_i(smap), .nxe_i(nxe), .pk_i(pk_ctl),
      .miss_valid_o(miss_valid[1]), .miss_va_o(miss_va[64*1 +: 64]),
      .miss_access_o(miss_access[2*1 +: 2]), .miss_cpl_o(miss_cpl[2*1 +: 2]),
      .miss_ac_o(miss_ac[1]), .miss_implicit_o(miss_implicit[1]), .miss_ddrop_o(miss_ddrop[1]),
      .grant_i(grant[1]),
      .wresp_valid_i(w_resp_valid && w_resp_port == 1'b1), .wresp_i(w_resp),
      .fill_i(w_l1_fill && w_resp_port == 1'b1), .fill_entry_i(fill_entry),
      .inv_rd_en_i(inv_rd_en), .inv_rd_sweep_i(inv_rd_sweep), .inv_rd_set_i(inv_rd_set), .inv_va_i(inv_va),
      .inv_i(inv),
      .busy_o(port_busy[1]), .nvalid_o(l1_nvalid[19*1 +: 19]),
      .perf_hits_o(perf_l1_hits[PERF_W*1 +: PERF_W]), .perf_misses_o(perf_l1_misses[PERF_W*1 +: PERF_W]),
      .perf_walk_cycles_o(perf_l1_wcyc[PERF_W*1 +: PERF_W])
    );
  end else begin : g_no_i
    assign i_req_ready_o = 1'b0;
    assign i_resp_valid_o = 1'b0;
    assign i_resp = '0;
    assign miss_valid[1] = 1'b0;
    assign miss_va[127:64] = '0;
    assign miss_access[3:2] = '0;
    assign miss_cpl[3:2] = '0;
    assign miss_ac[1] = 1'b0;
    assign miss_implicit[1] = 1'b0;
    assign miss_ddrop[1] = 1'b0;
    assign port_busy[1] = 1'b0;
    assign l1_nvalid[37:19] = '0;
    assign perf_l1_hits[2*PERF_W-1:PERF_W] = '0;
    assign perf_l1_misses[2*PERF_W-1:PERF_W] = '0;
    assign perf_l1_wcyc[2*PERF_W-1:PERF_W] = '0;
    // the I port's inputs are not used with one port
    /* verilator lint_off UNUSEDSIGNAL */
    logic unused_i;
    assign unused_i = ^{grant[1], i_req_valid_i, i_req_va_i, i_req_access_i, i_req_cpl_i, i_req_ac_i, i_req_implicit_i};
    /* verilator lint_on UNUSEDSIGNAL */
  end

  // --- L2 TLB and paging-structure caches ----------------------------------------------------
  logic         l2_rd_en, l2_cmp, l2_hit, l2_rw, l2_us, l2_xd, l2_g, l2_dirty, l2_drop, l2_touch;
  logic [56:0]  l2_rd_va, l2_cmp_va;
  logic [1:0]   l2_cls;
  logic [63:0]  l2_frame;
  logic [11:0]  l2_pcid;
  logic [3:0]   l2_pkey;
  logic [18:0]  l2_nvalid;

  if (L2TLB != 0) begin : g_l2
    tlb #(
      .SETS_4K(L2_4K_SETS), .WAYS_4K(L2_4K_WAYS), .SETS_2M(L2_2M_SETS), .WAYS_2M(L2_2M_WAYS),
      .SETS_1G(L2_1G_SETS), .WAYS_1G(L2_1G_WAYS), .TLB_ID(2), .REPL(TLB_REPL),
      .RANDOM_SEED(RANDOM_SEED), .MAXPHYADDR(MAXPHYADDR), .PK(PK), .SET_W(SET_W)
    ) u_l2 (
      .clk_i, .rst_i, .mode32_i(mode == mmu_pkg::PAGING_32),
      .rd_en_i(ctrl_busy ? inv_rd_en : (pf || l2_rd_en)), .rd_sweep_i(ctrl_busy && inv_rd_sweep),
      // (the walker's VA register is the #PF's address at c (l2_rd_va) and c+1 (l2_cmp_va))
      .rd_set_i(inv_rd_set), .rd_va_i(ctrl_busy ? inv_va : l2_rd_va),
      .cmp_en_i(ctrl_busy || l2_cmp || pf_inv_q), .cmp_va_i(ctrl_busy ? inv_va : l2_cmp_va),
      .cmp_pcid_i(pcid),
      .hit_o(l2_hit), .hit_cls_o(l2_cls), .hit_frame_o(l2_frame), .hit_rw_o(l2_rw), .hit_us_o(l2_us),
      .hit_xd_o(l2_xd), .hit_g_o(l2_g), .hit_dirty_o(l2_dirty), .hit_pcid_o(l2_pcid),
      .hit_pkey_o(l2_pkey), .drop_i(l2_drop), .touch_i(l2_touch),
      .inv_i(inv),
      .fill_i(w_l2_fill), .fill_entry_i(fill_entry),
      .nvalid_o(l2_nvalid)
    );
  end else begin : g_no_l2
    assign l2_hit = 1'b0;
    assign l2_cls = '0;
    assign l2_frame = '0;
    assign l2_pcid = '0;
    assign l2_pkey = '0;
    assign {l2_rw, l2_us, l2_xd, l2_g, l2_dirty} = '0;
    assign l2_nvalid = '0;
    /* verilator lint_off UNUSEDSIGNAL */
    logic unused_l2;
    assign unused_l2 = ^{l2_rd_en, l2_cmp, l2_rd_va, l2_cmp_va, l2_drop, l2_touch, w_l2_fill};
    /* verilator lint_on UNUSEDSIGNAL */
  end

  logic [56:0]  pwc_va;
  logic [2:0]   pwc_hit_level, pwc_hit_rights;
  logic [63:0]  pwc_hit_base;
  logic [3:0]   pwc_fill;
  logic [255:0] pwc_fill_base;
  logic [11:0]  pwc_fill_rights;
  logic         pwc_inv_va, pwc_lk;

  pwc #(
    .PML5_ENTRIES(PWC_PML5_ENTRIES), .PML4_ENTRIES(PWC_PML4_ENTRIES),
    .PDPT_ENTRIES(PWC_PDPT_ENTRIES), .PD_ENTRIES(PWC_PD_ENTRIES), .MAXPHYADDR(MAXPHYADDR)
  ) u_pwc (
    .clk_i, .rst_i, .mode_i(mode), .pcid_i(pcid),
    .va_i(pwc_va), .lk_i(pwc_lk), .hit_level_o(pwc_hit_level), .hit_base_o(pwc_hit_base), .hit_rights_o(pwc_hit_rights),
    .fill_i(pwc_fill), .fill_va_i(fill_entry.va), .fill_base_i(pwc_fill_base), .fill_rights_i(pwc_fill_rights),
    .inv_all_i(pwc_inv_all), .inv_pcid_i(pwc_inv_pcid), .inv_pcid_val_i(pwc_inv_pcid_val),
    .inv_va_i(pwc_inv_va), .nvalid_o(pwc_valid_o)
  );

  // --- walker --------------------------------------------------------------------------------
  logic         w_mem_valid, w_mem_write;
  logic [63:0]  w_mem_addr, w_mem_wdata;
  logic [3:0]   w_mem_size;
  logic         walker_busy, ev_l2_hit, ev_l2_miss, ev_walk;
  logic [2:0]   ev_pwc_hit;

  walker #(
    .HAS_L2(L2TLB), .L2_LATENCY(L2_LATENCY), .PWC_LATENCY(PWC_LATENCY), .WALK_OVERHEAD(WALK_OVERHEAD),
    .MAXPHYADDR(MAXPHYADDR), .PK(PK), .PML5_ENTRIES(PWC_PML5_ENTRIES), .PML4_ENTRIES(PWC_PML4_ENTRIES),
    .PDPT_ENTRIES(PWC_PDPT_ENTRIES), .PD_ENTRIES(PWC_PD_ENTRIES)
  ) u_walker (
    .clk_i, .rst_i,
    .mode_i(mode), .wp_i(wp), .smep_i(smep), .smap_i(smap), .nxe_i(nxe), .pse_i(pse), .pge_i(pge),
    .pae_i(pae), .pk_i(pk_ctl), .pcid_i(pcid), .cr3_i(cr3), .pdpte_i(pdpte),
    .miss_valid_i(miss_valid), .miss_va_i(miss_va), .miss_access_i(miss_access), .miss_cpl_i(miss_cpl),
    .miss_ac_i(miss_ac), .miss_implicit_i(miss_implicit), .miss_ddrop_i(miss_ddrop), .grant_o(grant),
    .resp_valid_o(w_resp_valid), .resp_port_o(w_resp_port), .resp_o(w_resp),
    .l1_fill_o(w_l1_fill), .l2_fill_o(w_l2_fill), .fill_entry_o(fill_entry),
    .l2_rd_en_o(l2_rd_en), .l2_cmp_o(l2_cmp), .l2_rd_va_o(l2_rd_va), .l2_cmp_va_o(l2_cmp_va),
    .l2_hit_i(l2_hit), .l2_hit_cls_i(l2_cls), .l2_hit_frame_i(l2_frame), .l2_hit_rw_i(l2_rw),
    .l2_hit_us_i(l2_us), .l2_hit_xd_i(l2_xd), .l2_hit_g_i(l2_g), .l2_hit_dirty_i(l2_dirty),
    .l2_hit_pcid_i(l2_pcid), .l2_hit_pkey_i(l2_pkey), .l2_drop_o(l2_drop), .l2_touch_o(l2_touch),
    .pwc_va_o(pwc_va), .pwc_lk_o(pwc_lk), .pwc_hit_level_i(pwc_hit_level), .pwc_hit_base_i(pwc_hit_base),
    .pwc_hit_rights_i(pwc_hit_rights), .pwc_fill_o(pwc_fill), .pwc_fill_base_o(pwc_fill_base),
    .pwc_fill_rights_o(pwc_fill_rights), .pwc_inv_va_o(pwc_inv_va),
    .pf_o(pf), .pf_va_o(pf_va),
    .mem_req_valid_o(w_mem_valid), .mem_req_ready_i(mem_req_ready_i && !ctrl_busy),
    .mem_req_addr_o(w_mem_addr), .mem_req_write_o(w_mem_write), .mem_req_size_o(w_mem_size),
    .mem_req_wdata_o(w_mem_wdata), .mem_resp_valid_i(mem_resp_valid_i && !ctrl_busy),
    .mem_resp_rdata_i(mem_resp_rdata_i),
    .busy_o(walker_busy), .ev_l2_hit_o(ev_l2_hit), .ev_l2_miss_o(ev_l2_miss), .ev_walk_o(ev_walk),
    .ev_pwc_hit_o(ev_pwc_hit)
  );

  // --- control -------------------------------------------------------------------------------
  logic         c_mem_valid;
  logic [63:0]  c_mem_addr;
  logic         xlat_idle;
  assign xlat_idle = !(|port_busy) && !walker_busy && !d_req_valid_i && !(PORTS == 2 && i_req_valid_i);

  mmu_ctrl #(
    .MAXPHYADDR(MAXPHYADDR), .CTRL_LATENCY(CTRL_LATENCY), .WALK_OVERHEAD(WALK_OVERHEAD),
    .SWEEP_SETS(SWEEP_SETS), .SET_W(SET_W), .PK(PK), .PLANTED_BUG(PLANTED_BUG)
  ) u_ctrl (
    .clk_i, .rst_i,
    .req_valid_i(ctrl_req_valid_i), .req_ready_o(ctrl_req_ready_o), .req_kind_i(ctrl_req_kind_i),
    .req_value_i(ctrl_req_value_i), .req_va_i(ctrl_req_va_i), .req_invpcid_type_i(ctrl_req_invpcid_type_i),
    .req_pcid_i(ctrl_req_pcid_i), .resp_valid_o(ctrl_resp_valid_o), .resp_gp_o(ctrl_resp_gp_o),
    .resp_ud_o(ctrl_resp_ud_o),
    .idle_i(xlat_idle), .busy_o(ctrl_busy),
    .pf_i(pf), .pf_va_i(pf_va),
    .cr0_o, .cr2_o(cr2), .cr3_o(cr3), .cr4_o, .efer_o, .pdpte_o(pdpte), .mode_o(mode), .pcid_o(pcid),
    .wp_o(wp), .smep_o(smep), .smap_o(smap), .nxe_o(nxe), .pse_o(pse), .pge_o(pge), .pae_o(pae),
    .pk_o(pk_ctl), .pkru_o, .pkrs_o,
    .tlb_rd_en_o(inv_rd_en), .tlb_rd_sweep_o(inv_rd_sweep), .tlb_rd_set_o(inv_rd_set), .tlb_va_o(inv_va),
    .tlb_inv_o(c_inv),
    .pwc_inv_all_o(pwc_inv_all), .pwc_inv_pcid_o(pwc_inv_pcid), .pwc_inv_pcid_val_o(pwc_inv_pcid_val),
    .mem_req_valid_o(c_mem_valid), .mem_req_ready_i(mem_req_ready_i && ctrl_busy), .mem_req_addr_o(c_mem_addr),
    .mem_resp_valid_i(mem_resp_valid_i && ctrl_busy), .mem_resp_rdata_i(mem_resp_rdata_i)
  );

  assign cr2_o  = cr2;
  assign cr3_o  = cr3;
  assign pdpte_o = pdpte;
  assign mode_o = mode;
  assign pcid_o = pcid;

  // --- #PF invalidation (docs/semantics.md section 3, docs/timing.md "#PF invalidation") -------
  // A #PF completing at c (pf): every TLB reads the set of the faulting VA at c (no port accepts
  // then; the walker grants nothing in its completion cycle) and invalidates with INVLPG's filter
  // at c + 1 (pf_inv_q). The address comes from registers that hold it in both cycles: the walker's
  // VA (pf_va; a grant at c + 1 loads it at the end of c + 1), and in the faulting port its own
  // request register (blocked until c). Control operations never overlap: they start when every
  // translation has completed and touch the TLBs from c + 2 on.
  always_ff @(posedge clk_i) pf_inv_q <= !rst_i && pf;  always_comb begin : tlb_inv_mux
    inv = c_inv;
    if (pf_inv_q) begin
      inv.all             = 1'b0;
      inv.cmp             = 1'b1;
      inv.by_va           = 1'b1;
      inv.by_pcid         = 1'b1;
      inv.pcid            = pcid;
      inv.keep_global     = 1'b0;
      inv.global_any_pcid = 1'b1;
    end
  end

  // --- memory master: the walker, or mmu_ctrl while it runs -----------------------------------
  assign mem_req_valid_o = ctrl_busy ? c_mem_valid : w_mem_valid;
  assign mem_req_addr_o  = ctrl_busy ? c_mem_addr : w_mem_addr;
  assign mem_req_write_o = !ctrl_busy && w_mem_write;
  assign mem_req_size_o  = ctrl_busy ? 4'd8 : w_mem_size;
  assign mem_req_wdata_o = ctrl_busy ? 64'd0 : w_mem_wdata;

  // --- performance counters ----------------------------------------------------------------------
  logic [PERF_W-1:0] l2_hits_q, l2_misses_q, walks_q;
  logic [4*PERF_W-1:0] pwc_hits_q;
  always_ff @(posedge clk_i) begin
    if (rst_i) begin
      l2_hits_q <= '0;  l2_misses_q <= '0;  walks_q <= '0;  pwc_hits_q <= '0;
    end else begin
      if (ev_l2_hit) l2_hits_q <= l2_hits_q + 1'b1;
      if (ev_l2_miss) l2_misses_q <= l2_misses_q + 1'b1;
      if (ev_walk) walks_q <= walks_q + 1'b1;
      for (int l = 2; l <= 5; l++)
        if (ev_pwc_hit == 3'(l))
          pwc_hits_q[PERF_W*(l-2) +: PERF_W] <= pwc_hits_q[PERF_W*(l-2) +: PERF_W] + 1'b1;
    end
  end
  assign perf_dtlb_hits_o   = perf_l1_hits[PERF_W-1:0];
  assign perf_dtlb_misses_o = perf_l1_misses[PERF_W-1:0];
  assign perf_itlb_hits_o   = perf_l1_hits[2*PERF_W-1:PERF_W];
  assign perf_itlb_misses_o = perf_l1_misses[2*PERF_W-1:PERF_W];
  assign perf_l2_hits_o     = l2_hits_q;
  assign perf_l2_misses_o   = l2_misses_q;
  assign perf_walks_o       = walks_q;
  assign perf_walk_cycles_o = perf_l1_wcyc[PERF_W-1:0] + perf_l1_wcyc[2*PERF_W-1:PERF_W];
  assign perf_pwc_hits_o    = pwc_hits_q;
  assign tlb_valid_o        = 20'(l1_nvalid[18:0]) + 20'(l1_nvalid[37:19]) + 20'(l2_nvalid);

`ifndef SYNTHESIS
  // The pins' protocol (checked in --assert builds; a failure aborts the simulation): the
  // request codes are those of mmu_pkg (every 3-bit control kind is one, CTRL_CR0..CTRL_WRPKRS).
  always_ff @(posedge clk_i) if (!rst_i) begin
    if (d_req_valid_i) assert (d_req_access_i <= mmu_pkg::ACC_EXEC);
    if (i_req_valid_i && PORTS == 2) assert (i_req_access_i <= mmu_pkg::ACC_EXEC);
  end
  // a #PF invalidation and a control operation never share the TLBs' read ports
  always_ff @(posedge clk_i) if (!rst_i && (pf || pf_inv_q)) assert (!ctrl_busy);
`endif

  // the memory-model parameters only configure the harness
  /* verilator lint_off UNUSEDPARAM */
  localparam int UNUSED_HARNESS = MEM_MODEL + MEM_LATENCY + DRAM_BANKS + DRAM_ROW_BYTES + DRAM_ROW_HIT + DRAM_ROW_MISS
    + CACHE_LEVELS + CACHE_L1_BYTES + CACHE_L1_WAYS + CACHE_L1_LINE + CACHE_L1_LATENCY
    + CACHE_L2_BYTES + CACHE_L2_WAYS + CACHE_L2_LINE + CACHE_L2_LATENCY
    + CACHE_L3_BYTES + CACHE_L3_WAYS + CACHE_L3_LINE + CACHE_L3_LATENCY + CACHE_DRAM_LATENCY;
  /* verilator lint_on UNUSEDPARAM */

endmodule
