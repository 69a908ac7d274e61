/* verilator lint_off DECLFILENAME */  // several miters in one file
// miter_rules: the equivalence miters of docs/formal.md. Each module puts a piece of the RTL's
// checking logic (rtl/mmu_pkg.sv's functions, rtl/entry_check.sv) beside the SDM reference
// (sdm_ref.v) on the same free inputs and asserts that they agree; yosys-smtbmc proves the asserts
// for every input value at depth 1 (all three are combinational). The `assume`s only narrow the
// inputs to what the RTL can be given (each one says why). Protection keys: the RTL's key state
// (mmu_pkg::pk_ctl_t) holds CR4.PKE/PKS "in force", i.e. only in 4/5-level paging (mmu_ctrl), so the
// miters give the RTL pke && ia32e and the reference CR4.PKE with its own IA-32e rule.
// Encodings: the RTL's (mmu_pkg) are mapped onto the reference's explicitly, so a change of either
// is a proof failure, not a silent agreement.

// mmu_pkg::PAGING_* -> the reference's mode (1 32-bit, 2 PAE, 3 4-level, 4 5-level)
`define REF_MODE(m) ((m) == mmu_pkg::PAGING_32 ? 3'd1 : (m) == mmu_pkg::PAGING_PAE ? 3'd2 : \
                     (m) == mmu_pkg::PAGING_4LEVEL ? 3'd3 : (m) == mmu_pkg::PAGING_5LEVEL ? 3'd4 : 3'd0)
// mmu_pkg::ACC_* -> the reference's access (0 read, 1 write, 2 fetch)
`define REF_ACCESS(a) ((a) == mmu_pkg::ACC_READ ? 2'd0 : (a) == mmu_pkg::ACC_WRITE ? 2'd1 : \
                       (a) == mmu_pkg::ACC_EXEC ? 2'd2 : 2'd3)

