// mmu_pkg: the shared vocabulary of the mmulab RTL: the names and values of model/types.h
// (enums as localparams, bit positions as FOO_BIT_X as types.h names them), the bundles the
// modules pass each other (packed structs), and the pure functions of docs/semantics.md
// sections 1, 2 and 4. Change a name or a value here and in model/types.h together.
package mmu_pkg;
  // the whole vocabulary of model/types.h, used or not
  /* verilator lint_off UNUSEDPARAM */

  // paging_mode_t
  localparam logic [2:0] PAGING_OFF    = 3'd0;
  localparam logic [2:0] PAGING_32     = 3'd1;
  localparam logic [2:0] PAGING_PAE    = 3'd2;
  localparam logic [2:0] PAGING_4LEVEL = 3'd3;
  localparam logic [2:0] PAGING_5LEVEL = 3'd4;

  // mmu_access_t
  localparam logic [1:0] ACC_READ  = 2'd0;
  localparam logic [1:0] ACC_WRITE = 2'd1;
  localparam logic [1:0] ACC_EXEC  = 2'd2;

  // mmu_fault_t
  localparam logic [1:0] FAULT_NONE = 2'd0;
  localparam logic [1:0] FAULT_PF   = 2'd1;
  localparam logic [1:0] FAULT_GP   = 2'd2;
  localparam logic [1:0] FAULT_UD   = 2'd3;     // WRPKRU while CR4.PKE = 0

  // tlb_hit_t
  localparam logic [1:0] TLB_HIT_NONE = 2'd0;
  localparam logic [1:0] TLB_HIT_L1   = 2'd1;
  localparam logic [1:0] TLB_HIT_L2   = 2'd2;

  // mmu_ctrl_kind_t (model/mmu.h)
  localparam logic [2:0] CTRL_CR0     = 3'd0;
  localparam logic [2:0] CTRL_CR3     = 3'd1;
  localparam logic [2:0] CTRL_CR4     = 3'd2;
  localparam logic [2:0] CTRL_EFER    = 3'd3;
  localparam logic [2:0] CTRL_INVLPG  = 3'd4;
  localparam logic [2:0] CTRL_INVPCID = 3'd5;
  localparam logic [2:0] CTRL_WRPKRU  = 3'd6;
  localparam logic [2:0] CTRL_WRPKRS  = 3'd7;   // WRMSR IA32_PKRS

  // page_class_t
  localparam logic [1:0] PSC_4K = 2'd0;
  localparam logic [1:0] PSC_2M = 2'd1;      // 2 MiB, or 4 MiB in 32-bit paging
  localparam logic [1:0] PSC_1G = 2'd2;

  // paging levels, numbered as the SDM's tables
  localparam logic [2:0] LVL_PT   = 3'd1;
  localparam logic [2:0] LVL_PD   = 3'd2;
  localparam logic [2:0] LVL_PDPT = 3'd3;
  localparam logic [2:0] LVL_PML4 = 3'd4;
  localparam logic [2:0] LVL_PML5 = 3'd5;

  // control-register bit positions
  localparam int CR0_BIT_PE    = 0;
  localparam int CR0_BIT_MP    = 1;
  localparam int CR0_BIT_EM    = 2;
  localparam int CR0_BIT_TS    = 3;
  localparam int CR0_BIT_ET    = 4;
  localparam int CR0_BIT_NE    = 5;
  localparam int CR0_BIT_WP    = 16;
  localparam int CR0_BIT_AM    = 18;
  localparam int CR0_BIT_NW    = 29;
  localparam int CR0_BIT_CD    = 30;
  localparam int CR0_BIT_PG    = 31;
  localparam int CR4_BIT_PSE   = 4;
  localparam int CR4_BIT_PAE   = 5;
  localparam int CR4_BIT_PGE   = 7;
  localparam int CR4_BIT_LA57  = 12;
  localparam int CR4_BIT_PCIDE = 17;
  localparam int CR4_BIT_SMEP  = 20;
  localparam int CR4_BIT_SMAP  = 21;
  localparam int CR4_BIT_PKE   = 22;
  localparam int CR4_BIT_PKS   = 24;
  localparam int EFER_BIT_SCE  = 0;
  localparam int EFER_BIT_LME  = 8;
  localparam int EFER_BIT_LMA  = 10;
  localparam int EFER_BIT_NXE  = 11;
  localparam int CR3_BIT_NOFLUSH = 63;

  // paging-structure entry bit positions (the 4-byte format shares bits 11:0)
  localparam int PTE_BIT_P   = 0;
  localparam int PTE_BIT_RW  = 1;
  localparam int PTE_BIT_US  = 2;
  localparam int PTE_BIT_PWT = 3;
  localparam int PTE_BIT_PCD = 4;
  localparam int PTE_BIT_A   = 5;
  localparam int PTE_BIT_D   = 6;
  localparam int PTE_BIT_PS  = 7;
  localparam int PTE_BIT_G   = 8;
  localparam int PTE_BIT_PK  = 59;    // protection key: bits 62:59 of a 4/5-level leaf
  localparam int PTE_BIT_XD  = 63;
  /* verilator lint_on UNUSEDPARAM */

  // --- bundles ---------------------------------------------------------------------------
  // A TLB fill (walker -> a port's L1 and the L2; tlb -> its class arrays): the entry of
  // docs/semantics.md section 5 for the page containing va. The strobe travels beside it.
  typedef struct packed {
    logic [1:0]  cls;       // page_class_t
    logic [56:0] va;        // as used by the mode
    logic [63:0] frame;     // page base PA
    logic [11:0] pcid;
    logic        rw, us, xd, g, dirty;
    logic [3:0]  pkey;      // the leaf's protection key (0 outside 4/5-level paging; unstored with PK=0)
  } tlb_fill_t;

  // A TLB invalidation (mmu_ctrl -> every TLB -> its class arrays), the model's tlb_inval_t
  // (docs/semantics.md section 8) with its two strobes: `all` clears every entry at once,
  // `cmp` invalidates the matching entries of the set read last.
  typedef struct packed {
    logic        all;
    logic        cmp;
    logic        by_va;            // only entries whose page contains the compared VA
    logic        by_pcid;          // only entries tagged with pcid ...
    logic [11:0] pcid;
    logic        keep_global;      // global entries survive
    logic        global_any_pcid;  // global entries match whatever their PCID tag (INVLPG)
  } tlb_inv_t;

  // The protection-key state the checks use (mmu_ctrl -> ports and walker): CR4.PKE / CR4.PKS as in
  // force (4/5-level paging only), PKRU and IA32_PKRS[31:0]. All 0 with PK=0 (no registers).
  typedef struct packed {
    logic        pke, pks;
    logic [31:0] pkru, pkrs;
  } pk_ctl_t;

  // A translation's response (walker -> port, port -> mmu_top's flat pins), the fields of the
  // model's mmu_result_t that the hardware produces; the valid strobe travels beside it.
  typedef struct packed {
    logic [63:0] pa;
    logic [1:0]  fault;          // mmu_fault_t
    logic [5:0]  ec;             // #PF error code
    logic [1:0]  tlb_hit;        // tlb_hit_t
    logic [2:0]  pwc_hit;        // 0 or level 2..5
    logic [4:0]  page_shift;
    logic        walked;
    logic        dirty_assist;
    logic [3:0]  mem_reads;
    logic [3:0]  mem_writes;
  } xlat_resp_t;

  // User-mode access: CPL 3 and not implicit.
  function automatic logic is_user(input logic [1:0] cpl, input logic implicit);
    is_user = (cpl == 2'd3) && !implicit;
  endfunction

  // "Protection keys" (SDM Vol 3A 4.6.2): does the key of the address deny this access? Data
  // accesses only; a user-mode address (us) is PKRU's when pke, a supervisor-mode one IA32_PKRS's
  // when pks (pke/pks: CR4.PKE/PKS in 4/5-level paging, 0 with PK=0). AD_i denies every data
  // access; WD_i a user-mode write, and a supervisor-mode write only with CR0.WP=1.
  function automatic logic pk_violation(
      input logic [1:0] access, input logic [1:0] cpl, input logic implicit,
      input logic us, input logic [3:0] pkey,
      input logic wp, input logic pke, input logic pks, input logic [31:0] pkru, input logic [31:0] pkrs);
    logic [31:0] pkr;
    logic ad, wd;
    pkr = us ? pkru : pkrs;
    ad = pkr[{pkey, 1'b0}];
    wd = pkr[{pkey, 1'b1}];
    pk_violation = (access != ACC_EXEC) && (us ? pke : pks) &&
                   (ad || ((access == ACC_WRITE) && wd && (is_user(cpl, implicit) || wp)));
  endfunction

  // Section 4: does the access violate the combined rights (rw, us, xd) or the key (pkey)?
  function automatic logic rights_violation(
      input logic [1:0] access, input logic [1:0] cpl, input logic ac, input logic implicit,
      input logic rw, input logic us, input logic xd, input logic [3:0] pkey,
      input logic wp, input logic smep, input logic smap, input logic nxe,
      input logic pke, input logic pks, input logic [31:0] pkru, input logic [31:0] pkrs);
    logic user, w, x;
    user = is_user(cpl, implicit);
    w = (access == ACC_WRITE);
    x = (access == ACC_EXEC);
    if (pk_violation(access, cpl, implicit, us, pkey, wp, pke, pks, pkru, pkrs))
      rights_violation = 1'b1;
    else if (user)
      rights_violation = !us || (w && !rw) || (x && xd && nxe);
    else if (x)
      rights_violation = (us && smep) || (xd && nxe);
    else
      rights_violation = (w && !rw && wp) || (us && smap && (implicit || !ac));
  endfunction

  // Section 4: the #PF error code (P, W, U, RSVD, I/D, PK). PK (SDM Vol 3A 4.7) whenever the key
  // denies the access, with or without another violation; never for a not-present or reserved-bit
  // fault (us/pkey are then not looked at).
  function automatic logic [5:0] pf_error_code(
      input logic [1:0] access, input logic [1:0] cpl, input logic implicit,
      input logic present, input logic rsvd, input logic smep, input logic pae, input logic nxe,
      input logic us, input logic [3:0] pkey,
      input logic wp, input logic pke, input logic pks, input logic [31:0] pkru, input logic [31:0] pkrs);
    pf_error_code = {present && !rsvd && pk_violation(access, cpl, implicit, us, pkey, wp, pke, pks, pkru, pkrs),
                     (access == ACC_EXEC) && (smep || (pae && nxe)), rsvd,
                     is_user(cpl, implicit), access == ACC_WRITE, present};
  endfunction

  // Section 1: a VA is canonical unless 4-level (bits 63:47) or 5-level (63:56) differ.
  /* verilator lint_off UNUSEDSIGNAL */  // the low VA bits do not matter
  function automatic logic va_canonical(input logic [63:0] va, input logic [2:0] mode);
    if (mode == PAGING_4LEVEL)
      va_canonical = (va[63:47] == {17{va[47]}});
    else if (mode == PAGING_5LEVEL)
      va_canonical = (va[63:56] == {8{va[56]}});
    else
      va_canonical = 1'b1;
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

  // An INVPCID descriptor's address (used whole in every mode, SDM Vol 2A INVPCID): canonical
  // for the processor's linear-address width, 57 bits with CR4.LA57, else 48.
  /* verilator lint_off UNUSEDSIGNAL */  // the low VA bits do not matter
  function automatic logic va_canonical_la57(input logic [63:0] va, input logic la57);
    va_canonical_la57 = la57 ? (va[63:56] == {8{va[56]}}) : (va[63:47] == {17{va[47]}});
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

  // The linear address as the mode uses it: 32 bits outside IA-32e paging.
  function automatic logic [63:0] va_used(input logic [63:0] va, input logic [2:0] mode);
    va_used = (mode == PAGING_4LEVEL || mode == PAGING_5LEVEL) ? va : {32'd0, va[31:0]};
  endfunction

  // Page shift of a class in the mode (the 2m class holds 4 MiB pages in 32-bit paging).
  function automatic logic [4:0] class_shift(input logic [1:0] cls, input logic [2:0] mode);
    class_shift = (cls == PSC_4K) ? 5'd12 : (cls == PSC_1G) ? 5'd30 : (mode == PAGING_32) ? 5'd22 : 5'd21;
  endfunction

  // Low bits of a page of 1 << shift bytes.
  function automatic logic [63:0] page_mask(input logic [4:0] shift);
    page_mask = (64'd1 << shift) - 64'd1;
  endfunction

endpackage
