// mmu_pkg: the shared vocabulary of the mmulab RTL (codes of model/types.h and
// the pure functions of docs/semantics.md sections 1, 2 and 4).
package mmu_pkg;
  // the whole vocabulary of model/types.h, used or not
  /* verilator lint_off UNUSEDPARAM */

  // paging_mode_t
  localparam logic [2:0] MODE_OFF = 3'd0;
  localparam logic [2:0] MODE_32  = 3'd1;
  localparam logic [2:0] MODE_PAE = 3'd2;
  localparam logic [2:0] MODE_4L  = 3'd3;
  localparam logic [2:0] MODE_5L  = 3'd4;

  // mmu_access_t
  localparam logic [1:0] ACC_R = 2'd0;
  localparam logic [1:0] ACC_W = 2'd1;
  localparam logic [1:0] ACC_X = 2'd2;

  // mmu_fault_t
  localparam logic [1:0] FLT_NONE = 2'd0;
  localparam logic [1:0] FLT_PF   = 2'd1;
  localparam logic [1:0] FLT_GP   = 2'd2;

  // tlb_hit_t
  localparam logic [1:0] HIT_NONE = 2'd0;
  localparam logic [1:0] HIT_L1   = 2'd1;
  localparam logic [1:0] HIT_L2   = 2'd2;

  // mmu_ctrl_kind_t
  localparam logic [2:0] CTRL_CR0     = 3'd0;
  localparam logic [2:0] CTRL_CR3     = 3'd1;
  localparam logic [2:0] CTRL_CR4     = 3'd2;
  localparam logic [2:0] CTRL_EFER    = 3'd3;
  localparam logic [2:0] CTRL_INVLPG  = 3'd4;
  localparam logic [2:0] CTRL_INVPCID = 3'd5;

  // page-size classes
  localparam logic [1:0] CLS_4K = 2'd0;
  localparam logic [1:0] CLS_2M = 2'd1;
  localparam logic [1:0] CLS_1G = 2'd2;
  /* verilator lint_on UNUSEDPARAM */


  // User-mode access: CPL 3 and not implicit.
  function automatic logic is_user(input logic [1:0] cpl, input logic implicit);
    is_user = (cpl == 2'd3) && !implicit;
  endfunction

  // Section 4: does the access violate the combined rights (rw, us, xd)?
  function automatic logic rights_violation(
      input logic [1:0] access, input logic [1:0] cpl, input logic ac, input logic implicit,
      input logic rw, input logic us, input logic xd,
      input logic wp, input logic smep, input logic smap, input logic nxe);
    logic user, w, x;
    user = is_user(cpl, implicit);
    w = (access == ACC_W);
    x = (access == ACC_X);
    if (user)
      rights_violation = !us || (w && !rw) || (x && xd && nxe);
    else if (x)
      rights_violation = (us && smep) || (xd && nxe);
    else
      rights_violation = (w && !rw && wp) || (us && smap && (implicit || !ac));
  endfunction

  // Section 4: the #PF error code (P, W, U, RSVD, I/D; PK is always 0).
  function automatic logic [5:0] pf_error_code(
      input logic [1:0] access, input logic [1:0] cpl, input logic implicit,
      input logic present, input logic rsvd, input logic smep, input logic pae, input logic nxe);
    pf_error_code = {1'b0, (access == ACC_X) && (smep || (pae && nxe)), rsvd,
                     is_user(cpl, implicit), access == ACC_W, present};
  endfunction

  // Section 1: a VA is canonical unless 4-level (bits 63:47) or 5-level (63:56) differ.
  /* verilator lint_off UNUSEDSIGNAL */  // the low VA bits do not matter
  function automatic logic va_canonical(input logic [63:0] va, input logic [2:0] mode);
    if (mode == MODE_4L)
      va_canonical = (va[63:47] == {17{va[47]}});
    else if (mode == MODE_5L)
      va_canonical = (va[63:56] == {8{va[56]}});
    else
      va_canonical = 1'b1;
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

  // The linear address as the mode uses it: 32 bits outside IA-32e paging.
  function automatic logic [63:0] va_used(input logic [63:0] va, input logic [2:0] mode);
    va_used = (mode == MODE_4L || mode == MODE_5L) ? va : {32'd0, va[31:0]};
  endfunction

  // Page shift of a class in the mode (the 2m class holds 4 MiB pages in 32-bit paging).
  function automatic logic [4:0] class_shift(input logic [1:0] cls, input logic [2:0] mode);
    class_shift = (cls == CLS_4K) ? 5'd12 : (cls == CLS_1G) ? 5'd30 : (mode == MODE_32) ? 5'd22 : 5'd21;
  endfunction

  // Low bits of a page of 1 << shift bytes.
  function automatic logic [63:0] page_mask(input logic [4:0] shift);
    page_mask = (64'd1 << shift) - 64'd1;
  endfunction

endpackage
