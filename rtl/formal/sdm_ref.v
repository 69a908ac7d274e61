/* verilator lint_off DECLFILENAME */  // the three reference modules in one file
// sdm_ref: an independent reading of the Intel SDM's permission and fault rules, the reference the
// formal proofs (docs/formal.md) compare the RTL's checking logic with. Written from SDM Vol 3A
// chapter 4 (§4.3 32-bit paging, §4.4 PAE paging, §4.5 4-level and 5-level paging, §4.6 access
// rights, §4.6.2 protection keys, §4.7 page-fault exceptions), not from rtl/: it includes and calls
// nothing of rtl/ (no mmu_pkg), uses its own encodings, and is plain combinational Verilog-2005.
// Each assign sits next to the SDM table row or sentence it encodes.
//
// Three modules, used in this order for one paging-structure entry:
//   sdm_entry_rules   reserved bits (Tables 4-4..4-6, 4-9..4-11, 4-14..4-20), leaf or not, the rights
//                     combined down to the entry, and the walk's fault decision with its error code
//   sdm_access_rights §4.6.1 (U/S, R/W with CR0.WP, XD with NXE, SMEP, SMAP with EFLAGS.AC and
//                     implicit accesses) and §4.6.2 (PKRU for user-mode addresses with CR4.PKE,
//                     IA32_PKRS for supervisor-mode addresses with CR4.PKS)
//   sdm_error_code    §4.7 the #PF error code bits P, W/R, U/S, RSVD, I/D, PK
//
// Encodings (the harness maps the RTL's onto these): mode 1 32-bit, 2 PAE, 3 4-level, 4 5-level;
// access 0 read, 1 write, 2 instruction fetch; level 1 PTE .. 5 PML5E.

