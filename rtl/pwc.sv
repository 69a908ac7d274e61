// pwc: the paging-structure caches (docs/semantics.md section 6). One fully associative,
// PCID-tagged cache of flip-flops per level (PML5E 5, PML4E 4, PDPTE 3, PDE 2), all
// looked up at once; the deepest hit tells where the walk starts. FIFO replacement.
module pwc #(
  parameter int PML5_ENTRIES = 2,
  parameter int PML4_ENTRIES = 4,
  parameter int PDPT_ENTRIES = 8,
  parameter int PD_ENTRIES   = 16,
  parameter int MAXPHYADDR   = 46
) (
  input  logic         clk_i,
  input  logic         rst_i,
  input  logic [2:0]   mode_i,
  input  logic [11:0]  pcid_i,           // current PCID (lookups, fills, fault invalidation)
  // lookup
  input  logic [56:0]  va_i,
  input  logic         lk_i,             // the lookup is looked at this cycle (else no hit)
  output logic [2:0]   hit_level_o,      // deepest hit 2..5, 0 for none
  output logic [63:0]  hit_base_o,       // next table base
  output logic [2:0]   hit_rights_o,     // {xd, us, rw} combined down to the hit entry
  // fill, one entry per level [5:2] (index l-2)
  input  logic [3:0]   fill_i,
  input  logic [56:0]  fill_va_i,
  input  logic [255:0] fill_base_i,      // 64 bits per level
  input  logic [11:0]  fill_rights_i,    // 3 bits per level
  // invalidation
  input  logic         inv_all_i,
  input  logic         inv_pcid_i,       // every entry of inv_pcid_val_i
  input  logic [11:0]  inv_pcid_val_i,
  input  logic         inv_va_i,         // a #PF: entries of pcid_i that would be used for va_i
  output logic [8:0]   nvalid_o
);

  logic [3:0]  hit, active;
  logic [63:0] base [4];
  logic [2:0]  rights [4];
  logic [6:0]  nvalid [4];

  assign active[3] = (mode_i == mmu_pkg::PAGING_5LEVEL);
  assign active[2] = (mode_i == mmu_pkg::PAGING_4LEVEL) || (mode_i == mmu_pkg::PAGING_5LEVEL);
  assign active[1] = (mode_i == mmu_pkg::PAGING_4LEVEL) || (mode_i == mmu_pkg::PAGING_5LEVEL);
  assign active[0] = (mode_i != mmu_pkg::PAGING_OFF);

  for (genvar i = 0; i < 4; i++) begin : g_level
    localparam int E = (i == 3) ? PML5_ENTRIES : (i == 2) ? PML4_ENTRIES :
                       (i == 1) ? PDPT_ENTRIES : PD_ENTRIES;
    if (E > 0) begin : g_cache
      pwc_level #(.ENTRIES(E), .SHL(21 + 9 * i), .MAXPHYADDR(MAXPHYADDR)) u_level (
        .clk_i, .rst_i,
        .mode32_i(mode_i == mmu_pkg::PAGING_32), .pcid_i,
        .en_i(active[i]), .lk_i, .va_i, .hit_o(hit[i]), .base_o(base[i]), .rights_o(rights[i]),
        .fill_i(fill_i[i]), .fill_va_i, .fill_base_i(fill_base_i[64*i +: 64]),
        .fill_rights_i(fill_rights_i[3*i +: 3]),
        .inv_all_i, .inv_pcid_i, .inv_pcid_val_i, .inv_va_i,
        .nvalid_o(nvalid[i])
      );
    end else begin : g_none
      assign hit[i]    = 1'b0;
      assign base[i]   = '0;
      assign rights[i] = '0;
      assign nvalid[i] = '0;
      /* verilator lint_off UNUSEDSIGNAL */  // a disabled level ignores its fills
      logic unused;
      assign unused = ^{fill_i[i], fill_base_i[64*i +: 64], fill_rights_i[3*i +: 3], active[i]};
      /* verilator lint_on UNUSEDSIGNAL */
    end
  end

  if (PML5_ENTRIES + PML4_ENTRIES + PDPT_ENTRIES + PD_ENTRIES == 0) begin : g_empty
    /* verilator lint_off UNUSEDSIGNAL */  // no cache at all: nothing is stored
    logic unused;
    assign unused = ^{clk_i, rst_i, pcid_i, va_i, lk_i, fill_va_i, inv_all_i, inv_pcid_i, inv_pcid_val_i, inv_va_i};
    /* verilator lint_on UNUSEDSIGNAL */
  end

  always_comb begin : deepest
    hit_level_o  = 3'd0;
    hit_base_o   = '0;
    hit_rights_o = '0;
    for (int i = 3; i >= 0; i--)
      if (hit[i]) begin
        hit_level_o  = 3'(i + 2);
        hit_base_o   = base[i];
        hit_rights_o = rights[i];
      end
  end

  assign nvalid_o = 9'(nvalid[0]) + 9'(nvalid[1]) + 9'(nvalid[2]) + 9'(nvalid[3]);

endmodule

