// tb_ref_check: the end-to-end example of docs/reference-model.md. mmulab's own RTL plays a
// user's MMU (a configuration other than the reference's: one port, 4x2 / 2x2 L1 TLBs, no L2,
// random replacement, tiny paging-structure caches), and every translation it returns is
// checked through the DPI-C package mmulab_dpi (libmmulab's permissive checker).
//
// Two instances of the design: dut0 is correct, dut1 has the planted bug of
// docs/verification.md (PLANTED_BUG=1: INVLPG keeps global TLB entries). The same seeded
// scenario runs on each, with a fresh reference:
//   - tables built in the reference (mmulab_dpi_pt_*), copied into this testbench's memory;
//   - long mode entered through the control port, each CR write mirrored (mmulab_dpi_write_reg);
//   - random translations on port D, random leaf remaps written to both memories WITHOUT an
//     invalidation (the design may keep the old translation: SDM 4.10.4.3), INVLPGs, CR3
//     reloads; the walker's A/D writes are checked and mirrored (mmulab_dpi_ad_write).
// Pass: the correct design has no mismatch and at least one stale translation the checker
// permitted; the bugged one is caught (a mismatch after an INVLPG of a global page).
// Run: build/ref/tb/Vtb_ref_check [+verilator+seed+N] (mk/ref.mk, make test).
module tb_ref_check;
  import mmulab_dpi::*;

  localparam int NPAGES = 24;
  localparam longint unsigned VA_BASE  = 64'h0000_7f00_0040_0000;   // 4 KiB pages
  localparam longint unsigned VA_GLOB  = 64'h0000_0000_0060_0000;   // a global 4 KiB page
  localparam longint unsigned VA_LARGE = 64'h0000_0040_0000_0000;   // a 2 MiB page
  localparam longint unsigned DATA_A   = 64'h0000_0000_4000_0000;
  localparam longint unsigned DATA_B   = 64'h0000_0000_5000_0000;
  localparam longint unsigned PTE_P = 1, PTE_RW = 2, PTE_US = 4, PTE_G = 64'h100;

  logic clk = 1'b0;
  always #5 clk <= ~clk;
  logic rst = 1'b1;
  int   sel = 0;                 // which design is driven

  // driven by the testbench (to the selected design only)
  logic        d_valid = 1'b0;
  logic [63:0] d_va = '0;
  logic [1:0]  d_acc = '0, d_cpl = '0;
  logic        c_valid = 1'b0;
  logic [2:0]  c_kind = '0;
  logic [63:0] c_value = '0, c_va = '0, c_pcid = '0;
  logic [31:0] c_type = '0;
  logic        m_rvalid = 1'b0;
  logic [63:0] m_rdata = '0;
  logic        m_busy = 1'b0;

  // outputs of both designs
  logic        dut_d_ready [2];
  logic        dut_d_rvalid [2];
  logic [63:0] dut_d_pa [2];
  logic [1:0]  dut_d_fault [2];
  logic [5:0]  dut_d_ec [2];
  logic [4:0]  dut_d_shift [2];
  logic        dut_c_ready [2];
  logic        dut_c_rvalid [2];
  logic        dut_c_gp [2];
  logic        dut_m_valid [2];
  logic [63:0] dut_m_addr [2];
  logic        dut_m_write [2];
  logic [3:0]  dut_m_size [2];
  logic [63:0] dut_m_wdata [2];

  // one design instance, K: its index in the output arrays
