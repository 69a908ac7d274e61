// pwc_level: one level's paging-structure cache (see pwc.sv).
// Tag = VA[56:SHL] (32-bit PDEs: VA[56:22]).
module pwc_level #(
  parameter int ENTRIES    = 4,
  parameter int SHL        = 21,
  parameter int MAXPHYADDR = 46
) (
  input  logic         clk_i,
  input  logic         rst_i,
  input  logic         mode32_i,
  input  logic [11:0]  pcid_i,
  input  logic         en_i,
  input  logic         lk_i,             // a lookup is looked at (the walker's start cycle)
  /* verilator lint_off UNUSEDSIGNAL */  // a level uses VA[56:SHL] and base bits [MAXPHYADDR-1:12]
  input  logic [56:0]  va_i,
  output logic         hit_o,
  output logic [63:0]  base_o,
  output logic [2:0]   rights_o,
  input  logic         fill_i,
  input  logic [56:0]  fill_va_i,
  input  logic [63:0]  fill_base_i,
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [2:0]   fill_rights_i,
  input  logic         inv_all_i,
  input  logic         inv_pcid_i,
  input  logic [11:0]  inv_pcid_val_i,
  input  logic         inv_va_i,
  output logic [6:0]   nvalid_o
);
  localparam int TAG_W  = 57 - SHL;
  localparam int BASE_W = MAXPHYADDR - 12;
  localparam int PW     = (ENTRIES > 1) ? $clog2(ENTRIES) : 1;
  localparam logic [TAG_W-1:0] TAG_M32 = (SHL == 21) ? {{(TAG_W-1){1'b1}}, 1'b0} : {TAG_W{1'b1}};

  logic [ENTRIES-1:0]        valid_q;
  logic [ENTRIES*TAG_W-1:0]  tag_q;
  logic [ENTRIES*12-1:0]     pcid_q;
  logic [ENTRIES*BASE_W-1:0] base_q;
  logic [ENTRIES*3-1:0]      rights_q;
  logic [PW-1:0]             ptr_q;

  logic [TAG_W-1:0]   tag, fill_tag;
  logic [ENTRIES-1:0] match;
  logic [PW-1:0]      hit_idx;

  assign tag      = va_i[56:SHL] & (mode32_i ? TAG_M32 : {TAG_W{1'b1}});
  assign fill_tag = fill_va_i[56:SHL] & (mode32_i ? TAG_M32 : {TAG_W{1'b1}});

  // (evaluated only when a lookup or a fault invalidation looks at it: it spares the
  // simulation the compare in every other cycle)
  always_comb begin : lookup
    hit_idx = '0;
    match = '0;
    base_o = '0;
    rights_o = '0;
    if (lk_i || inv_va_i) begin
      for (int e = ENTRIES - 1; e >= 0; e--) begin
        match[e] = valid_q[e] && tag_q[e*TAG_W +: TAG_W] == tag && pcid_q[e*12 +: 12] == pcid_i;
        if (match[e]) hit_idx = PW'(e);
      end
      base_o   = 64'(base_q[hit_idx*BASE_W +: BASE_W]) << 12;
      rights_o = rights_q[hit_idx*3 +: 3];
    end
  end

  assign hit_o    = en_i && |match;

  always_comb begin : count
    nvalid_o = '0;
    for (int e = 0; e < ENTRIES; e++) nvalid_o = nvalid_o + 7'(valid_q[e]);
  end

  always_ff @(posedge clk_i) begin
    if (rst_i) begin
      valid_q <= '0;
      ptr_q   <= '0;
    end else if (inv_all_i) begin
      valid_q <= '0;
    end else if (inv_pcid_i || inv_va_i) begin
      for (int e = 0; e < ENTRIES; e++)
        if (inv_pcid_i ? (pcid_q[e*12 +: 12] == inv_pcid_val_i) : match[e]) valid_q[e] <= 1'b0;
    end else if (fill_i) begin
      valid_q[ptr_q]                  <= 1'b1;
      tag_q[ptr_q*TAG_W +: TAG_W]     <= fill_tag;
      pcid_q[ptr_q*12 +: 12]          <= pcid_i;
      base_q[ptr_q*BASE_W +: BASE_W]  <= fill_base_i[MAXPHYADDR-1:12];
      rights_q[ptr_q*3 +: 3]          <= fill_rights_i;
      ptr_q <= (32'(ptr_q) == ENTRIES - 1) ? '0 : ptr_q + 1'b1;
    end
  end

endmodule
