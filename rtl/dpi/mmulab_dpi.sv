// mmulab_dpi: SystemVerilog DPI-C imports of libmmulab's permissive x86 MMU checker
// (sim/ref/mmulab.h; C side sim/ref/dpi.c, inside libmmulab; docs/reference-model.md).
//
// The calls a UVM scoreboard makes:
//   h = mmulab_create(46);                         // one reference per MMU under test
//   mmulab_mem_write(h, pa, value, 8);             // every store the MMU can observe
//   mmulab_write_reg(h, MMULAB_CR3, value);        // every CR0/CR3/CR4/EFER write
//   mmulab_invlpg(h, va); mmulab_invpcid(...);     // every invalidation
//   mmulab_ad_write(h, pa, value, size);           // every A/D write of the MMU's walker (checked)
//   mmulab_check(h, va, acc, cpl, ac, impl, fault, ec, pa, shift);   // every translation
// Mismatch semantics: mmulab_check / mmulab_ad_write return MMULAB_MISMATCH (1) and leave the
// reference as if the result had not happened (a refused A/D write is not applied); the
// one-line reason (rule and entry) is mmulab_why(h). They never stop the simulation: the
// helper mmulab_check_report below raises $error, the caller decides whether to go on.
// Negative returns are usage errors (bad size, address out of range, #GP register write).
package mmulab_dpi;
  /* verilator lint_off UNUSEDPARAM */   // the package names every value; a testbench uses some

  localparam int MMULAB_OK       = 0;
  localparam int MMULAB_MISMATCH = 1;
  localparam int MMULAB_E_GP     = -4;

  localparam int MMULAB_READ  = 0;
  localparam int MMULAB_WRITE = 1;
  localparam int MMULAB_EXEC  = 2;

  localparam int MMULAB_FAULT_NONE = 0;
  localparam int MMULAB_FAULT_PF   = 1;
  localparam int MMULAB_FAULT_GP   = 2;

  localparam int MMULAB_CR0  = 0;
  localparam int MMULAB_CR3  = 1;
  localparam int MMULAB_CR4  = 2;
  localparam int MMULAB_EFER = 3;

  localparam int MMULAB_MODE_32BIT  = 1;
  localparam int MMULAB_MODE_PAE    = 2;
  localparam int MMULAB_MODE_4LEVEL = 3;
  localparam int MMULAB_MODE_5LEVEL = 4;

  localparam int MMULAB_STAT_CHECKS     = 0;
  localparam int MMULAB_STAT_MISMATCHES = 1;
  localparam int MMULAB_STAT_STALE_OK   = 2;
  localparam int MMULAB_STAT_AD_WRITES  = 3;
  /* verilator lint_on UNUSEDPARAM */

  // the reference
  import "DPI-C" function chandle mmulab_dpi_create(input int maxphyaddr);
  import "DPI-C" function void    mmulab_dpi_destroy(input chandle h);
  import "DPI-C" function int     mmulab_dpi_reset(input chandle h);
  import "DPI-C" function int     mmulab_dpi_mem_write(input chandle h, input longint unsigned pa,
                                                       input longint unsigned value, input int size);
  import "DPI-C" function longint unsigned mmulab_dpi_mem_read(input chandle h, input longint unsigned pa,
                                                               input int size);
  import "DPI-C" function int     mmulab_dpi_ad_write(input chandle h, input longint unsigned pa,
                                                      input longint unsigned value, input int size);
  import "DPI-C" function int     mmulab_dpi_write_reg(input chandle h, input int which, input longint unsigned value);
  import "DPI-C" function int     mmulab_dpi_invlpg(input chandle h, input longint unsigned va);
  import "DPI-C" function int     mmulab_dpi_invpcid(input chandle h, input int kind, input longint unsigned pcid,
                                                     input longint unsigned va);
  import "DPI-C" function int     mmulab_dpi_check(input chandle h, input longint unsigned va, input int access,
                                                   input int cpl, input int ac, input int implicit,
                                                   input int fault, input int error_code,
                                                   input longint unsigned pa, input int page_shift);
  import "DPI-C" function string  mmulab_dpi_why(input chandle h);
  import "DPI-C" function longint unsigned mmulab_dpi_stat(input chandle h, input int which);

  // page-table building in the reference's memory
  import "DPI-C" function chandle mmulab_dpi_pt_create(input chandle h, input int mode,
                                                       input longint unsigned frame_base,
                                                       input longint unsigned frame_limit);
  import "DPI-C" function void    mmulab_dpi_pt_destroy(input chandle pt);
  import "DPI-C" function int     mmulab_dpi_pt_map(input chandle pt, input longint unsigned va,
                                                    input longint unsigned pa, input int page_shift,
                                                    input longint unsigned leaf_flags,
                                                    input longint unsigned table_flags);
  import "DPI-C" function longint unsigned mmulab_dpi_pt_cr3(input chandle pt);
  import "DPI-C" function longint unsigned mmulab_dpi_pt_entry_addr(input chandle pt, input longint unsigned va,
                                                                    input int level);
  // copying the built tables into the design's memory: collect, then next until it returns 0
  import "DPI-C" function int     mmulab_dpi_pt_collect(input chandle pt);
  import "DPI-C" function int     mmulab_dpi_pt_next(input chandle pt, output longint unsigned pa,
                                                     output longint unsigned value);

  // Checks one translation; on a mismatch raises $error with the reason and returns 1.
  function automatic int mmulab_check_report(input chandle h, input longint unsigned va, input int access,
                                             input int cpl, input int fault, input int error_code,
                                             input longint unsigned pa, input int page_shift);
    int rc;
    rc = mmulab_dpi_check(h, va, access, cpl, 0, 0, fault, error_code, pa, page_shift);
    if (rc != MMULAB_OK)
      $error("mmulab: %s", mmulab_dpi_why(h));
    return rc;
  endfunction

endpackage