// §4.6: may the access use a translation with these combined rights?
module sdm_access_rights (
  input  wire [1:0]  access,      // 0 read, 1 write, 2 instruction fetch
  input  wire [1:0]  cpl,
  input  wire        implicit,    // an implicit supervisor-mode access (e.g. a descriptor-table read)
  input  wire        eflags_ac,
  input  wire        has_xd,      // 8-byte entries (PAE, 4-level, 5-level): an XD bit exists
  input  wire        ia32e,       // IA32_EFER.LMA = 1: 4-level or 5-level paging
  input  wire        cr0_wp,
  input  wire        cr4_smep,
  input  wire        cr4_smap,
  input  wire        cr4_pke,
  input  wire        cr4_pks,
  input  wire        efer_nxe,
  input  wire [31:0] pkru,
  input  wire [31:0] ia32_pkrs,
  input  wire        rw_all,      // R/W = 1 in every paging-structure entry controlling the translation
  input  wire        us_all,      // U/S = 1 in every entry: a user-mode address (§4.6 "user-mode address")
  input  wire        xd_any,      // XD = 1 in some entry
  input  wire [3:0]  pkey,        // the leaf's bits 62:59 (§4.6.2)
  output wire        rights_fault,  // §4.6.1 does not permit the access
  output wire        pk_fault       // §4.6.2 does not permit the access
);
  // §4.6 "Every access to a linear address is either a supervisor-mode access or a user-mode access.
  // ... accesses made while CPL < 3 are supervisor-mode accesses, while accesses made while CPL = 3
  // are user-mode accesses." Implicit accesses (to the GDT, LDT, IDT, TSS...) "are called implicit
  // supervisor-mode accesses regardless of CPL".
  wire user_mode  = (cpl == 2'd3) && !implicit;
  wire is_read    = (access == 2'd0);
  wire is_write   = (access == 2'd1);
  wire is_fetch   = (access == 2'd2);
  wire user_addr  = us_all;
  wire sup_addr   = !us_all;
  wire read_only  = !rw_all;
  wire exec_dis   = has_xd && efer_nxe && xd_any;   // XD only counts "if IA32_EFER.NXE = 1"
  // SMAP's exception: "explicit ... accesses with EFLAGS.AC = 1"
  wire smap_allows = !cr4_smap || (!implicit && eflags_ac);

  // §4.6.1 Supervisor-mode accesses
  //  Data reads: "Data may be read (implicitly or explicitly) from any supervisor-mode address."
  //   "If CR4.SMAP = 0, data may be read from any user-mode address with a protection key for which
  //   read access is permitted." "If CR4.SMAP = 1, ... explicit ... with EFLAGS.AC = 1 ... may read
  //   from any user-mode address"; "with EFLAGS.AC = 0 ... or implicit: not from user-mode addresses".
  wire sup_read_ok  = sup_addr || smap_allows;
  //  Data writes: "If CR0.WP = 0, data may be written to any supervisor-mode address. If CR0.WP = 1,
  //   data may be written to any supervisor-mode address with a translation for which the R/W flag
  //   is 1 in every paging-structure entry". User-mode addresses: the same R/W rule, and SMAP as reads.
  wire wp_allows    = !cr0_wp || !read_only;
  wire sup_write_ok = wp_allows && (sup_addr || smap_allows);
  //  Instruction fetches: "If IA32_EFER.NXE = 0: If CR4.SMEP = 0, instructions may be fetched from any
  //   linear address with a valid translation. If CR4.SMEP = 1, instructions may be fetched from any
  //   supervisor-mode address." "If IA32_EFER.NXE = 1: ... [the same] with a translation for which the
  //   XD flag is 0 in every paging-structure entry".
  wire sup_fetch_ok = (!cr4_smep || sup_addr) && !exec_dis;
  // §4.6.1 User-mode accesses: "Data may be read from any user-mode address"; "data may be written to
  //   any user-mode address with a translation for which the R/W flag is 1 in every paging-structure
  //   entry"; "instructions may be fetched from any user-mode address" (with XD = 0 when NXE = 1).
  //   Supervisor-mode addresses permit no user-mode access.
  wire usr_read_ok  = user_addr;
  wire usr_write_ok = user_addr && !read_only;
  wire usr_fetch_ok = user_addr && !exec_dis;

  wire allowed = user_mode ?
      ((is_read && usr_read_ok) || (is_write && usr_write_ok) || (is_fetch && usr_fetch_ok)) :
      ((is_read && sup_read_ok) || (is_write && sup_write_ok) || (is_fetch && sup_fetch_ok));
  assign rights_fault = !allowed;

  // §4.6.2 Protection keys: "4-level paging and 5-level paging associate with each linear address a
  // protection key" (bits 62:59 of the leaf). PKRU governs user-mode addresses when CR4.PKE = 1,
  // IA32_PKRS supervisor-mode addresses when CR4.PKS = 1; "ADi ... bit 2i, WDi ... bit 2i+1".
  // They restrict data accesses only: "Protection keys do not affect instruction fetches".
  wire        pk_on   = ia32e && !is_fetch && (user_addr ? cr4_pke : cr4_pks);
  wire [31:0] pkr     = user_addr ? pkru : ia32_pkrs;
  wire        ad      = pkr[{pkey, 1'b0}];
  wire        wd      = pkr[{pkey, 1'b1}];
  // "If ADi = 1, no data accesses are permitted"; "If WDi = 1, write accesses are not permitted from
  // user mode [and] supervisor-mode write accesses are not permitted if CR0.WP = 1" (PKRU); for
  // IA32_PKRS "write accesses are not permitted if CR0.WP = 1" — a user-mode write to a
  // supervisor-mode address is already refused by §4.6.1, so the two readings agree on the fault.
  assign pk_fault = pk_on && (ad || (wd && is_write && (user_mode || cr0_wp)));
endmodule

// §4.7 Figure 4-12 / the bit list after it: the page-fault error code.
module sdm_error_code (
  input  wire       not_present,  // "caused by a non-present page" (some entry has P = 0)
  input  wire       rsvd_fault,   // "a reserved bit was set in one of the paging-structure entries"
  input  wire       pk_flag,      // the §4.7 PK conditions hold (sdm_access_rights.pk_fault)
  input  wire [1:0] access,
  input  wire [1:0] cpl,
  input  wire       implicit,
  input  wire       cr4_pae,      // PAE, 4-level or 5-level paging
  input  wire       cr4_smep,
  input  wire       efer_nxe,
  output wire [5:0] ec
);
  // P (bit 0): "0 if there was no translation ... because of a P flag that was 0 in one of the
  //   paging-structure entries ...; 1 otherwise." (a reserved-bit fault has P = 1: "reserved bits are
  //   not checked in a paging-structure entry whose P flag is 0")
  assign ec[0] = !not_present;
  // W/R (bit 1): "1 if the access causing the page-fault exception was a write"
  assign ec[1] = (access == 2'd1);
  // U/S (bit 2): "1 if a user-mode access caused the page-fault exception; 0 if it was caused by a
  //   supervisor-mode access" (implicit accesses are supervisor-mode accesses, §4.6)
  assign ec[2] = (cpl == 2'd3) && !implicit;
  // RSVD (bit 3): "1 if there is no translation ... because a reserved bit was set"
  assign ec[3] = !not_present && rsvd_fault;
  // I/D (bit 4): "1 if (1) the access causing the page-fault exception was an instruction fetch; and
  //   (2) either (a) CR4.SMEP = 1; or (b) both (i) CR4.PAE = 1 ... and (ii) IA32_EFER.NXE = 1"
  assign ec[4] = (access == 2'd2) && (cr4_smep || (cr4_pae && efer_nxe));
  // PK (bit 5): "1 if ... the access ... was a data access to a ... address with protection key i"
  //   that PKRU / IA32_PKRS disallows (only for a valid translation: P = 1, no reserved bit)
  assign ec[5] = !not_present && !rsvd_fault && pk_flag;
endmodule

// One paging-structure entry as a walk reads it: reserved bits, leaf, combined rights, fault, error code.
module sdm_entry_rules #(
  parameter MAXPHYADDR = 46        // M of the SDM's tables (CPUID.80000008H:EAX[7:0])
) (
  input  wire [2:0]  mode,         // 1 32-bit, 2 PAE, 3 4-level, 4 5-level
  input  wire [2:0]  level,        // 1 PTE, 2 PDE, 3 PDPTE, 4 PML4E, 5 PML5E
  input  wire [63:0] entry,        // 32-bit paging: bits 31:0 (4-byte entries)
  input  wire        rw_above,     // the combined rights of the entries above (1, 1, 0 at the top;
  input  wire        us_above,     //  PAE PDPTEs control no rights, Table 4-8)
  input  wire        xd_above,
  input  wire [1:0]  access,
  input  wire [1:0]  cpl,
  input  wire        implicit,
  input  wire        eflags_ac,
  input  wire        cr0_wp,
  input  wire        cr4_pse,
  input  wire        cr4_smep,
  input  wire        cr4_smap,
  input  wire        cr4_pke,
  input  wire        cr4_pks,
  input  wire        efer_nxe,
  input  wire [31:0] pkru,
  input  wire [31:0] ia32_pkrs,
  output wire        rsvd,         // a reserved bit is set
  output wire        leaf,         // the entry maps a page
  output wire        rw_all,       // combined rights down to and including this entry
  output wire        us_all,
  output wire        xd_any,
  output wire        fault,        // the walk ends here with #PF
  output wire [5:0]  ec
);
  wire is32  = (mode == 3'd1);
  wire pae   = (mode == 3'd2);
  wire ia32e = (mode == 3'd3) || (mode == 3'd4);
  wire P     = entry[0];
  wire PS    = entry[7];

  // bits M-1 .. hi of a mask (empty when hi < lo)
  function [63:0] bits;
    input integer hi, lo;
    integer i;
    begin
      bits = 64'd0;
      for (i = 0; i < 64; i = i + 1)
        if (i <= hi && i >= lo) bits[i] = 1'b1;
    end
  endfunction

  // --- §4.3 32-bit paging -------------------------------------------------------------------------
  // "MAXPHYADDR ... is at most 40" for 32-bit paging's 4-MByte pages (PSE-36): M32 = min(M, 40).
  localparam M32 = (MAXPHYADDR < 40) ? MAXPHYADDR : 40;
  // Table 4-4 (PDE, CR4.PSE = 1 and PS = 1, maps a 4-MByte page): "21:(M–19) Reserved (must be 0)"
  wire pde4m_32     = is32 && (level == 3'd2) && cr4_pse && PS;
  wire rsvd_32      = pde4m_32 && |(entry & bits(21, M32 - 19));
  // Table 4-5 (PDE referencing a page table; PS ignored when CR4.PSE = 0), Table 4-6 (PTE): no
  // reserved bits.

  // --- §4.4 PAE paging (the walk reads PDEs and PTEs; PDPTEs are registers, Table 4-8) -------------
  // Tables 4-9, 4-10, 4-11: "62:M Reserved (must be 0)"; bit 63 "If IA32_EFER.NXE = 1, execute-disable
  // ...; otherwise, reserved (must be 0)"; Table 4-9 (PDE, PS = 1, 2-MByte page): "20:13 Reserved".
  wire rsvd_pae     = pae && (|(entry & bits(62, MAXPHYADDR)) || (!efer_nxe && entry[63]) ||
                              ((level == 3'd2) && PS && |(entry & bits(20, 13))));

  // --- §4.5 4-level and 5-level paging --------------------------------------------------------------
  // Every entry format (Tables 4-14..4-20): "(M–1):12 ... address", "51:M Reserved (must be 0)";
  // bit 63: XD "if IA32_EFER.NXE = 1 ...; otherwise, reserved (must be 0)"; bits 62:52 ignored or, in a
  // leaf, 62:59 the protection key (never reserved).
  // Table 4-14 (PML5E) and 4-15 (PML4E): "7 (PS) Reserved (must be 0)".
  // Table 4-16 (PDPTE, PS = 1, 1-GByte page): "29:13 Reserved (must be 0)" (1-GByte pages supported).
  // Table 4-18 (PDE, PS = 1, 2-MByte page): "20:13 Reserved (must be 0)".
  wire rsvd_ia32e   = ia32e && (|(entry & bits(51, MAXPHYADDR)) || (!efer_nxe && entry[63]) ||
                                ((level >= 3'd4) && PS) ||
                                ((level == 3'd3) && PS && |(entry & bits(29, 13))) ||
                                ((level == 3'd2) && PS && |(entry & bits(20, 13))));

  assign rsvd = rsvd_32 || rsvd_pae || rsvd_ia32e;

  // --- what maps a page ----------------------------------------------------------------------------
  // 32-bit (§4.3): a PTE; a PDE "If CR4.PSE = 1 and the PDE's PS flag is 1".
  // PAE (§4.4.2): a PTE; a PDE with PS = 1.
  // 4/5-level (§4.5.4): a PTE; a PDE with PS = 1; a PDPTE with PS = 1 (a 1-GByte page).
  assign leaf = (level == 3'd1) ||
                ((level == 3'd2) && PS && (!is32 || cr4_pse)) ||
                ((level == 3'd3) && PS && ia32e);

  // --- §4.6.1 the rights of every entry controlling the translation -------------------------------
  // "R/W flag is 1 in every paging-structure entry", "U/S flag is 1 in every paging-structure entry",
  // "XD flag is 1 in any paging-structure entry" (4-byte entries have no XD bit).
  assign rw_all = rw_above && entry[1];
  assign us_all = us_above && entry[2];
  assign xd_any = !is32 && (xd_above || entry[63]);

  wire rights_fault, pk_fault;
  sdm_access_rights u_rights (
    .access(access), .cpl(cpl), .implicit(implicit), .eflags_ac(eflags_ac),
    .has_xd(!is32), .ia32e(ia32e), .cr0_wp(cr0_wp), .cr4_smep(cr4_smep), .cr4_smap(cr4_smap),
    .cr4_pke(cr4_pke), .cr4_pks(cr4_pks), .efer_nxe(efer_nxe), .pkru(pkru), .ia32_pkrs(ia32_pkrs),
    .rw_all(rw_all), .us_all(us_all), .xd_any(xd_any), .pkey(entry[62:59]),
    .rights_fault(rights_fault), .pk_fault(pk_fault)
  );

  // §4.7: "(1) there is no valid translation for the linear address [P = 0, or a reserved bit set in
  // a present entry]; or (2) there is a valid translation ..., but its access rights do not permit
  // the access" — rights are checked at the leaf, on the combined rights.
  wire denied = leaf && (rights_fault || pk_fault);
  assign fault = !P || (P && rsvd) || denied;

  sdm_error_code u_ec (
    .not_present(!P), .rsvd_fault(rsvd), .pk_flag(leaf && pk_fault), .access(access), .cpl(cpl),
    .implicit(implicit), .cr4_pae(!is32), .cr4_smep(cr4_smep), .efer_nxe(efer_nxe), .ec(ec)
  );
endmodule