// mmu_pkg::rights_violation (the TLB-hit checks of mmu_port.sv and walker.sv's L2 lookup, and the
// leaf check of entry_check) against §4.6, in every paging mode.
module miter_rights (
  input logic [2:0]  mode,
  input logic [1:0]  access, cpl,
  input logic        ac, implicit, rw, us, xd, wp, smep, smap, nxe,
  input logic [3:0]  pkey,                // the TLB entry's / leaf's protection key
  input logic        pke, pks,            // CR4.PKE, CR4.PKS
  input logic [31:0] pkru, pkrs           // PKRU, IA32_PKRS[31:0]
);
  logic rtl_viol, ref_rights, ref_pk, ia32e;
  assign ia32e    = (mode == mmu_pkg::PAGING_4LEVEL || mode == mmu_pkg::PAGING_5LEVEL);
  assign rtl_viol = mmu_pkg::rights_violation(access, cpl, ac, implicit, rw, us, xd, pkey, wp, smep, smap, nxe,
                                              pke && ia32e, pks && ia32e, pkru, pkrs);
  sdm_access_rights u_ref (
    .access(`REF_ACCESS(access)), .cpl(cpl), .implicit(implicit), .eflags_ac(ac),
    .has_xd(mode != mmu_pkg::PAGING_32), .ia32e(ia32e),
    .cr0_wp(wp), .cr4_smep(smep), .cr4_smap(smap), .cr4_pke(pke), .cr4_pks(pks), .efer_nxe(nxe),
    .pkru(pkru), .ia32_pkrs(pkrs), .rw_all(rw), .us_all(us), .xd_any(xd), .pkey(pkey),
    .rights_fault(ref_rights), .pk_fault(ref_pk)
  );
  always_comb begin
    // a translation exists only with paging on
    assume (mode >= mmu_pkg::PAGING_32 && mode <= mmu_pkg::PAGING_5LEVEL);
    // the access kinds of mmu_access_t; no implicit instruction fetch (docs/semantics.md section 4)
    assume (access != 2'd3);
    assume (!(implicit && access == mmu_pkg::ACC_EXEC));
    // 32-bit paging has no XD bit: the walker's combined XD starts at 0 and 4-byte entries add none
    // (entry_check's rights_o; the walker miter proves the combination), so no TLB entry has XD = 1
    assume (!(mode == mmu_pkg::PAGING_32 && xd));
    assert (rtl_viol == (ref_rights || ref_pk));
  end
endmodule

// mmu_pkg::pf_error_code against §4.7, the PK bit from §4.6.2's key rules.
module miter_error_code (
  input logic [2:0]  mode,
  input logic [1:0]  access, cpl,
  input logic        implicit, present, rsvd, smep, nxe,
  input logic        us, wp,              // the combined U/S (user-mode address), CR0.WP
  input logic [3:0]  pkey,
  input logic        pke, pks,
  input logic [31:0] pkru, pkrs
);
  logic [5:0] rtl_ec, ref_ec;
  logic       pae, ia32e, ref_pk;
  /* verilator lint_off UNUSEDSIGNAL */  // only the key verdict enters the PK bit
  logic       ref_rights;
  /* verilator lint_on UNUSEDSIGNAL */
  assign pae    = (mode != mmu_pkg::PAGING_32);            // CR4.PAE in PAE, 4-level and 5-level paging
  assign ia32e  = (mode == mmu_pkg::PAGING_4LEVEL || mode == mmu_pkg::PAGING_5LEVEL);
  assign rtl_ec = mmu_pkg::pf_error_code(access, cpl, implicit, present, rsvd, smep, pae, nxe,
                                         us, pkey, wp, pke && ia32e, pks && ia32e, pkru, pkrs);
  // the reference's key verdict for the PK bit (R/W and XD do not enter it)
  sdm_access_rights u_ref_pk (
    .access(`REF_ACCESS(access)), .cpl(cpl), .implicit(implicit), .eflags_ac(1'b0),
    .has_xd(pae), .ia32e(ia32e), .cr0_wp(wp), .cr4_smep(smep), .cr4_smap(1'b0),
    .cr4_pke(pke), .cr4_pks(pks), .efer_nxe(nxe), .pkru(pkru), .ia32_pkrs(pkrs),
    .rw_all(1'b1), .us_all(us), .xd_any(1'b0), .pkey(pkey), .rights_fault(ref_rights), .pk_fault(ref_pk)
  );
  sdm_error_code u_ref (
    .not_present(!present), .rsvd_fault(rsvd), .pk_flag(ref_pk), .access(`REF_ACCESS(access)),
    .cpl(cpl), .implicit(implicit), .cr4_pae(pae), .cr4_smep(smep), .efer_nxe(nxe), .ec(ref_ec)
  );
  always_comb begin
    assume (mode >= mmu_pkg::PAGING_32 && mode <= mmu_pkg::PAGING_5LEVEL);
    assume (access != 2'd3);
    assume (!(implicit && access == mmu_pkg::ACC_EXEC));
    // the callers pass RSVD only for a present entry (reserved bits of a P = 0 entry are not checked)
    assume (!rsvd || present);
    assert (rtl_ec == ref_ec);
  end
endmodule

// entry_check (walker.sv's checks of one entry) against sdm_entry_rules, in one paging mode
// (MODE, mmu_pkg's encoding) with one MAXPHYADDR: reserved bits, leaf, combined rights, the fault
// decision and the error code.
module miter_entry #(
  parameter int MODE       = 3,
  parameter int MAXPHYADDR = 46,
  parameter int PK         = 1           // the RTL built with protection keys (configs: pk)
) (
  input logic [2:0]  level,
  input logic [63:0] e,
  input logic [2:0]  rights_in,        // {xd, us, rw} of the levels above
  input logic [1:0]  access, cpl,
  input logic        ac, implicit, wp, smep, smap, nxe, pse,
  input logic        pke, pks,
  input logic [31:0] pkru, pkrs
);
  localparam logic [2:0] M = 3'(MODE);
  localparam logic IA32E = (M == mmu_pkg::PAGING_4LEVEL || M == mmu_pkg::PAGING_5LEVEL);
  logic       pae;
  assign pae = (M != mmu_pkg::PAGING_32);
  mmu_pkg::pk_ctl_t pk;                // mmu_ctrl's key state: PKE/PKS in force only in 4/5-level paging
  assign pk.pke  = pke && IA32E;
  assign pk.pks  = pks && IA32E;
  assign pk.pkru = pkru;
  assign pk.pkrs = pkrs;

  logic       rtl_rsvd, rtl_leaf, rtl_viol, rtl_fault;
  logic [2:0] rtl_rights;
  logic [5:0] rtl_ec;
  logic [3:0] rtl_pkey;
  entry_check #(.MAXPHYADDR(MAXPHYADDR), .PK(PK)) u_rtl (
    .en_i(1'b1), .mode_i(M), .level_i(level), .e_i(e), .rights_i(rights_in),
    .access_i(access), .cpl_i(cpl), .ac_i(ac), .implicit_i(implicit),
    .wp_i(wp), .smep_i(smep), .smap_i(smap), .nxe_i(nxe), .pse_i(pse), .pae_i(pae), .pk_i(pk),
    .rsvd_o(rtl_rsvd), .leaf_o(rtl_leaf), .rights_o(rtl_rights), .pkey_o(rtl_pkey), .viol_o(rtl_viol),
    .fault_o(rtl_fault), .ec_o(rtl_ec)
  );

  logic       ref_rsvd, ref_leaf, ref_rw, ref_us, ref_xd, ref_fault;
  logic [5:0] ref_ec;
  sdm_entry_rules #(.MAXPHYADDR(MAXPHYADDR)) u_ref (
    .mode(`REF_MODE(M)), .level(level), .entry(e),
    .rw_above(rights_in[0]), .us_above(rights_in[1]), .xd_above(rights_in[2]),
    .access(`REF_ACCESS(access)), .cpl(cpl), .implicit(implicit), .eflags_ac(ac),
    .cr0_wp(wp), .cr4_pse(pse), .cr4_smep(smep), .cr4_smap(smap), .cr4_pke(pke), .cr4_pks(pks),
    .efer_nxe(nxe), .pkru(pkru), .ia32_pkrs(pkrs),
    .rsvd(ref_rsvd), .leaf(ref_leaf), .rw_all(ref_rw), .us_all(ref_us), .xd_any(ref_xd),
    .fault(ref_fault), .ec(ref_ec)
  );

  always_comb begin
    // the levels the walker reads in the mode: 32-bit PD and PT; PAE PD and PT (its PDPTEs are
    // registers, checked by mmu_ctrl at the load); 4-level PML4 down; 5-level PML5 down
    assume (level >= 3'd1);
    // (begin/end: an `else` right after an immediate assume/assert would be its fail action)
    if (M == mmu_pkg::PAGING_32 || M == mmu_pkg::PAGING_PAE) begin
      assume (level <= 3'd2);
    end else if (M == mmu_pkg::PAGING_4LEVEL) begin
      assume (level <= 3'd4);
    end else begin
      assume (level <= 3'd5);
    end
    // 32-bit paging reads 4-byte entries (the walker zero-extends them) and combines no XD
    if (M == mmu_pkg::PAGING_32) begin
      assume (e[63:32] == 32'd0);
      assume (!rights_in[2]);
    end
    assume (access != 2'd3);
    assume (!(implicit && access == mmu_pkg::ACC_EXEC));
    // without protection keys in the build CR4.PKE/PKS cannot be set (mmu_ctrl: #GP)
    if (PK == 0) assume (!pke && !pks);

    assert (rtl_fault == ref_fault);
    if (ref_fault) assert (rtl_ec == ref_ec);
    if (e[0]) assert (rtl_rsvd == ref_rsvd);
    if (!ref_fault) assert (rtl_leaf == ref_leaf);
    if (!ref_fault) assert (rtl_rights == {ref_xd, ref_us, ref_rw});
    // the violation output agrees with §4.6 on the combined rights at a leaf
    if (e[0] && !ref_rsvd && ref_leaf) assert (rtl_viol == ref_fault);
    // the key the walker fills into the TLB: bits 62:59 of a 4/5-level leaf (§4.6.2)
    if (PK != 0 && IA32E && !ref_fault && ref_leaf) assert (rtl_pkey == e[62:59]);
  end
endmodule
