// props_walker: bounded proofs of the walker's interface promises (docs/rtl.md "Ports of mmu_top",
// memory master; docs/formal.md). The walker runs on free inputs; the `assume`s are what its
// neighbours promise it (each says which), the `assert`s what it promises them. yosys-smtbmc checks
// them from reset up to the depth `make formal` gives (enough for a whole 5-level walk with A/D
// writes: the cover at the end is reached within it).
module props_walker #(
  parameter int HAS_L2        = 0,
  parameter int L2_LATENCY    = 1,
  parameter int PWC_LATENCY   = 1,
  parameter int WALK_OVERHEAD = 1,
  parameter int MAXPHYADDR    = 46
) (
  input  logic          clk_i,
  input  logic          rst_i,
  input  logic [2:0]    mode_i,
  input  logic          wp_i, smep_i, smap_i, nxe_i, pse_i, pge_i,
  input  mmu_pkg::pk_ctl_t pk_i,
  input  logic [11:0]   pcid_i,
  input  logic [63:0]   cr3_i,
  input  logic [255:0]  pdpte_i,
  input  logic [1:0]    miss_valid_i,
  input  logic [127:0]  miss_va_i,
  input  logic [3:0]    miss_access_i,
  input  logic [3:0]    miss_cpl_i,
  input  logic [1:0]    miss_ac_i,
  input  logic [1:0]    miss_implicit_i,
  input  logic [1:0]    miss_ddrop_i,
  input  logic          l2_hit_i,
  input  logic [1:0]    l2_hit_cls_i,
  input  logic [63:0]   l2_hit_frame_i,
  input  logic          l2_hit_rw_i, l2_hit_us_i, l2_hit_xd_i, l2_hit_g_i, l2_hit_dirty_i,
  input  logic [11:0]   l2_hit_pcid_i,
  input  logic [3:0]    l2_hit_pkey_i,
  input  logic [2:0]    pwc_hit_level_i,
  input  logic [63:0]   pwc_hit_base_i,
  input  logic [2:0]    pwc_hit_rights_i,
  input  logic          mem_req_ready_i,
  input  logic          mem_resp_valid_i,
  input  logic [63:0]   mem_resp_rdata_i
);
  logic [1:0]   grant;
  logic         resp_valid, resp_port, l1_fill, l2_fill;
  /* verilator lint_off UNUSEDSIGNAL */  // the properties look at some of the response's fields
  mmu_pkg::xlat_resp_t resp;
  /* verilator lint_on UNUSEDSIGNAL */
  logic         mem_req_valid, mem_req_write;
  logic [63:0]  mem_req_addr, mem_req_wdata;
  logic [3:0]   mem_req_size;
  logic [3:0]   pwc_fill;
  logic         pf, busy;

  /* verilator lint_off PINCONNECTEMPTY */
  walker #(
    .HAS_L2(HAS_L2), .L2_LATENCY(L2_LATENCY), .PWC_LATENCY(PWC_LATENCY),
    .WALK_OVERHEAD(WALK_OVERHEAD), .MAXPHYADDR(MAXPHYADDR)
  ) u_walker (
    .clk_i, .rst_i, .mode_i, .wp_i, .smep_i, .smap_i, .nxe_i, .pse_i, .pge_i,
    .pae_i(mode_i != mmu_pkg::PAGING_32), .pk_i, .pcid_i, .cr3_i, .pdpte_i,
    .miss_valid_i, .miss_va_i, .miss_access_i, .miss_cpl_i, .miss_ac_i, .miss_implicit_i, .miss_ddrop_i,
    .grant_o(grant), .resp_valid_o(resp_valid), .resp_port_o(resp_port), .resp_o(resp),
    .l1_fill_o(l1_fill), .l2_fill_o(l2_fill), .fill_entry_o(),
    .l2_rd_en_o(), .l2_rd_va_o(), .l2_cmp_va_o(), .l2_hit_i, .l2_hit_cls_i, .l2_hit_frame_i,
    .l2_hit_rw_i, .l2_hit_us_i, .l2_hit_xd_i, .l2_hit_g_i, .l2_hit_dirty_i, .l2_hit_pcid_i, .l2_hit_pkey_i,
    .l2_drop_o(), .l2_touch_o(), .l2_cmp_o(),
    .pwc_va_o(), .pwc_lk_o(), .pwc_hit_level_i, .pwc_hit_base_i, .pwc_hit_rights_i,
    .pwc_fill_o(pwc_fill), .pwc_fill_base_o(), .pwc_fill_rights_o(), .pwc_inv_va_o(),
    .pf_o(pf), .pf_va_o(),
    .mem_req_valid_o(mem_req_valid), .mem_req_ready_i, .mem_req_addr_o(mem_req_addr),
    .mem_req_write_o(mem_req_write), .mem_req_size_o(mem_req_size), .mem_req_wdata_o(mem_req_wdata),
    .mem_resp_valid_i, .mem_resp_rdata_i,
    .busy_o(busy), .ev_l2_hit_o(), .ev_l2_miss_o(), .ev_walk_o(), .ev_pwc_hit_o()
  );
  /* verilator lint_on PINCONNECTEMPTY */

  // --- what the harness remembers ------------------------------------------------------------
  logic        past_valid = 1'b0;      // a previous cycle exists ($past is meaningful)
  logic        mem_out_q  = 1'b0;      // a memory operation is outstanding (accepted, no response)
  logic        serving_q  = 1'b0;      // a granted miss has not been answered yet
  logic        sport_q;                // ... of this port
  logic [2:0]  top_level;
  always_ff @(posedge clk_i) begin
    past_valid <= 1'b1;
    if (rst_i) begin
      mem_out_q <= 1'b0;
      serving_q <= 1'b0;
    end else begin
      if (mem_req_valid && mem_req_ready_i) mem_out_q <= 1'b1;
      else if (mem_resp_valid_i) mem_out_q <= 1'b0;
      if (|grant) begin
        serving_q <= 1'b1;
        sport_q   <= grant[1];
      end else if (resp_valid) begin
        serving_q <= 1'b0;
      end
    end
  end
  assign top_level = (mode_i == mmu_pkg::PAGING_5LEVEL) ? 3'd5 : (mode_i == mmu_pkg::PAGING_4LEVEL) ? 3'd4 : 3'd2;

  // --- what the neighbours promise ---------------------------------------------------------------
  always_comb begin
    // the trace starts with a reset (begin/end: an `else` right after an immediate assume would
    // be its fail action)
    if (!past_valid) begin
      assume (rst_i);
    end else begin
      assume (!rst_i);
    end
    // mmu_ctrl: paging is on (a miss exists only then), and no control operation runs while a
    // translation is in flight, so the control state is constant over the trace (assumed below)
    assume (mode_i >= mmu_pkg::PAGING_32 && mode_i <= mmu_pkg::PAGING_5LEVEL);
    // mmu_port: access codes of mmu_access_t, no implicit fetch
    assume (miss_access_i[1:0] != 2'd3 && miss_access_i[3:2] != 2'd3);
    // pwc: a hit is at a level of the mode's caches (2 .. the top level; 32-bit and PAE: the PD cache)
    assume (pwc_hit_level_i == 3'd0 || (pwc_hit_level_i >= 3'd2 && pwc_hit_level_i <= top_level));
    // memory: a response only for an outstanding operation, at least one cycle after it was accepted
    assume (!mem_resp_valid_i || mem_out_q);
  end
  always_ff @(posedge clk_i) begin
    if (past_valid && !rst_i) begin
      assume (mode_i == $past(mode_i) && wp_i == $past(wp_i) && smep_i == $past(smep_i) &&
              smap_i == $past(smap_i) && nxe_i == $past(nxe_i) && pse_i == $past(pse_i) &&
              pge_i == $past(pge_i) && pcid_i == $past(pcid_i) && cr3_i == $past(cr3_i) &&
              pdpte_i == $past(pdpte_i) && pk_i == $past(pk_i));
      // mmu_port: a miss is held, unchanged, until granted
      for (int p = 0; p < 2; p++)
        if ($past(miss_valid_i[p] && !grant[p]))
          assume (miss_valid_i[p] && miss_va_i[64*p +: 64] == $past(miss_va_i[64*p +: 64]) &&
                  miss_access_i[2*p +: 2] == $past(miss_access_i[2*p +: 2]) &&
                  miss_cpl_i[2*p +: 2] == $past(miss_cpl_i[2*p +: 2]) &&
                  miss_ac_i[p] == $past(miss_ac_i[p]) && miss_implicit_i[p] == $past(miss_implicit_i[p]));
    end
  end

  // --- what the walker promises ---------------------------------------------------------------------
  always_comb begin
    if (!rst_i && past_valid) begin
      // memory master: one operation outstanding
      assert (!(mem_req_valid && mem_out_q));
      // grants: only a pending miss, one at a time, port D first, none while a miss is being served
      assert (!(grant[0] && grant[1]));
      assert (!(grant[0] && !miss_valid_i[0]) && !(grant[1] && !miss_valid_i[1]));
      assert (!(grant[1] && miss_valid_i[0]));
      assert (!(|grant && serving_q));
      // no response without a request: a response answers the miss being served, on its port
      assert (!resp_valid || (serving_q && resp_port == sport_q));
      // fills and #PF side effects only with a response: L1 fill with every usable result,
      // L2 and PWC fills only after a successful walk, CR2 only with a #PF
      assert (!l1_fill || (resp_valid && resp.fault == mmu_pkg::FAULT_NONE));
      assert (!l2_fill || (resp_valid && resp.walked && resp.fault == mmu_pkg::FAULT_NONE));
      assert (pwc_fill == 4'd0 || (resp_valid && resp.walked && resp.fault == mmu_pkg::FAULT_NONE));
      assert (pf == (resp_valid && resp.fault == mmu_pkg::FAULT_PF));
      // the response's fields as the pins promise: a fault has PA 0 and page shift 0, only #PF has
      // an error code, RSVD only with P (SDM §4.7), no #GP from the walker
      if (resp_valid) begin
        assert (resp.fault != mmu_pkg::FAULT_GP && resp.fault != 2'd3);
        if (resp.fault == mmu_pkg::FAULT_PF) begin
          assert (resp.pa == 64'd0 && resp.page_shift == 5'd0);
        end else begin
          assert (resp.ec == 6'd0);
        end
        assert (!resp.ec[3] || resp.ec[0]);
        assert (resp.mem_reads <= 4'd5 && resp.mem_writes <= 4'd5);
      end
      // busy while a miss is served
      assert (!serving_q || busy);
    end
  end
  always_ff @(posedge clk_i) begin
    // valid/ready: a memory request holds, unchanged, until accepted
    if (past_valid && !rst_i && !$past(rst_i) && $past(mem_req_valid && !mem_req_ready_i))
      assert (mem_req_valid && mem_req_addr == $past(mem_req_addr) && mem_req_write == $past(mem_req_write) &&
              mem_req_size == $past(mem_req_size) && mem_req_wdata == $past(mem_req_wdata));
  end

  // The depth covers a whole walk: a 32-bit walk that read both levels and wrote A/D in both,
  // answered. `make formal` shows the depth reaches it (a trace with full_walk = 1 exists).
  /* verilator lint_off UNUSEDSIGNAL */  // read by tools/formal.sh (sat -prove full_walk 0)
  (* keep *) logic full_walk;
  /* verilator lint_on UNUSEDSIGNAL */
  assign full_walk = !rst_i && resp_valid && resp.walked && resp.fault == mmu_pkg::FAULT_NONE &&
                     resp.mem_reads == 4'd2 && resp.mem_writes == 4'd2;
endmodule