`define MMULAB_TB_DUT(NAME, K, BUG) \
    mmu_top #( \
      .MAXPHYADDR(46), .PORTS(1), \
      .ITLB_4K_SETS(4), .ITLB_4K_WAYS(2), .ITLB_2M_SETS(1), .ITLB_2M_WAYS(2), .ITLB_1G_SETS(1), .ITLB_1G_WAYS(0), \
      .DTLB_4K_SETS(4), .DTLB_4K_WAYS(2), .DTLB_2M_SETS(2), .DTLB_2M_WAYS(2), .DTLB_1G_SETS(1), .DTLB_1G_WAYS(0), \
      .L2TLB(0), .TLB_REPL(2), \
      .PWC_PML5_ENTRIES(0), .PWC_PML4_ENTRIES(1), .PWC_PDPT_ENTRIES(1), .PWC_PD_ENTRIES(2), \
      .PLANTED_BUG(BUG) \
    ) NAME ( \
      .clk_i(clk), .rst_i(rst), \
      .d_req_valid_i(d_valid && sel == K), .d_req_ready_o(dut_d_ready[K]), .d_req_va_i(d_va), \
      .d_req_access_i(d_acc), .d_req_cpl_i(d_cpl), .d_req_ac_i(1'b0), .d_req_implicit_i(1'b0), \
      .d_resp_valid_o(dut_d_rvalid[K]), .d_resp_pa_o(dut_d_pa[K]), .d_resp_fault_o(dut_d_fault[K]), \
      .d_resp_error_code_o(dut_d_ec[K]), .d_resp_cr2_o(), .d_resp_tlb_hit_o(), .d_resp_pwc_hit_o(), \
      .d_resp_page_shift_o(dut_d_shift[K]), .d_resp_walked_o(), .d_resp_dirty_assist_o(), \
      .d_resp_mem_reads_o(), .d_resp_mem_writes_o(), \
      .i_req_valid_i(1'b0), .i_req_ready_o(), .i_req_va_i('0), .i_req_access_i('0), .i_req_cpl_i('0), \
      .i_req_ac_i(1'b0), .i_req_implicit_i(1'b0), .i_resp_valid_o(), .i_resp_pa_o(), .i_resp_fault_o(), \
      .i_resp_error_code_o(), .i_resp_cr2_o(), .i_resp_tlb_hit_o(), .i_resp_pwc_hit_o(), \
      .i_resp_page_shift_o(), .i_resp_walked_o(), .i_resp_dirty_assist_o(), .i_resp_mem_reads_o(), \
      .i_resp_mem_writes_o(), \
      .ctrl_req_valid_i(c_valid && sel == K), .ctrl_req_ready_o(dut_c_ready[K]), .ctrl_req_kind_i(c_kind), \
      .ctrl_req_value_i(c_value), .ctrl_req_va_i(c_va), .ctrl_req_invpcid_type_i(c_type), \
      .ctrl_req_pcid_i(c_pcid), .ctrl_resp_valid_o(dut_c_rvalid[K]), .ctrl_resp_gp_o(dut_c_gp[K]), \
      .ctrl_resp_ud_o(), \
      .mem_req_valid_o(dut_m_valid[K]), .mem_req_ready_i(!m_busy && sel == K), .mem_req_addr_o(dut_m_addr[K]), \
      .mem_req_write_o(dut_m_write[K]), .mem_req_size_o(dut_m_size[K]), .mem_req_wdata_o(dut_m_wdata[K]), \
      .mem_resp_valid_i(m_rvalid && sel == K), .mem_resp_rdata_i(m_rdata), \
      .cr0_o(), .cr2_o(), .cr3_o(), .cr4_o(), .efer_o(), .pdpte_o(), .mode_o(), .pcid_o(), .pkru_o(), .pkrs_o(), \
      .perf_itlb_hits_o(), .perf_itlb_misses_o(), .perf_dtlb_hits_o(), .perf_dtlb_misses_o(), \
      .perf_l2_hits_o(), .perf_l2_misses_o(), .perf_walks_o(), .perf_walk_cycles_o(), .perf_pwc_hits_o(), \
      .tlb_valid_o(), .pwc_valid_o() \
    );

  /* verilator lint_off PINCONNECTEMPTY */   // outputs the checker does not need
  `MMULAB_TB_DUT(dut0, 0, 0)
  `MMULAB_TB_DUT(dut1, 1, 1)     // the planted bug, in the second design only
  /* verilator lint_on PINCONNECTEMPTY */


  // ---- the design's memory: 8-byte words, two cycles per operation ----------------------------
  longint unsigned mem [longint unsigned];
  chandle ref_h, pt_h;
  int mismatches = 0;
  string first_why = "";

  // testbench state updated from the memory responder's clocked process: blocking on purpose
  /* verilator lint_off BLKSEQ */
  function automatic longint unsigned mem_word(input longint unsigned pa);
    return mem.exists(pa >> 3) != 0 ? mem[pa >> 3] : 64'd0;
  endfunction

  function automatic void mem_store(input longint unsigned pa, input longint unsigned v, input int size);
    longint unsigned w = mem_word(pa);
    if (size == 8) w = v;
    else if (pa[2]) w = {v[31:0], w[31:0]};
    else w = {w[63:32], v[31:0]};
    mem[pa >> 3] = w;
  endfunction

  // a mismatch: the correct design must have none (stop), the bugged one is expected to
  function automatic void note_mismatch(input string what);
    mismatches++;
    if (first_why == "") first_why = what;
    if (sel == 0) $fatal(1, "mmulab: the correct design was flagged: %s", what);
  endfunction
  /* verilator lint_on BLKSEQ */

  int m_wait = 0;
  always @(posedge clk) begin
    m_rvalid <= 1'b0;
    if (m_busy) begin
      if (m_wait == 0) begin
        m_busy <= 1'b0;
        m_rvalid <= 1'b1;
      end else m_wait <= m_wait - 1;
    end else if (dut_m_valid[sel]) begin
      longint unsigned a = dut_m_addr[sel];
      int sz = int'(dut_m_size[sel]);
      if (dut_m_write[sel]) begin
        // the walker writes only A/D bits: checked and mirrored (SDM 4.8)
        if (mmulab_dpi_ad_write(ref_h, a, dut_m_wdata[sel], sz) != MMULAB_OK)
          note_mismatch(mmulab_dpi_why(ref_h));
        mem_store(a, dut_m_wdata[sel], sz);
        m_rdata <= '0;
      end else begin
        longint unsigned w = mem_word(a);
        m_rdata <= sz == 8 ? w : (a[2] ? {32'd0, w[63:32]} : {32'd0, w[31:0]});
      end
      m_busy <= 1'b1;
      m_wait <= 1;
    end
  end

  // ---- transactions (driven and sampled on the falling edge) ---------------------------------
  task automatic translate(input longint unsigned va, input int acc, input int cpl);
    int rc;
    @(negedge clk);
    d_valid = 1'b1; d_va = va; d_acc = 2'(acc); d_cpl = 2'(cpl);
    while (!dut_d_ready[sel]) @(negedge clk);
    @(negedge clk);
    d_valid = 1'b0;
    while (!dut_d_rvalid[sel]) @(negedge clk);
    rc = mmulab_dpi_check(ref_h, va, acc, cpl, 0, 0, int'(dut_d_fault[sel]), int'(dut_d_ec[sel]),
                          dut_d_pa[sel], int'(dut_d_shift[sel]));
    if (rc != MMULAB_OK) note_mismatch(mmulab_dpi_why(ref_h));
  endtask

  // CR writes (kind 0..3) and INVLPG (4): the design and the reference see the same operation
  task automatic control(input int kind, input longint unsigned value);
    int rc;
    @(negedge clk);
    c_valid = 1'b1; c_kind = 3'(kind); c_value = value; c_va = value; c_type = '0; c_pcid = '0;
    while (!dut_c_ready[sel]) @(negedge clk);
    @(negedge clk);
    c_valid = 1'b0;
    while (!dut_c_rvalid[sel]) @(negedge clk);
    rc = kind == 4 ? mmulab_dpi_invlpg(ref_h, value) : mmulab_dpi_write_reg(ref_h, kind, value);
    if ((rc == MMULAB_E_GP) != dut_c_gp[sel])
      note_mismatch($sformatf("control %0d 0x%0h: #GP %0d, the reference says %0d", kind, value, dut_c_gp[sel], rc));
  endtask

  // a store to a page-table entry, seen by both memories (no invalidation)
  function automatic void poke(input longint unsigned pa, input longint unsigned v);
    mem_store(pa, v, 8);
    void'(mmulab_dpi_mem_write(ref_h, pa, v, 8));
  endfunction

  function automatic longint unsigned leaf_of(input longint unsigned va);
    return mmulab_dpi_pt_entry_addr(pt_h, va, va == VA_LARGE ? 2 : 1);
  endfunction

  longint unsigned stale_ok [2];
  int n_ops = 3000;

  task automatic run_design(input int k);
    longint unsigned pa, v;
    sel = k;
    mismatches = 0;
    first_why = "";
    mem.delete();
    rst = 1'b1;
    repeat (4) @(posedge clk);
    rst = 1'b0;
    void'(mmulab_dpi_reset(ref_h));
    pt_h = mmulab_dpi_pt_create(ref_h, MMULAB_MODE_4LEVEL, 64'h0100_0000, 64'h0200_0000);
    if (pt_h == null) $fatal(1, "mmulab_dpi_pt_create failed");
    for (int i = 0; i < NPAGES; i++)
      if (mmulab_dpi_pt_map(pt_h, VA_BASE + 64'(i) * 4096, DATA_A + 64'(i) * 4096, 12,
                            PTE_P | PTE_RW | PTE_US, PTE_P | PTE_RW | PTE_US) != 0)
        $fatal(1, "map %0d failed", i);
    if (mmulab_dpi_pt_map(pt_h, VA_GLOB, DATA_A + 64'h10_0000, 12, PTE_P | PTE_RW | PTE_G, PTE_P | PTE_RW) != 0 ||
        mmulab_dpi_pt_map(pt_h, VA_LARGE, DATA_A + 64'h20_0000, 21, PTE_P | PTE_RW | PTE_US,
                          PTE_P | PTE_RW | PTE_US) != 0)
      $fatal(1, "map failed");
    void'(mmulab_dpi_pt_collect(pt_h));
    while (mmulab_dpi_pt_next(pt_h, pa, v) != 0) mem[pa >> 3] = v;
    // long mode (SDM 10.8.5): CR4.PAE|PGE, EFER.LME, CR3, CR0.PG|PE
    control(MMULAB_CR4, 64'h20 | 64'h80);
    control(MMULAB_EFER, 64'h100);
    control(MMULAB_CR3, mmulab_dpi_pt_cr3(pt_h));
    control(MMULAB_CR0, 64'h8000_0011);
    for (int op = 0; op < n_ops; op++) begin
      int r = $urandom_range(99);
      int i = $urandom_range(NPAGES - 1);
      longint unsigned va = VA_BASE + 64'(i) * 4096 + 64'($urandom_range(4095));
      int pick = $urandom_range(9);
      if (pick == 0) va = VA_GLOB + 64'($urandom_range(4095));
      else if (pick == 1) va = VA_LARGE + 64'($urandom_range(2097151));
      else if (pick == 2) va = VA_BASE + (64'(NPAGES) + 64'd5) * 64'd4096;      // not mapped
      if (r < 75) begin
        translate(va, $urandom_range(1), (pick == 0) ? 0 : 3 * $urandom_range(1));
      end else if (r < 88) begin
        // remap the page to the other data area, without invalidation
        longint unsigned ea = leaf_of(va);
        if (ea != 0) begin
          longint unsigned e = mmulab_dpi_mem_read(ref_h, ea, 8);
          poke(ea, e ^ (DATA_A ^ DATA_B));
        end
      end else if (r < 96) begin
        control(4, va);                                                     // INVLPG
      end else if (r < 98) begin
        control(MMULAB_CR3, mmulab_dpi_pt_cr3(pt_h));                       // flush non-global
      end else begin
        // a global page: translate, remap, INVLPG, translate (what the planted bug gets wrong)
        longint unsigned ea = leaf_of(VA_GLOB);
        translate(VA_GLOB, 0, 0);
        poke(ea, mmulab_dpi_mem_read(ref_h, ea, 8) ^ (DATA_A ^ DATA_B));
        control(4, VA_GLOB);
        translate(VA_GLOB, 0, 0);
      end
    end
    stale_ok[k] = mmulab_dpi_stat(ref_h, MMULAB_STAT_STALE_OK);
    $display("tb_ref_check: design %0d (%s): %0d checks, %0d mismatches, %0d stale translations permitted, %0d A/D writes",
             k, k == 0 ? "correct" : "planted bug", mmulab_dpi_stat(ref_h, MMULAB_STAT_CHECKS), mismatches,
             stale_ok[k], mmulab_dpi_stat(ref_h, MMULAB_STAT_AD_WRITES));
    if (first_why != "") $display("tb_ref_check:   first: %s", first_why);
    mmulab_dpi_pt_destroy(pt_h);
  endtask

  initial begin
    if ($value$plusargs("ops=%d", n_ops)) ;
    ref_h = mmulab_dpi_create(46);
    if (ref_h == null) $fatal(1, "mmulab_dpi_create failed");
    run_design(0);
    if (stale_ok[0] == 0) $fatal(1, "no stale translation was exercised: the run proves nothing");
    run_design(1);
    if (mismatches == 0) $fatal(1, "the planted bug was not caught");
    mmulab_dpi_destroy(ref_h);
    $display("tb_ref_check: PASS (correct design clean with stale translations permitted, planted bug caught)");
    $finish;
  end
endmodule
