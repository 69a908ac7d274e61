// tlb: one TLB (L1 ITLB, L1 DTLB or the shared L2), three page-size classes probed
// in parallel (docs/semantics.md section 5). A class with WAYS = 0 is absent: it
// never hits and ignores fills. When several classes hit, the smallest wins.
module tlb #(
  parameter int          SETS_4K = 16, WAYS_4K = 4,
  parameter int          SETS_2M = 8,  WAYS_2M = 4,
  parameter int          SETS_1G = 1,  WAYS_1G = 4,
  parameter int          TLB_ID      = 0,      // itlb 0, dtlb 1, l2 2
  parameter int          REPL        = 0,
  parameter logic [31:0] RANDOM_SEED = 32'd1,
  parameter int          MAXPHYADDR  = 46,
  parameter int          PK          = 1,      // protection keys (entries carry the leaf's key)
  parameter int          SET_W       = 12
) (
  input  logic              clk_i,
  input  logic              rst_i,
  input  logic              mode32_i,
  // read port
  input  logic              rd_en_i,
  input  logic              rd_sweep_i,
  input  logic [SET_W-1:0]  rd_set_i,
  input  logic [56:0]       rd_va_i,
  // compare (with the sets read last), only while cmp_en_i
  input  logic              cmp_en_i,
  input  logic [56:0]       cmp_va_i,
  input  logic [11:0]       cmp_pcid_i,
  output logic              hit_o,
  output logic [1:0]        hit_cls_o,
  output logic [63:0]       hit_frame_o,
  output logic              hit_rw_o,
  output logic              hit_us_o,
  output logic              hit_xd_o,
  output logic              hit_g_o,
  output logic              hit_dirty_o,
  output logic [11:0]       hit_pcid_o,
  output logic [3:0]        hit_pkey_o,
  input  logic              drop_i,
  input  logic              touch_i,
  // invalidation
  input  mmu_pkg::tlb_inv_t inv_i,
  // fill
  input  logic              fill_i,
  input  mmu_pkg::tlb_fill_t fill_entry_i,     // into the array of its class
  output logic [18:0]       nvalid_o
);
  logic [2:0]  hit;
  logic [63:0] frame [3];
  logic [11:0] pcid [3];
  logic [3:0]  pkey [3];
  logic [2:0]  rw, us, xd, g, dirty;
  logic [16:0] nvalid [3];
  logic [1:0]  win;

  for (genvar c = 0; c < 3; c++) begin : g_cls
    localparam int S = (c == 0) ? SETS_4K : (c == 1) ? SETS_2M : SETS_1G;
    localparam int W = (c == 0) ? WAYS_4K : (c == 1) ? WAYS_2M : WAYS_1G;
    if (W > 0) begin : g_array
      tlb_array #(
        .SETS(S), .WAYS(W), .CLS(c), .ARRAY_ID(TLB_ID * 3 + c), .REPL(REPL),
        .RANDOM_SEED(RANDOM_SEED), .MAXPHYADDR(MAXPHYADDR), .PK(PK), .SET_W(SET_W)
      ) u_array (
        .clk_i, .rst_i, .mode32_i,
        .rd_en_i, .rd_sweep_i, .rd_set_i, .rd_va_i,
        .cmp_en_i, .cmp_va_i, .cmp_pcid_i,
        .hit_o(hit[c]), .hit_frame_o(frame[c]), .hit_rw_o(rw[c]), .hit_us_o(us[c]),
        .hit_xd_o(xd[c]), .hit_g_o(g[c]), .hit_dirty_o(dirty[c]), .hit_pcid_o(pcid[c]),
        .hit_pkey_o(pkey[c]),
        .drop_i(drop_i && win == 2'(c)), .touch_i(touch_i && win == 2'(c)),
        .inv_i,
        .fill_i(fill_i && fill_entry_i.cls == 2'(c)), .fill_entry_i,
        .nvalid_o(nvalid[c])
      );
    end else begin : g_none
      assign hit[c]    = 1'b0;
      assign frame[c]  = '0;
      assign pcid[c]   = '0;
      assign pkey[c]   = '0;
      assign rw[c]     = 1'b0;
      assign us[c]     = 1'b0;
      assign xd[c]     = 1'b0;
      assign g[c]      = 1'b0;
      assign dirty[c]  = 1'b0;
      assign nvalid[c] = '0;
    end
  end

  // the smallest class wins
  assign win = hit[0] ? 2'd0 : hit[1] ? 2'd1 : 2'd2;

  assign hit_o       = |hit;
  assign hit_cls_o   = win;
  // (the hit's fields are looked at only with a hit: the simulation skips them otherwise)
  always_comb begin : hit_fields
    hit_frame_o = '0;  hit_pcid_o = '0;  hit_rw_o = 1'b0;  hit_us_o = 1'b0;  hit_xd_o = 1'b0;
    hit_g_o = 1'b0;  hit_dirty_o = 1'b0;  hit_pkey_o = '0;
    if (|hit) begin
      hit_pkey_o  = pkey[win];
      hit_frame_o = frame[win];
      hit_pcid_o  = pcid[win];
      hit_rw_o    = rw[win];
      hit_us_o    = us[win];
      hit_xd_o    = xd[win];
      hit_g_o     = g[win];
      hit_dirty_o = dirty[win];
    end
  end
  assign nvalid_o    = 19'(nvalid[0]) + 19'(nvalid[1]) + 19'(nvalid[2]);

endmodule
