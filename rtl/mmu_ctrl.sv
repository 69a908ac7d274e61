// mmu_ctrl: CR0/CR2/CR3/CR4/EFER and the PAE PDPTE registers; serialising control
// operations (docs/semantics.md 7-8, docs/timing.md "Control operations"); the model's twin
// is model/mmu_ctrl.c.
// An operation accepted at k completes at c = k + C + sum(O + M(load)) + F: the #GP
// checks and the decision are made at k, the PDPTE loads (if any) follow, the new
// state commits at the end of the C delay or with the last load, and the invalidation
// runs from the commit cycle X: everything (F = 1: valid flops cleared at X), by address
// (F = 1: read the set at X, compare at X + 1 = c) or selective (F = S: sets 0..S-1
// read at X..X+S-1, each compared one cycle later). PWC entries are cleared at X.
//
// PLANTED_BUG (verification only, docs/verification.md "The checker can fail"): 1 makes
// INVLPG keep global TLB entries (as INVPCID type 0 does). Set it for the whole build with
// +define+MMU_PLANTED_BUG=1 (mk/cosim.mk's bug variant); every other build leaves it 0.
`ifndef MMU_PLANTED_BUG
`define MMU_PLANTED_BUG 0
`endif
module mmu_ctrl #(
  parameter int MAXPHYADDR    = 46,
  parameter int CTRL_LATENCY  = 1,
  parameter int WALK_OVERHEAD = 1,
  parameter int SWEEP_SETS    = 16,   // S: largest sets of any TLB array
  parameter int SET_W         = 5,
  parameter int PK            = 1,    // protection keys: CR4.PKE/PKS writable, PKRU and IA32_PKRS exist
  parameter int PLANTED_BUG   = `MMU_PLANTED_BUG
) (
  input  logic              clk_i,
  input  logic              rst_i,
  // control port
  input  logic              req_valid_i,
  output logic              req_ready_o,
  input  logic [2:0]        req_kind_i,
  input  logic [63:0]       req_value_i,
  input  logic [63:0]       req_va_i,
  input  logic [31:0]       req_invpcid_type_i,
  input  logic [63:0]       req_pcid_i,
  output logic              resp_valid_o,
  output logic              resp_gp_o,
  output logic              resp_ud_o,        // WRPKRU while CR4.PKE = 0 (SDM Vol 2B WRPKRU)
  input  logic              idle_i,           // no translation in flight or requested
  output logic              busy_o,
  // CR2 from the walker
  input  logic              pf_i,
  input  logic [63:0]       pf_va_i,
  // architectural state
  output logic [63:0]       cr0_o,
  output logic [63:0]       cr2_o,
  output logic [63:0]       cr3_o,
  output logic [63:0]       cr4_o,
  output logic [63:0]       efer_o,
  output logic [255:0]      pdpte_o,
  output logic [2:0]        mode_o,
  output logic [11:0]       pcid_o,
  output logic              wp_o,
  output logic              smep_o,
  output logic              smap_o,
  output logic              nxe_o,
  output logic              pse_o,
  output logic              pge_o,
  output logic              pae_o,
  output mmu_pkg::pk_ctl_t  pk_o,             // the key state the checks use (0 with PK=0)
  output logic [31:0]       pkru_o,
  output logic [31:0]       pkrs_o,
  // TLB invalidation (every TLB)
  output logic              tlb_rd_en_o,
  output logic              tlb_rd_sweep_o,
  output logic [SET_W-1:0]  tlb_rd_set_o,
  output logic [56:0]       tlb_va_o,         // INVLPG / INVPCID 0 address (read and compare)
  output mmu_pkg::tlb_inv_t tlb_inv_o,
  output logic              pwc_inv_all_o,
  output logic              pwc_inv_pcid_o,
  output logic [11:0]       pwc_inv_pcid_val_o,
  // memory master (PDPTE loads)
  output logic              mem_req_valid_o,
  input  logic              mem_req_ready_i,
  output logic [63:0]       mem_req_addr_o,
  input  logic              mem_resp_valid_i,
  input  logic [63:0]       mem_resp_rdata_i
);

  localparam logic [63:0] PDPTE_RSV = 64'h1e6 | ~((64'd1 << MAXPHYADDR) - 64'd1);
  localparam logic [63:0] CR3_RSV   = ~((64'd1 << MAXPHYADDR) - 64'd1);   // 63:M
  // CR0's defined bits (PE MP EM TS ET NE WP AM NW CD PG): a 1 written to another bit of 31:0 is
  // ignored (SDM Vol 3A 2.5); CR4's writable bits (docs/semantics.md section 7, model/mmu_ctrl.c):
  // every other bit is #GP (reserved, or a translation feature this MMU does not implement)
  localparam logic [63:0] CR0_DEFINED  = 64'h0000_0000_e005_003f;
  localparam logic [63:0] CR4_WRITABLE = 64'h0000_0000_023f_7fff |
                                         ((PK != 0) ? ((64'd1 << mmu_pkg::CR4_BIT_PKE) | (64'd1 << mmu_pkg::CR4_BIT_PKS)) : 64'd0);
  localparam logic [63:0] EFER_KNOWN = (64'd1 << mmu_pkg::EFER_BIT_SCE) | (64'd1 << mmu_pkg::EFER_BIT_LME) |
                                       (64'd1 << mmu_pkg::EFER_BIT_LMA) | (64'd1 << mmu_pkg::EFER_BIT_NXE);

  typedef enum logic [1:0] { F_NONE, F_ALL, F_ADDR, F_SEL } flush_e;
  typedef enum logic [2:0] { C_IDLE, C_LAT, C_PRE, C_MEM, C_SWEEP, C_RESP } cstate_e;

  function automatic logic [2:0] mode_of(input logic [63:0] cr0, input logic [63:0] cr4,
                                         input logic [63:0] efer);
    if (!cr0[mmu_pkg::CR0_BIT_PG])        mode_of = mmu_pkg::PAGING_OFF;
    else if (!cr4[mmu_pkg::CR4_BIT_PAE])  mode_of = mmu_pkg::PAGING_32;
    else if (!efer[mmu_pkg::EFER_BIT_LME]) mode_of = mmu_pkg::PAGING_PAE;
    else                 mode_of = cr4[mmu_pkg::CR4_BIT_LA57] ? mmu_pkg::PAGING_5LEVEL : mmu_pkg::PAGING_4LEVEL;
  endfunction

  // --- architectural registers ------------------------------------------------------
  logic [63:0]  cr0_q, cr2_q, cr3_q, cr4_q, efer_q;   // efer_q without LMA
  logic [255:0] pdpte_q;
  logic         lma;

  assign lma     = efer_q[mmu_pkg::EFER_BIT_LME] && cr0_q[mmu_pkg::CR0_BIT_PG];
  assign cr0_o   = cr0_q;
  assign cr2_o   = cr2_q;
  assign cr3_o   = cr3_q;
  assign cr4_o   = cr4_q;
  assign efer_o  = efer_q | (64'(lma) << mmu_pkg::EFER_BIT_LMA);
  assign pdpte_o = pdpte_q;
  assign mode_o  = mode_of(cr0_q, cr4_q, efer_q);
  assign pcid_o  = cr4_q[mmu_pkg::CR4_BIT_PCIDE] ? cr3_q[11:0] : 12'd0;
  assign wp_o    = cr0_q[mmu_pkg::CR0_BIT_WP];
  assign smep_o  = cr4_q[mmu_pkg::CR4_BIT_SMEP];
  assign smap_o  = cr4_q[mmu_pkg::CR4_BIT_SMAP];
  assign nxe_o   = efer_q[mmu_pkg::EFER_BIT_NXE];
  assign pse_o   = cr4_q[mmu_pkg::CR4_BIT_PSE];
  assign pge_o   = cr4_q[mmu_pkg::CR4_BIT_PGE];
  assign pae_o   = cr4_q[mmu_pkg::CR4_BIT_PAE];

  // protection keys (SDM Vol 3A 4.6.2): in force only in 4/5-level paging; with PK=0 CR4.PKE/PKS
  // can never be 1 (#GP) and there are no PKRU / IA32_PKRS flops
  logic [31:0] pkru_q, pkrs_q;
  logic        long_paging;
  assign long_paging = (mode_o == mmu_pkg::PAGING_4LEVEL) || (mode_o == mmu_pkg::PAGING_5LEVEL);
  assign pk_o.pke  = (PK != 0) && long_paging && cr4_q[mmu_pkg::CR4_BIT_PKE];
  assign pk_o.pks  = (PK != 0) && long_paging && cr4_q[mmu_pkg::CR4_BIT_PKS];
  assign pk_o.pkru = pkru_q;
  assign pk_o.pkrs = pkrs_q;
  assign pkru_o    = pkru_q;
  assign pkrs_o    = pkrs_q;
  // --- operation registers ------------------------------------------------------------
  cstate_e      state_q;
  logic [7:0]   cnt_q;
  logic [1:0]   j_q;                 // PDPTE being loaded
  logic         gp_q, ud_q, load_q, write_q;
  logic [2:0]   reg_q;
  logic [63:0]  val_q;
  /* verilator lint_off UNUSEDSIGNAL */  // the PDPT is at CR3[31:5]
  logic [63:0]  load_base_q;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [191:0] ld_q;                // PDPTEs 0..2 loaded so far
  flush_e       flush_q;
  logic         pwc_all_q, pwc_pcid_q;
  logic [56:0]  va_q;
  logic [SET_W-1:0] sweep_q;
  logic         cmp_q;               // a TLB set was read last cycle: compare now
  logic         inv_by_va_q, inv_by_pcid_q, inv_keep_global_q, inv_global_any_q;   // the filter
  logic [11:0]  inv_pcid_q;

  // --- decision at accept -------------------------------------------------------------
  logic         d_gp, d_ud, d_load;
  logic [2:0]   d_reg;               // 0 CR0, 1 CR3, 2 CR4, 3 EFER, 4 PKRU, 5 IA32_PKRS (register written)
  logic         d_write;             // a CR/EFER write (vs an invalidation)
  logic [63:0]  d_val, d_load_base;
  flush_e       d_flush;
  logic         d_by_va, d_by_pcid, d_keep_global, d_global_any;
  logic [11:0]  d_pcid;
  logic         d_pwc_all, d_pwc_pcid;

  // the request's VA is canonical for the linear-address width CR4.LA57 selects (INVPCID's rule in
  // every mode; INVLPG's in 4/5-level paging, where the mode and LA57 agree)
  logic canonical;
  assign canonical = mmu_pkg::va_canonical_la57(req_va_i, cr4_q[mmu_pkg::CR4_BIT_LA57]);

  /* verilator lint_off UNUSEDSIGNAL */  // TLB tags use VA[56:0]
  logic [63:0] req_va_used;
  /* verilator lint_on UNUSEDSIGNAL */

  // (evaluated only while a request waits in the idle state: nothing looks at the decision
  // in any other cycle, and this spares the simulation the decoding)
  always_comb begin : decide
    logic [63:0] v, changed;
    logic        noflush;
    v = req_value_i;
    changed = req_value_i ^ cr4_q;
    noflush = 1'b0;
    d_gp = 1'b0;  d_ud = 1'b0;  d_load = 1'b0;  d_reg = 3'd0;  d_write = 1'b1;  d_val = v;
    d_load_base = cr3_q;  d_flush = F_NONE;
    d_by_va = 1'b0;  d_by_pcid = 1'b0;  d_keep_global = 1'b0;  d_global_any = 1'b0;
    d_pcid = pcid_o;  d_pwc_all = 1'b0;  d_pwc_pcid = 1'b0;
    req_va_used = '0;
    if (req_valid_i && state_q == C_IDLE) begin
      req_va_used = mmu_pkg::va_used(req_va_i, mode_o);
      case (req_kind_i)
        mmu_pkg::CTRL_CR0: begin
          d_reg = 3'd0;
          d_gp = (|v[63:32]) || (v[mmu_pkg::CR0_BIT_NW] && !v[mmu_pkg::CR0_BIT_CD]) ||
                 (v[mmu_pkg::CR0_BIT_PG] && !v[mmu_pkg::CR0_BIT_PE]) ||
                 (v[mmu_pkg::CR0_BIT_PG] && !cr0_q[mmu_pkg::CR0_BIT_PG] && efer_q[mmu_pkg::EFER_BIT_LME] &&
                  !cr4_q[mmu_pkg::CR4_BIT_PAE]) ||
                 (!v[mmu_pkg::CR0_BIT_PG] && cr0_q[mmu_pkg::CR0_BIT_PG] && cr4_q[mmu_pkg::CR4_BIT_PCIDE]);
          d_load = mode_of(v, cr4_q, efer_q) == mmu_pkg::PAGING_PAE &&
                   ((v[mmu_pkg::CR0_BIT_PG] ^ cr0_q[mmu_pkg::CR0_BIT_PG]) ||
                    (v[mmu_pkg::CR0_BIT_CD] ^ cr0_q[mmu_pkg::CR0_BIT_CD]) ||
                    (v[mmu_pkg::CR0_BIT_NW] ^ cr0_q[mmu_pkg::CR0_BIT_NW]));
          if (cr0_q[mmu_pkg::CR0_BIT_PG] && !v[mmu_pkg::CR0_BIT_PG]) begin
            d_flush = F_ALL;  d_pwc_all = 1'b1;
          end
        end
        mmu_pkg::CTRL_CR3: begin
          d_reg = 3'd1;
          if (lma) begin
            if (cr4_q[mmu_pkg::CR4_BIT_PCIDE]) begin
              noflush = v[mmu_pkg::CR3_BIT_NOFLUSH];
              v[mmu_pkg::CR3_BIT_NOFLUSH] = 1'b0;
            end
            d_gp = |(v & CR3_RSV);
          end else begin
            v = {32'd0, v[31:0]};
          end
          d_val = v;
          d_load = (mode_o == mmu_pkg::PAGING_PAE);
          d_load_base = v;
          d_keep_global = 1'b1;
          if (!cr4_q[mmu_pkg::CR4_BIT_PCIDE]) begin
            d_flush = F_SEL;  d_pwc_all = 1'b1;
          end else if (!noflush) begin
            d_flush = F_SEL;  d_by_pcid = 1'b1;  d_pcid = v[11:0];  d_pwc_pcid = 1'b1;
          end
        end
        mmu_pkg::CTRL_CR4: begin
          d_reg = 3'd2;
          d_gp = (|(v & ~CR4_WRITABLE)) ||
                 (lma && (!v[mmu_pkg::CR4_BIT_PAE] || changed[mmu_pkg::CR4_BIT_LA57])) ||
                 (v[mmu_pkg::CR4_BIT_PCIDE] && !lma) ||
                 (v[mmu_pkg::CR4_BIT_PCIDE] && !cr4_q[mmu_pkg::CR4_BIT_PCIDE] && cr3_q[11:0] != 12'd0);
          d_load = mode_of(cr0_q, v, efer_q) == mmu_pkg::PAGING_PAE &&
                   (changed[mmu_pkg::CR4_BIT_PAE] || changed[mmu_pkg::CR4_BIT_PGE] ||
                    changed[mmu_pkg::CR4_BIT_PSE] || changed[mmu_pkg::CR4_BIT_SMEP]);
          if (changed[mmu_pkg::CR4_BIT_PGE] || (cr4_q[mmu_pkg::CR4_BIT_PCIDE] && !v[mmu_pkg::CR4_BIT_PCIDE])) begin
            d_flush = F_ALL;  d_pwc_all = 1'b1;
          end else if (changed[mmu_pkg::CR4_BIT_PAE] ||
                       (v[mmu_pkg::CR4_BIT_SMEP] && !cr4_q[mmu_pkg::CR4_BIT_SMEP])) begin
            d_flush = F_SEL;  d_by_pcid = 1'b1;  d_pwc_pcid = 1'b1;      // current PCID, global or not
          end
        end
        mmu_pkg::CTRL_EFER: begin
          d_reg = 3'd3;
          d_gp = (|(v & ~EFER_KNOWN)) ||
                 (cr0_q[mmu_pkg::CR0_BIT_PG] && (v[mmu_pkg::EFER_BIT_LME] ^ efer_q[mmu_pkg::EFER_BIT_LME]));
          d_val = v & ~(64'd1 << mmu_pkg::EFER_BIT_LMA);
        end
        mmu_pkg::CTRL_WRPKRU: begin
          // #UD while CR4.PKE = 0 (always with PK=0); PKRU <- EAX (RAX[63:32] ignored); no flush
          d_reg = 3'd4;
          d_ud  = !cr4_q[mmu_pkg::CR4_BIT_PKE];
          d_val = {32'd0, v[31:0]};
        end
        mmu_pkg::CTRL_WRPKRS: begin
          // WRMSR IA32_PKRS: #GP without the MSR (PK=0) or with a 1 in its reserved bits 63:32
          d_reg = 3'd5;
          d_gp  = (PK == 0) || (|v[63:32]);
        end
        mmu_pkg::CTRL_INVLPG: begin
          d_write = 1'b0;
          // non-canonical (4/5-level, where CR4.LA57 says which): a no-op
          if (!(mode_o == mmu_pkg::PAGING_4LEVEL || mode_o == mmu_pkg::PAGING_5LEVEL) || canonical) begin
            d_flush = F_ADDR;  d_by_va = 1'b1;  d_by_pcid = 1'b1;  d_global_any = 1'b1;
            d_pwc_pcid = 1'b1;
            if (PLANTED_BUG == 1) begin                  // the planted bug: globals survive
              d_global_any = 1'b0;  d_keep_global = 1'b1;
            end
          end
        end
        default: begin                                   // INVPCID
          d_write = 1'b0;
          d_pcid = req_pcid_i[11:0];
          d_gp = (req_invpcid_type_i > 32'd3) || (|req_pcid_i[63:12]) ||
                 (req_invpcid_type_i == 32'd0 &&
                  !canonical) ||
                 (req_invpcid_type_i <= 32'd1 && !cr4_q[mmu_pkg::CR4_BIT_PCIDE] && req_pcid_i != 64'd0);
          case (req_invpcid_type_i[1:0])
            2'd0: begin
              d_flush = F_ADDR;  d_by_va = 1'b1;  d_by_pcid = 1'b1;  d_keep_global = 1'b1;
              d_pwc_pcid = 1'b1;
            end
            2'd1: begin
              d_flush = F_SEL;  d_by_pcid = 1'b1;  d_keep_global = 1'b1;  d_pwc_pcid = 1'b1;
            end
            2'd2: begin
              d_flush = F_ALL;  d_pwc_all = 1'b1;
            end
            default: begin
              d_flush = F_SEL;  d_keep_global = 1'b1;  d_pwc_all = 1'b1;
            end
          endcase
        end
      endcase
      if (d_gp || d_ud) d_load = 1'b0;
    end
  end


  logic accept, lat_done, load_done, bad_now, gp_final, commit;
  assign accept    = (state_q == C_IDLE) && req_valid_i && req_ready_o;
  assign lat_done  = (state_q == C_LAT) && (cnt_q == 8'd0);
  assign load_done = (state_q == C_MEM) && mem_resp_valid_i && (j_q == 2'd3);
  assign bad_now   = mem_resp_rdata_i[mmu_pkg::PTE_BIT_P] && |(mem_resp_rdata_i & PDPTE_RSV);
  assign gp_final  = gp_q || (load_done && bad_now);
  assign commit    = (lat_done && !gp_q && !load_q) || (load_done && !gp_final);

  assign req_ready_o  = (state_q == C_IDLE) && idle_i;
  assign busy_o       = (state_q != C_IDLE);
  assign resp_valid_o = (state_q == C_RESP) || (lat_done && (gp_q || (!load_q && flush_q == F_NONE))) ||
                        (load_done && (gp_final || flush_q == F_NONE));
  assign resp_gp_o    = (gp_q && !ud_q) || (load_done && bad_now);
  assign resp_ud_o    = ud_q;        // (gp_q is set too: a refused operation, whichever fault)

  // invalidation, from the commit cycle
  logic start_sweep;
  assign start_sweep   = commit && (flush_q == F_SEL);
  assign tlb_rd_en_o    = (commit && (flush_q == F_ADDR || flush_q == F_SEL)) || (state_q == C_SWEEP);
  assign tlb_rd_sweep_o = (flush_q == F_SEL);
  assign tlb_rd_set_o   = (state_q == C_SWEEP) ? sweep_q : '0;
  assign tlb_va_o       = va_q;
  assign tlb_inv_o.cmp  = cmp_q;
  assign tlb_inv_o.all  = commit && (flush_q == F_ALL);
  assign tlb_inv_o.by_va = inv_by_va_q;
  assign tlb_inv_o.by_pcid = inv_by_pcid_q;
  assign tlb_inv_o.pcid = inv_pcid_q;
  assign tlb_inv_o.keep_global = inv_keep_global_q;
  assign tlb_inv_o.global_any_pcid = inv_global_any_q;
  assign pwc_inv_all_o  = commit && pwc_all_q;
  assign pwc_inv_pcid_o = commit && pwc_pcid_q;

  // memory: PDPTE j at (base & ~31) + 8j
  assign mem_req_valid_o = (state_q == C_PRE) && (cnt_q == 8'd0);
  assign mem_req_addr_o  = {32'd0, load_base_q[31:5], j_q, 3'd0};

  always_ff @(posedge clk_i) begin
    if (rst_i) begin
      state_q <= C_IDLE;
      cnt_q   <= '0;
      cmp_q   <= 1'b0;
      cr0_q <= '0;  cr2_q <= '0;  cr3_q <= '0;  cr4_q <= '0;  efer_q <= '0;  pdpte_q <= '0;
    end else begin
      cmp_q <= tlb_rd_en_o;
      if (cnt_q != 8'd0) cnt_q <= cnt_q - 8'd1;
      if (pf_i) cr2_q <= pf_va_i;
      case (state_q)
        C_IDLE: if (accept) begin
          state_q <= C_LAT;
          cnt_q   <= 8'(CTRL_LATENCY - 1);
        end
        C_LAT: if (cnt_q == 8'd0) begin
          if (gp_q || (!load_q && flush_q == F_NONE)) state_q <= C_IDLE;
          else if (load_q) begin
            state_q <= C_PRE;
            cnt_q   <= 8'(WALK_OVERHEAD - 1);
          end
        end
        C_PRE: if (cnt_q == 8'd0 && mem_req_ready_i) state_q <= C_MEM;
        C_MEM: if (mem_resp_valid_i) begin
          if (j_q != 2'd3) begin
            state_q <= C_PRE;
            cnt_q   <= 8'(WALK_OVERHEAD - 1);
          end else if (gp_final || flush_q == F_NONE) begin
            state_q <= C_IDLE;
          end
        end
        C_SWEEP: if (32'(sweep_q) == SWEEP_SETS - 1) state_q <= C_RESP;
        default: state_q <= C_IDLE;      // C_RESP
      endcase
      if (commit) begin
        if (flush_q == F_ALL || flush_q == F_ADDR || (flush_q == F_SEL && SWEEP_SETS == 1))
          state_q <= C_RESP;
        else if (flush_q == F_SEL)
          state_q <= C_SWEEP;
        if (write_q)
          case (reg_q)
            3'd0: cr0_q  <= val_q & CR0_DEFINED;    // reserved bits of 31:0 ignored (63:32: #GP)
            3'd1: cr3_q  <= val_q;
            3'd2: cr4_q  <= val_q;
            3'd3: efer_q <= val_q;
            default: ;                              // PKRU / IA32_PKRS: g_pk below
          endcase
        if (load_q) pdpte_q <= {mem_resp_rdata_i, ld_q};
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (state_q == C_MEM && mem_resp_valid_i) begin
      j_q <= j_q + 2'd1;
      if (bad_now) gp_q <= 1'b1;
      if (j_q != 2'd3) ld_q[64*j_q +: 64] <= mem_resp_rdata_i;   // PDPTE 3 goes straight to the registers
    end
    if (accept) begin
      gp_q <= d_gp || d_ud;  ud_q <= d_ud;  load_q <= d_load;  write_q <= d_write;  reg_q <= d_reg;  val_q <= d_val;
      load_base_q <= d_load_base;  flush_q <= d_flush;  j_q <= 2'd0;
      inv_by_va_q <= d_by_va;  inv_by_pcid_q <= d_by_pcid;  inv_pcid_q <= d_pcid;
      inv_keep_global_q <= d_keep_global;  inv_global_any_q <= d_global_any;
      pwc_all_q <= d_pwc_all;  pwc_pcid_q <= d_pwc_pcid;  pwc_inv_pcid_val_o <= d_pcid;
      va_q <= req_va_used[56:0];
    end
    sweep_q <= start_sweep ? SET_W'(1) : sweep_q + 1'b1;
  end

  // PKRU and IA32_PKRS[31:0] (bits 63:32 are reserved: a write setting them is #GP): only with PK=1
  if (PK != 0) begin : g_pk
    always_ff @(posedge clk_i) begin
      if (rst_i) begin
        pkru_q <= '0;
        pkrs_q <= '0;
      end else if (commit && write_q) begin
        if (reg_q == 3'd4) pkru_q <= val_q[31:0];
        if (reg_q == 3'd5) pkrs_q <= val_q[31:0];
      end
    end
  end else begin : g_no_pk
    assign pkru_q = '0;
    assign pkrs_q = '0;
  end

endmodule
