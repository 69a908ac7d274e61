// props_port: bounded proofs of a translation port's promises (docs/rtl.md "Ports of mmu_top":
// "one cycle, no back-pressure, in request order per port"; docs/formal.md). mmu_port runs in a
// small configuration on free requests; the walker side is what walker.sv promises (proven in
// props_walker.sv): a grant only for a pending miss, one response per grant, fills only with a
// successful response. No control operation and no #PF invalidation runs (stall and pf inputs 0),
// the control state and the PCID are constant. The L1's tlb_array instances bring their own
// `ifdef FORMAL assert (at most one matching way per lookup), checked here in the port's context.
module props_port #(
  parameter int L1_LATENCY = 2
) (
  input  logic              clk_i,
  input  logic              rst_i,
  input  logic              req_valid_i,
  input  logic [63:0]       req_va_i,
  input  logic [1:0]        req_access_i,
  input  logic [1:0]        req_cpl_i,
  input  logic              req_ac_i,
  input  logic              req_implicit_i,
  input  logic [2:0]        mode_i,
  input  logic [11:0]       pcid_i,
  input  logic              wp_i, smep_i, smap_i, nxe_i,
  input  mmu_pkg::pk_ctl_t  pk_i,
  input  logic              grant_i,
  input  logic              wresp_valid_i,
  input  mmu_pkg::xlat_resp_t wresp_i,
  input  logic              fill_i,
  input  mmu_pkg::tlb_fill_t fill_entry_i
);
  logic req_ready, resp_valid, miss_valid;
  logic [63:0] miss_va;
  logic [1:0]  miss_access, miss_cpl;
  logic        miss_ac, miss_implicit;
  /* verilator lint_off UNUSEDSIGNAL */  // the properties look at the response's strobe only
  mmu_pkg::xlat_resp_t resp;
  /* verilator lint_on UNUSEDSIGNAL */
  mmu_pkg::tlb_inv_t no_inv;
  assign no_inv = '0;

  /* verilator lint_off PINCONNECTEMPTY */
  mmu_port #(
    .SETS_4K(2), .WAYS_4K(2), .SETS_2M(1), .WAYS_2M(2), .SETS_1G(1), .WAYS_1G(0),
    .TLB_ID(1), .REPL(1), .MAXPHYADDR(46), .L1_LATENCY(L1_LATENCY), .SET_W(1), .PERF_W(4)
  ) u_port (
    .clk_i, .rst_i,
    .req_valid_i, .req_ready_o(req_ready), .req_va_i, .req_access_i, .req_cpl_i, .req_ac_i, .req_implicit_i,
    .resp_valid_o(resp_valid), .resp_o(resp),
    .stall_i(1'b0), .pf_rd_i(1'b0), .pf_cmp_i(1'b0), .pf_own_i(1'b0), .pf_va_i(57'd0),
    .mode_i, .pcid_i, .wp_i, .smep_i, .smap_i, .nxe_i, .pk_i,
    .miss_valid_o(miss_valid), .miss_va_o(miss_va), .miss_access_o(miss_access), .miss_cpl_o(miss_cpl),
    .miss_ac_o(miss_ac), .miss_implicit_o(miss_implicit), .miss_ddrop_o(),
    .grant_i, .wresp_valid_i, .wresp_i, .fill_i, .fill_entry_i,
    .inv_rd_en_i(1'b0), .inv_rd_sweep_i(1'b0), .inv_rd_set_i(1'b0), .inv_va_i(57'd0), .inv_i(no_inv),
    .busy_o(), .nvalid_o(), .perf_hits_o(), .perf_misses_o(), .perf_walk_cycles_o()
  );
  /* verilator lint_on PINCONNECTEMPTY */

  // --- what the harness remembers -------------------------------------------------------------
  logic       past_valid = 1'b0;
  logic [2:0] pending = 3'd0;           // requests accepted and not answered
  logic       served = 1'b0;            // the walker has granted the miss and not answered yet
  logic [56:0] served_va;
  always_ff @(posedge clk_i) begin
    past_valid <= 1'b1;
    if (rst_i) begin
      pending <= 3'd0;
      served  <= 1'b0;
    end else begin
      pending <= pending + 3'(req_valid_i && req_ready) - 3'(resp_valid);
      if (grant_i) begin
        served    <= 1'b1;
        served_va <= miss_va[56:0];
      end else if (wresp_valid_i) begin
        served <= 1'b0;
      end
    end
  end

  // --- what the requester and the walker promise ------------------------------------------------
  always_comb begin
    // (begin/end: an `else` right after an immediate assume would be its fail action)
    if (!past_valid) begin
      assume (rst_i);
    end else begin
      assume (!rst_i);
    end
    assume (req_access_i != 2'd3);
    assume (!(req_implicit_i && req_access_i == mmu_pkg::ACC_EXEC));
    assume (mode_i <= mmu_pkg::PAGING_5LEVEL);
    // walker: a grant only for a pending miss, not while serving; one response per grant
    if (grant_i) assume (miss_valid && !served);
    if (wresp_valid_i) assume (served && !grant_i);
    // a walker fill comes with a successful response, for the served VA, tagged with the current
    // PCID or global, of a class the mode has (no 1 GiB pages outside 4/5-level paging)
    if (fill_i) begin
      assume (wresp_valid_i && wresp_i.fault == mmu_pkg::FAULT_NONE);
      assume (fill_entry_i.va == served_va && (fill_entry_i.g || fill_entry_i.pcid == pcid_i));
      assume (fill_entry_i.cls == mmu_pkg::PSC_4K || fill_entry_i.cls == mmu_pkg::PSC_2M);
    end
  end
  // the control state is the one of the reset cycle (compared combinationally, so the last cycle
  // of the bounded trace is constrained too)
  logic [2:0]  mode_0;
  logic [11:0] pcid_0;
  logic [3:0]  ctl_0;
  mmu_pkg::pk_ctl_t pk_0;
  always_ff @(posedge clk_i) begin
    if (rst_i) begin
      mode_0 <= mode_i;
      pcid_0 <= pcid_i;
      ctl_0  <= {wp_i, smep_i, smap_i, nxe_i};
      pk_0   <= pk_i;
    end
  end
  always_comb begin
    if (past_valid && !rst_i)
      assume (mode_i == mode_0 && pcid_i == pcid_0 && {wp_i, smep_i, smap_i, nxe_i} == ctl_0 && pk_i == pk_0);
  end

  // --- what the port promises ---------------------------------------------------------------------
  always_comb begin
    if (past_valid && !rst_i) begin
      // no response without an accepted, unanswered request
      assert (!resp_valid || pending != 3'd0);
      // at most the pipeline's requests in flight: one per cycle of the L1 latency, and the one
      // that missed blocks further accepts
      assert (pending <= 3'(L1_LATENCY + 1));
      // a miss blocks its port until the walker answers it
      assert (!(served && req_ready));
      // a walker answer is forwarded at once
      assert (!wresp_valid_i || resp_valid);
    end
  end
  // The depth reaches an L1 hit: a miss, the walker's fill, and a later request hitting the entry.
  // `make formal` shows a trace with l1_hit_reached = 1 exists.
  /* verilator lint_off UNUSEDSIGNAL */  // read by tools/formal.sh (sat -prove l1_hit_reached 0)
  (* keep *) logic l1_hit_reached;
  /* verilator lint_on UNUSEDSIGNAL */
  assign l1_hit_reached = past_valid && !rst_i && resp_valid && resp.tlb_hit == mmu_pkg::TLB_HIT_L1;

  always_ff @(posedge clk_i) begin
    // a miss is held, unchanged, until granted
    if (past_valid && !rst_i && !$past(rst_i) && $past(miss_valid && !grant_i))
      assert (miss_valid && miss_va == $past(miss_va) && miss_access == $past(miss_access) &&
              miss_cpl == $past(miss_cpl) && miss_ac == $past(miss_ac) && miss_implicit == $past(miss_implicit));
  end
endmodule
