// tlb_array: one page-size class of a TLB, SETS x WAYS (docs/semantics.md section 5).
// Per way two RAMs (one synchronous read port, one write port each: block or LUT RAM):
// the key {tag, PCID, G} and the data {protection key (PK=1 only), frame, R/W, U/S, XD, D}, each at
// most 64 bits wide.
// The per-set replacement state (lru ranks / plru tree) is a third RAM, read with the
// keys; valid bits are flip-flops (an "everything" flush clears them in one cycle,
// docs/timing.md), with one more flop per set saying the set's replacement state has
// been written since reset (else it reads as the reset state, so the RAM needs no reset).
// A lookup reads a set (rd_en_i) and compares it in any later cycle (cmp_*);
// drop/touch/invalidate act on the set read last. A fill goes to the set read last
// (the lookup of its VA: a miss blocks its port, the walker serves one miss at a time);
// it chooses its own victim: the lowest invalid way, else by REPL (0 lru, 1 plru, 2 random).
// Writes of the replacement state are forwarded to a read of the same set in the same
// cycle (back-to-back hits to one set).
module tlb_array #(
  parameter int          SETS        = 16,
  parameter int          WAYS        = 4,
  parameter int          CLS         = 0,      // 0 4k, 1 2m (4 MiB in 32-bit paging), 2 1g
  parameter int          ARRAY_ID    = 0,      // tlb_id * 3 + class (LFSR seed)
  parameter int          REPL        = 0,
  parameter logic [31:0] RANDOM_SEED = 32'd1,
  parameter int          MAXPHYADDR  = 46,
  parameter int          PK          = 1,      // protection keys: the data RAM holds the 4-bit key
  parameter int          SET_W       = 10      // width of rd_set_i (sweep index)
) (
  input  logic              clk_i,
  input  logic              rst_i,
  input  logic              mode32_i,        // 32-bit paging: the 2m class indexes from bit 22
  // read port: a lookup / address invalidation (by va) or a sweep step (by set)
  input  logic              rd_en_i,
  input  logic              rd_sweep_i,
  input  logic [SET_W-1:0]  rd_set_i,
  input  logic [56:0]       rd_va_i,
  // compare with the set read last; cmp_en_i low: no hit, no invalidation match (the user
  // looks at neither then; it spares the simulation the compare in idle cycles)
  input  logic              cmp_en_i,
  input  logic [56:0]       cmp_va_i,
  input  logic [11:0]       cmp_pcid_i,
  output logic              hit_o,
  output logic [63:0]       hit_frame_o,
  output logic              hit_rw_o,
  output logic              hit_us_o,
  output logic              hit_xd_o,
  output logic              hit_g_o,
  output logic              hit_dirty_o,
  output logic [11:0]       hit_pcid_o,
  output logic [3:0]        hit_pkey_o,      // 0 with PK=0
  input  logic              drop_i,          // invalidate the hit way
  input  logic              touch_i,         // the hit way becomes most recent
  // invalidation of the set read last (semantics.md section 8 / model tlb_inval_t)
  // (by_va: only entries whose page contains cmp_va_i; all: every entry, in one cycle)
  input  mmu_pkg::tlb_inv_t inv_i,
  // fill
  input  logic              fill_i,
  /* verilator lint_off UNUSEDSIGNAL */  // the class is this array's; the frame is PA[MAXPHYADDR-1:page shift]
  input  mmu_pkg::tlb_fill_t fill_entry_i,
  /* verilator lint_on UNUSEDSIGNAL */
  output logic [16:0]       nvalid_o         // valid entries
);

  localparam int SHL     = (CLS == 0) ? 12 : (CLS == 1) ? 21 : 30;  // low tag bit
  localparam int IW      = (SETS > 1) ? $clog2(SETS) : 1;
  localparam int WW      = (WAYS > 1) ? $clog2(WAYS) : 1;
  localparam int TAG_W   = 57 - SHL;
  localparam int FRAME_W = MAXPHYADDR - SHL;
  localparam int KW      = TAG_W + 13;                  // key RAM: {tag, pcid, g}
  localparam int KEY_W   = (PK != 0) ? 4 : 0;
  localparam int DW      = KEY_W + FRAME_W + 4;         // data RAM: {[pkey,] frame, rw, us, xd, dirty}
  localparam int RB      = WW;                          // lru rank bits per way
  localparam int RW      = (REPL == 0) ? WAYS * RB : WAYS; // replacement bits per set
  // 32-bit paging drops VA bit 21 from 2m tags (4 MiB pages)
  localparam logic [TAG_W-1:0] TAG_M32 = (CLS == 1) ? {{(TAG_W-1){1'b1}}, 1'b0} : {TAG_W{1'b1}};

  /* verilator lint_off UNUSEDSIGNAL */  // index and tag take slices of the VA
  function automatic logic [IW-1:0] set_of(input logic [56:0] va, input logic m32);
    logic [56:0] sh;
    sh = (CLS == 1 && m32) ? (va >> 22) : (va >> SHL);
    set_of = (SETS > 1) ? sh[IW-1:0] : '0;
  endfunction

  function automatic logic [TAG_W-1:0] tag_of(input logic [56:0] va, input logic m32);
    tag_of = va[56:SHL] & (m32 ? TAG_M32 : {TAG_W{1'b1}});
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

  logic        inv, inv_all, inv_by_va, inv_by_pcid, inv_keep_global, inv_global_any_pcid;
  logic [11:0] inv_pcid;
  assign inv                 = inv_i.cmp;
  assign inv_all             = inv_i.all;
  assign inv_by_va           = inv_i.by_va;
  assign inv_by_pcid         = inv_i.by_pcid;
  assign inv_pcid            = inv_i.pcid;
  assign inv_keep_global     = inv_i.keep_global;
  assign inv_global_any_pcid = inv_i.global_any_pcid;

  // ---------------------------------------------------------------- storage
  logic [SETS*WAYS-1:0] valid_q;        // valid bits, set s at [s*WAYS +: WAYS]
  logic [SETS-1:0]      rsv_q;          // the set's replacement state has been written
  logic [31:0]          lfsr_q;
  logic [16:0]          nvalid_q;
  logic [IW-1:0]        rset_q;

  logic [IW-1:0]        rd_set, wr_set;
  logic                 ram_rd;
  logic [WAYS-1:0]      wr_way;
  logic [KW-1:0]        wr_key;
  logic [DW-1:0]        wr_dat;
  logic [KW-1:0]        rkey [WAYS];
  logic [DW-1:0]        rdat [WAYS];

  assign ram_rd = rd_en_i && (!rd_sweep_i || ({{(32-SET_W){1'b0}}, rd_set_i} < SETS));
  // (the read set only matters in a read cycle; the simulation skips it otherwise)
  always_comb begin : read_set
    rd_set = '0;
    if (rd_en_i) rd_set = rd_sweep_i ? rd_set_i[IW-1:0] : set_of(rd_va_i, mode32_i);
  end

  for (genvar w = 0; w < WAYS; w++) begin : g_way
    (* ram_style = "block" *)   // block RAM even when tiny (iCE40: LUTs are the scarce resource)
    logic [KW-1:0] kmem [SETS];
    (* ram_style = "block" *)
    logic [DW-1:0] dmem [SETS];
    logic [KW-1:0] rkey_q;
    logic [DW-1:0] rdat_q;
    // Read-before-write RAMs: the registered read samples the old word, then the write.
    // The write is blocking on purpose: with `<=` Verilator evaluates every RAM through
    // delayed-write temporaries on every cycle (a fifth of the simulation time of the
    // default configuration); the hardware is the same (docs/rtl.md, Speed).
    /* verilator lint_off BLKSEQ */
    always_ff @(posedge clk_i) begin
      if (ram_rd) rkey_q <= kmem[rd_set];
      if (wr_way[w]) kmem[wr_set] = wr_key;
    end
    always_ff @(posedge clk_i) begin
      if (ram_rd) rdat_q <= dmem[rd_set];
      if (wr_way[w]) dmem[wr_set] = wr_dat;
    end
    /* verilator lint_on BLKSEQ */
    assign rkey[w] = rkey_q;
    assign rdat[w] = rdat_q;
  end

  always_ff @(posedge clk_i) begin
    if (ram_rd) rset_q <= rd_set;
  end

  // ---------------------------------------------------------------- compare
  logic [TAG_W-1:0]   cmp_tag;
  logic [WAYS-1:0]    match, inv_match;
  logic [WW-1:0]      hit_way;
  logic [WAYS-1:0]    set_valid;

  /* verilator lint_off UNUSEDSIGNAL */  // the hit's tag is not an output
  logic [KW-1:0] hkey;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [DW-1:0] hdat;

  // (the set's valid bits matter to a compare, an invalidation and a drop (which follows a
  // hit); the hit's key and data only to a hit: the simulation skips them otherwise)
  always_comb begin : compare
    logic [TAG_W-1:0] etag;
    logic [11:0]      epcid;
    logic             eg, tag_eq;
    match = '0;
    inv_match = '0;
    hit_way = '0;
    etag = '0;
    epcid = '0;
    eg = 1'b0;
    tag_eq = 1'b0;
    cmp_tag = '0;
    set_valid = '0;
    hkey = '0;
    hdat = '0;
    if (cmp_en_i || inv) set_valid = valid_q[rset_q*WAYS +: WAYS];
    if (cmp_en_i) cmp_tag = tag_of(cmp_va_i, mode32_i);
    if (cmp_en_i) for (int w = WAYS - 1; w >= 0; w--) begin
      etag   = rkey[w][KW-1 -: TAG_W] & (mode32_i ? TAG_M32 : {TAG_W{1'b1}});
      epcid  = rkey[w][12:1];
      eg     = rkey[w][0];
      tag_eq = (etag == cmp_tag);
      match[w] = set_valid[w] && tag_eq && (eg || epcid == cmp_pcid_i);
      if (match[w]) hit_way = WW'(w);       // fills never duplicate: lowest way wins
      inv_match[w] = set_valid[w] && (!inv_by_va || tag_eq) &&
                     (eg ? (!inv_keep_global &&
                            (inv_global_any_pcid || !inv_by_pcid || epcid == inv_pcid))
                         : (!inv_by_pcid || epcid == inv_pcid));
    end
    if (|match) begin
      hkey = rkey[hit_way];
      hdat = rdat[hit_way];
    end
  end

  assign hit_o       = |match;
  assign hit_frame_o = 64'(hdat[FRAME_W+3 -: FRAME_W]) << SHL;
  assign hit_pkey_o  = (PK != 0) ? hdat[DW-1 -: 4] : 4'd0;
  assign hit_pcid_o  = hkey[12:1];
  assign hit_g_o     = hkey[0];
  assign hit_rw_o    = hdat[3];
  assign hit_us_o    = hdat[2];
  assign hit_xd_o    = hdat[1];
  assign hit_dirty_o = hdat[0];

  // ---------------------------------------------------------------- replacement
  localparam int LEVELS = $clog2(WAYS);               // plru tree depth

  function automatic logic [RW-1:0] repl_touch(input logic [RW-1:0] st, input logic [WW-1:0] way);
    logic [RW-1:0] r;
    int            node;
    logic          right;
    r = st;
    if (REPL == 0) begin          // ranks: 0 = least recent
      for (int v = 0; v < WAYS; v++)
        if (st[v*RB +: RB] > st[way*RB +: RB]) r[v*RB +: RB] = st[v*RB +: RB] - 1'b1;
      r[way*RB +: RB] = RB'(WAYS - 1);
    end else if (REPL == 1) begin // tree plru: node n at bit n (root 1), 1 = victim on the right
      node = 1;
      for (int lv = 0; lv < LEVELS; lv++) begin
        right = way[LEVELS-1-lv];
        r[node] = !right;          // point away from the accessed way
        node = 2 * node + (right ? 1 : 0);
      end
    end
    repl_touch = r;
  endfunction

  function automatic logic [WW-1:0] repl_victim(input logic [RW-1:0] st, input logic [31:0] lfsr);
    logic [WW-1:0] v;
    int            node;
    v = '0;
    if (REPL == 0) begin
      for (int w = 0; w < WAYS; w++)
        if (st[w*RB +: RB] == '0) v = WW'(w);
    end else if (REPL == 1) begin
      node = 1;
      for (int lv = 0; lv < LEVELS; lv++) begin
        v[LEVELS-1-lv] = st[node];
        node = 2 * node + (st[node] ? 1 : 0);
      end
    end else begin
      v = WW'(lfsr % WAYS);
    end
    repl_victim = v;
  endfunction

  function automatic logic [31:0] lfsr_step(input logic [31:0] x);
    lfsr_step = (x >> 1) ^ (x[0] ? 32'hA300_0000 : 32'h0);
  endfunction

  function automatic logic [RW-1:0] repl_reset(input int unused);
    logic [RW-1:0] r;
    r = '0;
    if (REPL == 0)
      for (int w = 0; w < WAYS; w++) r[w*RB +: RB] = RB'(w);
    repl_reset = r;
  endfunction

  // seed (0 -> 1) xor array id, 0 -> 1, advanced once (as model/tlb.c)
  localparam logic [31:0] SEED_X = ((RANDOM_SEED == 32'd0) ? 32'd1 : RANDOM_SEED) ^ ARRAY_ID;
  localparam logic [31:0] LFSR_RESET = lfsr_step((SEED_X == 32'd0) ? 32'd1 : SEED_X);
  localparam logic [RW-1:0] REPL_RESET = repl_reset(0);

  // The state of the set read last (rset_q): the RAM's read register, or the value written
  // to that set since it was read (forwarding), or the reset state if never written.
  logic [RW-1:0] rs_cur, rs_new;
  logic [WW-1:0] rs_way;
  logic          rs_we;

  if (REPL != 2) begin : g_rs
    logic [RW-1:0] rsmem [SETS];
    logic [RW-1:0] rs_ram_q, rs_fwd_q;
    logic          rs_fwd_use_q;
    /* verilator lint_off BLKSEQ */  // read before write, as the key and data RAMs
    always_ff @(posedge clk_i) begin
      if (ram_rd) rs_ram_q <= rsmem[rd_set];
      if (rs_we) rsmem[rset_q] = rs_new;
    end
    /* verilator lint_on BLKSEQ */
    // a write to the set the read register holds next: forward it (covers a read of the
    // same set in the same cycle, which returns the old contents)
    always_ff @(posedge clk_i) begin
      if (rs_we && (ram_rd ? rd_set : rset_q) == rset_q) begin
        rs_fwd_q     <= rs_new;
        rs_fwd_use_q <= 1'b1;
      end else if (ram_rd || rst_i) begin
        rs_fwd_use_q <= 1'b0;
      end
    end
    // (looked at by a fill and a touch only)
    always_comb begin : rs_read
      rs_cur = '0;
      if (fill_i || touch_i) rs_cur = !rsv_q[rset_q] ? REPL_RESET : rs_fwd_use_q ? rs_fwd_q : rs_ram_q;
    end
  end else begin : g_no_rs
    assign rs_cur = '0;
    /* verilator lint_off UNUSEDSIGNAL */
    logic unused_rs;
    assign unused_rs = ^{rs_new, rs_we, rsv_q, touch_i};
    /* verilator lint_on UNUSEDSIGNAL */
  end

  // ---------------------------------------------------------------- fill / update
  logic [56:0] fill_va;
  /* verilator lint_off UNUSEDSIGNAL */  // the frame is PA[MAXPHYADDR-1:page shift]
  logic [63:0] fill_frame;
  /* verilator lint_on UNUSEDSIGNAL */
  assign fill_va    = fill_entry_i.va;
  assign fill_frame = fill_entry_i.frame;
  logic [WAYS-1:0] fset_valid;
  logic [WW-1:0]   fway;
  logic            f_has_invalid;

  logic [WAYS-1:0] fway_oh, hit_oh;

  // (evaluated only in a fill cycle: nothing looks at the victim, the written set or the
  // written entry otherwise; no way is written then)
  always_comb begin : victim
    f_has_invalid = 1'b0;
    fway = '0;
    wr_set = '0;
    fset_valid = '0;
    wr_key = '0;
    wr_dat = '0;
    fway_oh = '0;
    if (fill_i) begin
      wr_set     = set_of(fill_va, mode32_i);
      fset_valid = valid_q[wr_set*WAYS +: WAYS];
      fway = repl_victim(rs_cur, lfsr_q);   // the fill's set is the set read last
      for (int w = WAYS - 1; w >= 0; w--)
        if (!fset_valid[w]) begin
          fway = WW'(w);
          f_has_invalid = 1'b1;
        end
      wr_key  = {tag_of(fill_va, mode32_i), fill_entry_i.pcid, fill_entry_i.g};
      wr_dat  = DW'({fill_frame[MAXPHYADDR-1:SHL], fill_entry_i.rw, fill_entry_i.us, fill_entry_i.xd,
                     fill_entry_i.dirty});
      if (PK != 0) wr_dat[DW-1 -: 4] = fill_entry_i.pkey;
      fway_oh = WAYS'(1) << fway;
    end
  end

  assign hit_oh  = WAYS'(1) << hit_way;
  assign wr_way  = fway_oh;

  // replacement-state write: a fill (its victim) or a touch (the hit way), same priority as below
  assign rs_way = fill_i ? fway : hit_way;
  always_comb begin : repl_next
    rs_new = rs_cur;
    if (rs_we) rs_new = repl_touch(rs_cur, rs_way);
  end
  assign rs_we  = !rst_i && !inv_all && !inv && (fill_i || (hit_o && !drop_i && touch_i));

  function automatic logic [4:0] popcount(input logic [WAYS-1:0] v);
    logic [4:0] n;
    n = '0;
    for (int w = 0; w < WAYS; w++) n = n + 5'(v[w]);
    popcount = n;
  endfunction

  // One set (or everything) changes per cycle.
  always_ff @(posedge clk_i) begin : update
    if (rst_i) begin
      valid_q  <= '0;
      nvalid_q <= '0;
      lfsr_q   <= LFSR_RESET;
    end else if (inv_all) begin
      valid_q  <= '0;
      nvalid_q <= '0;
    end else if (inv) begin
      valid_q[rset_q*WAYS +: WAYS] <= set_valid & ~inv_match;
      nvalid_q <= nvalid_q - 17'(popcount(inv_match));
    end else if (fill_i) begin
      valid_q[wr_set*WAYS +: WAYS] <= fset_valid | fway_oh;
      if (f_has_invalid) nvalid_q <= nvalid_q + 17'd1;
      else if (REPL == 2) lfsr_q <= lfsr_step(lfsr_q);
    end else if (hit_o && drop_i) begin
      valid_q[rset_q*WAYS +: WAYS] <= set_valid & ~hit_oh;
      nvalid_q <= nvalid_q - 17'd1;
    end
  end

  always_ff @(posedge clk_i) begin : repl_written
    if (rst_i) begin
      rsv_q <= '0;
    end else if (rs_we) begin
      rsv_q[rset_q] <= 1'b1;
    end
  end

  assign nvalid_o = nvalid_q;

`ifndef SYNTHESIS
  // the invariant the replacement-state RAM relies on (checked in lint/assert builds)
  always_ff @(posedge clk_i) if (!rst_i && fill_i) assert (wr_set == rset_q);
`endif

`ifdef FORMAL_TLB_ONE_HIT
  // at most one valid way matches a lookup (docs/semantics.md section 5; make formal defines the
  // macro for the proofs of docs/formal.md that check it)
  always_comb if (!rst_i && cmp_en_i) assert ((match & (match - 1'b1)) == '0);
`endif

endmodule
