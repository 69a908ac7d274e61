// entry_check: the checks of one paging-structure entry as the walker reads it (docs/semantics.md
// sections 2-4): reserved bits (per format, MAXPHYADDR, PS, XD without NXE), leaf or not, the rights
// combined down to this entry, the protection key (bits 62:59 in 4/5-level paging), the access-rights
// and key violation at a leaf, and the walk's fault decision with its #PF error code. Purely combinational; walker.sv instantiates it on the entry that
// arrives, and rtl/formal/ proves it equal to an independent reading of the SDM (docs/formal.md).
// Outputs are 0 unless en_i (an entry arrives): the simulation evaluates nothing in other cycles.
module entry_check #(
  parameter int MAXPHYADDR = 46,
  parameter int PK         = 1         // protection keys: the leaf's key is taken and checked
) (
  input  logic        en_i,
  input  logic [2:0]  mode_i,          // paging_mode_t
  input  logic [2:0]  level_i,         // level of the entry (LVL_*)
  input  logic [63:0] e_i,             // the entry (4-byte formats zero-extended)
  input  logic [2:0]  rights_i,        // {xd, us, rw} combined over the levels above
  input  logic [1:0]  access_i,
  input  logic [1:0]  cpl_i,
  input  logic        ac_i,
  input  logic        implicit_i,
  input  logic        wp_i,
  input  logic        smep_i,
  input  logic        smap_i,
  input  logic        nxe_i,
  input  logic        pse_i,
  input  logic        pae_i,
  input  mmu_pkg::pk_ctl_t pk_i,      // PKE/PKS in force, PKRU, IA32_PKRS
  output logic        rsvd_o,          // a reserved bit is set (meaningful when present)
  output logic        leaf_o,          // the entry maps a page
  output logic [2:0]  rights_o,        // {xd, us, rw} combined down to this entry
  output logic [3:0]  pkey_o,          // bits 62:59 of a 4/5-level entry (the key if it is the leaf)
  output logic        viol_o,          // the access violates rights_o
  output logic        fault_o,         // the walk stops with a #PF here
  output logic [5:0]  ec_o             // its error code
);
  localparam logic [63:0] RSV_LONG = ((64'd1 << 52) - 64'd1) & ~((64'd1 << MAXPHYADDR) - 64'd1);
  localparam logic [63:0] RSV_PAE  = ((64'd1 << 63) - 64'd1) & ~((64'd1 << MAXPHYADDR) - 64'd1);
  localparam logic [63:0] RSV_PSE  = 64'h0020_0000 | ((MAXPHYADDR < 40) ?
      (((64'd1 << 21) - 64'd1) & ~((64'd1 << (MAXPHYADDR - 19)) - 64'd1)) : 64'd0);
  localparam logic [63:0] BIT_PS   = 64'd1 << mmu_pkg::PTE_BIT_PS;
  localparam logic [63:0] BIT_XD   = 64'd1 << mmu_pkg::PTE_BIT_XD;

  logic esize4, present;
  assign esize4  = (mode_i == mmu_pkg::PAGING_32);
  assign present = e_i[mmu_pkg::PTE_BIT_P];

  always_comb begin
    logic [63:0] m;
    m = '0;  rsvd_o = 1'b0;  leaf_o = 1'b0;  rights_o = '0;  pkey_o = '0;  viol_o = 1'b0;  fault_o = 1'b0;
    ec_o = '0;
    if (en_i) begin
    m = (nxe_i ? 64'd0 : BIT_XD) | ((mode_i == mmu_pkg::PAGING_PAE) ? RSV_PAE : RSV_LONG);
    if (level_i >= mmu_pkg::LVL_PML4) m = m | BIT_PS;
    else if (level_i == mmu_pkg::LVL_PDPT && e_i[mmu_pkg::PTE_BIT_PS]) m = m | 64'h3fff_e000;      // 29:13
    else if (level_i == mmu_pkg::LVL_PD && e_i[mmu_pkg::PTE_BIT_PS]) m = m | 64'h001f_e000;      // 20:13
    if (esize4) rsvd_o = (level_i == mmu_pkg::LVL_PD && e_i[mmu_pkg::PTE_BIT_PS] && pse_i) && |(e_i & RSV_PSE);
    else        rsvd_o = |(e_i & m);
    leaf_o = (level_i == mmu_pkg::LVL_PT) ||
             (level_i == mmu_pkg::LVL_PD && e_i[mmu_pkg::PTE_BIT_PS] && (!esize4 || pse_i)) ||
             (level_i == mmu_pkg::LVL_PDPT && e_i[mmu_pkg::PTE_BIT_PS] &&
              (mode_i == mmu_pkg::PAGING_4LEVEL || mode_i == mmu_pkg::PAGING_5LEVEL));
    rights_o = {rights_i[2] | (!esize4 && e_i[mmu_pkg::PTE_BIT_XD]), rights_i[1] & e_i[mmu_pkg::PTE_BIT_US],
                rights_i[0] & e_i[mmu_pkg::PTE_BIT_RW]};
    // keys exist only in 4/5-level paging (SDM Vol 3A 4.6.2; PAE's bits 62:59 are reserved)
    if (PK != 0 && (mode_i == mmu_pkg::PAGING_4LEVEL || mode_i == mmu_pkg::PAGING_5LEVEL))
      pkey_o = e_i[mmu_pkg::PTE_BIT_PK +: 4];
    viol_o = mmu_pkg::rights_violation(access_i, cpl_i, ac_i, implicit_i, rights_o[0], rights_o[1], rights_o[2],
                              pkey_o, wp_i, smep_i, smap_i, nxe_i, pk_i.pke, pk_i.pks, pk_i.pkru, pk_i.pkrs);
    fault_o = !present || rsvd_o || (leaf_o && viol_o);
    ec_o    = mmu_pkg::pf_error_code(access_i, cpl_i, implicit_i, present, present && rsvd_o,
                                     smep_i, pae_i, nxe_i, rights_o[1], pkey_o, wp_i, pk_i.pke, pk_i.pks,
                                     pk_i.pkru, pk_i.pkrs);
    end
  end
endmodule
