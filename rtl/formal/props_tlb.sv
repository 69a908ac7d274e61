// props_tlb: the environment under which tlb_array promises at most one matching way per lookup
// (the `ifdef FORMAL assert in tlb_array.sv; docs/formal.md). The inputs are free except for what
// the array's users (mmu_port for an L1, walker.sv for the L2) promise, as `assume`s:
//   - a compare looks at the VA read in the last read cycle, with no fill in between (a lookup
//     reads at a, compares at a+1);
//   - drop and touch only act on a hit, never together, never with an invalidation;
//   - a fill is the walk (or L2 hit) answering the last compare, which missed or whose hit was
//     dropped: same VA, filled once, read again just before (the grant re-reads the set), tagged
//     with the PCID of that compare or global, under an unchanged PCID;
//   - CONST_PCID = 1: the current PCID never changes (no MOV to CR3 between lookups).
// With CONST_PCID = 0 the PCID may change between lookups (MOV to CR3 with bit 63 set keeps the
// entries): `make formal` expects a counterexample there (docs/formal.md, "two matching ways").
module props_tlb #(
  parameter int CONST_PCID = 1,
  parameter int SETS       = 2,
  parameter int WAYS       = 2,
  parameter int VA_BITS    = 15        // lookups use VAs below 1 << VA_BITS (8 pages: 4 per set)
) (
  input  logic              clk_i,
  input  logic              rst_i,
  input  logic              mode32_i,
  input  logic              rd_en_i,
  input  logic [56:0]       rd_va_i,
  input  logic              cmp_en_i,
  input  logic [56:0]       cmp_va_i,
  input  logic [11:0]       cmp_pcid_i,
  input  logic              drop_i,
  input  logic              touch_i,
  input  mmu_pkg::tlb_inv_t inv_i,
  input  logic              fill_i,
  input  mmu_pkg::tlb_fill_t fill_entry_i
);
  logic hit;
  /* verilator lint_off PINCONNECTEMPTY */
  tlb_array #(
    .SETS(SETS), .WAYS(WAYS), .CLS(0), .ARRAY_ID(0), .REPL(1), .MAXPHYADDR(46), .SET_W(1)
  ) u_array (
    .clk_i, .rst_i, .mode32_i, .rd_en_i, .rd_sweep_i(1'b0), .rd_set_i(1'b0), .rd_va_i,
    .cmp_en_i, .cmp_va_i, .cmp_pcid_i,
    .hit_o(hit), .hit_frame_o(), .hit_rw_o(), .hit_us_o(), .hit_xd_o(), .hit_g_o(), .hit_dirty_o(),
    .hit_pcid_o(), .hit_pkey_o(), .drop_i, .touch_i, .inv_i, .fill_i, .fill_entry_i, .nvalid_o()
  );
  /* verilator lint_on PINCONNECTEMPTY */

  // --- what the harness remembers -------------------------------------------------------------
  logic        past_valid = 1'b0;
  logic [56:0] last_rd_va;             // VA of the last read
  logic        last_rd_valid = 1'b0;   // there was a read since reset ...
  logic        rd_fresh = 1'b0;        // ... and no fill since it (the read register is up to date)
  logic [56:0] miss_va;                // the last compare's VA ...
  logic [11:0] miss_pcid;              // ... and PCID
  logic        miss_open = 1'b0;       // it missed (or its hit was dropped) and is not filled yet
  always_ff @(posedge clk_i) begin
    past_valid <= 1'b1;
    if (rst_i) begin
      last_rd_valid <= 1'b0;
      rd_fresh      <= 1'b0;
      miss_open     <= 1'b0;
    end else begin
      if (rd_en_i) begin
        last_rd_va    <= rd_va_i;
        last_rd_valid <= 1'b1;
      end
      if (rd_en_i) rd_fresh <= 1'b1;
      else if (fill_i) rd_fresh <= 1'b0;
      if (cmp_en_i && !inv_i.cmp && !inv_i.all) begin
        miss_va   <= cmp_va_i;
        miss_pcid <= cmp_pcid_i;
        miss_open <= !hit || drop_i;
      end else if (fill_i) begin
        miss_open <= 1'b0;
      end
    end
  end

  // --- what the users promise ----------------------------------------------------------------------
  always_comb begin
    // (begin/end: an `else` right after an immediate assume would be its fail action)
    if (!past_valid) begin
      assume (rst_i);
    end else begin
      assume (!rst_i);
    end
    // the small address space of the bounded proof (the compare logic is the same for every bit)
    assume ((rd_va_i >> VA_BITS) == '0 && (cmp_va_i >> VA_BITS) == '0);
    // a compare looks at the VA read last, read after the last fill (a lookup reads at a and
    // compares at a+1; a fill happens only while its port is blocked and the walker busy, and
    // the walker's L2 lookup and fill are sequential)
    if (cmp_en_i) assume (last_rd_valid && rd_fresh && cmp_va_i == last_rd_va);
    // drop / touch: only a hit, one of them, not with an invalidation
    assume (!(drop_i && touch_i));
    if (drop_i || touch_i) assume (cmp_en_i && hit && !inv_i.cmp && !inv_i.all);
    // a fill answers the last compare's miss, once, after the set was read again, under its PCID
    if (fill_i) begin
      assume (miss_open && !cmp_en_i && !inv_i.cmp && !inv_i.all && !rd_en_i);
      assume (fill_entry_i.va == miss_va && last_rd_va == miss_va);
      assume (fill_entry_i.g || fill_entry_i.pcid == miss_pcid);
      assume (cmp_pcid_i == miss_pcid);
      assume (fill_entry_i.cls == mmu_pkg::PSC_4K);
    end
  end
  // constant inputs keep the reset cycle's value (compared combinationally, so the last cycle of
  // the bounded trace is constrained too)
  logic        mode32_0;
  logic [11:0] pcid_0;
  always_ff @(posedge clk_i) begin
    if (rst_i) begin
      mode32_0 <= mode32_i;
      pcid_0   <= cmp_pcid_i;
    end
  end
  always_comb begin
    if (past_valid && !rst_i) begin
      assume (mode32_i == mode32_0);
      if (CONST_PCID != 0) assume (cmp_pcid_i == pcid_0);
    end
  end
endmodule
