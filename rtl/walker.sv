// walker: the shared page walker (docs/semantics.md 3, 5, 6; docs/timing.md steps 5-8).
// Serves one L1 miss at a time, port D before port I: grant at s, L2 TLB lookup in
// [s, s+L2), paging-structure-cache lookup in [s+L2, w = s+L2+P), then the entry reads
// from the start level down and the A/D writes, each memory operation issued O cycles
// after the previous one completed, and the response O cycles after the last one.
// Every wait is a down-counter (cnt_q); the memory port may take any latency and may
// back-pressure requests (one operation outstanding).
module walker #(
  parameter int HAS_L2        = 1,
  parameter int L2_LATENCY    = 4,
  parameter int PWC_LATENCY   = 1,
  parameter int WALK_OVERHEAD = 1,
  parameter int MAXPHYADDR    = 46,
  parameter int PK            = 1,     // protection keys: the leaf's key is checked and filled
  parameter int PML5_ENTRIES  = 2,
  parameter int PML4_ENTRIES  = 4,
  parameter int PDPT_ENTRIES  = 8,
  parameter int PD_ENTRIES    = 16
) (
  input  logic          clk_i,
  input  logic          rst_i,
  // control state (mmu_ctrl)
  input  logic [2:0]    mode_i,
  input  logic          wp_i,
  input  logic          smep_i,
  input  logic          smap_i,
  input  logic          nxe_i,
  input  logic          pse_i,
  input  logic          pge_i,
  input  logic          pae_i,
  input  mmu_pkg::pk_ctl_t pk_i,
  input  logic [11:0]   pcid_i,
  input  logic [63:0]   cr3_i,
  input  logic [255:0]  pdpte_i,
  // L1 misses, [0] port D, [1] port I; fields of port p at [p*W +: W]
  input  logic [1:0]    miss_valid_i,
  input  logic [127:0]  miss_va_i,          // VA as used by the mode
  input  logic [3:0]    miss_access_i,
  input  logic [3:0]    miss_cpl_i,
  input  logic [1:0]    miss_ac_i,
  input  logic [1:0]    miss_implicit_i,
  input  logic [1:0]    miss_ddrop_i,       // the L1 dropped a clean entry for a write
  output logic [1:0]    grant_o,
  // response (to port resp_port_o), at the completion cycle c
  output logic          resp_valid_o,
  output logic          resp_port_o,
  output mmu_pkg::xlat_resp_t resp_o,
  // TLB fill: the requesting port's L1 (l1_fill_o) and the L2 (l2_fill_o)
  output logic          l1_fill_o,
  output logic          l2_fill_o,
  output mmu_pkg::tlb_fill_t fill_entry_o,
  // L2 TLB lookup
  output logic          l2_rd_en_o,
  output logic [56:0]   l2_rd_va_o,
  output logic [56:0]   l2_cmp_va_o,
  input  logic          l2_hit_i,
  input  logic [1:0]    l2_hit_cls_i,
  input  logic [63:0]   l2_hit_frame_i,
  input  logic          l2_hit_rw_i,
  input  logic          l2_hit_us_i,
  input  logic          l2_hit_xd_i,
  input  logic          l2_hit_g_i,
  input  logic          l2_hit_dirty_i,
  input  logic [11:0]   l2_hit_pcid_i,
  input  logic [3:0]    l2_hit_pkey_i,
  output logic          l2_drop_o,
  output logic          l2_touch_o,
  output logic          l2_cmp_o,          // the L2 compare cycle (s + L2)
  // paging-structure caches
  output logic [56:0]   pwc_va_o,
  output logic          pwc_lk_o,          // the lookup is used (the start of a walk)
  input  logic [2:0]    pwc_hit_level_i,
  input  logic [63:0]   pwc_hit_base_i,
  input  logic [2:0]    pwc_hit_rights_i,
  output logic [3:0]    pwc_fill_o,
  output logic [255:0]  pwc_fill_base_o,
  output logic [11:0]   pwc_fill_rights_o,
  output logic          pwc_inv_va_o,
  // CR2 update
  output logic          pf_o,
  output logic [63:0]   pf_va_o,
  // memory master (one operation outstanding)
  output logic          mem_req_valid_o,
  input  logic          mem_req_ready_i,
  output logic [63:0]   mem_req_addr_o,
  output logic          mem_req_write_o,
  output logic [3:0]    mem_req_size_o,
  output logic [63:0]   mem_req_wdata_o,
  input  logic          mem_resp_valid_i,
  input  logic [63:0]   mem_resp_rdata_i,
  // status and performance events
  output logic          busy_o,
  output logic          ev_l2_hit_o,
  output logic          ev_l2_miss_o,
  output logic          ev_walk_o,
  output logic [2:0]    ev_pwc_hit_o         // level of a PWC hit at the start of a walk
);

  // --- constants ---------------------------------------------------------------
  localparam logic [63:0] PHYS     = ((64'd1 << MAXPHYADDR) - 64'd1) & ~64'hfff;  // [M-1:12]
  localparam logic [63:0] BIT_A    = 64'd1 << mmu_pkg::PTE_BIT_A;
  localparam logic [63:0] BIT_D    = 64'd1 << mmu_pkg::PTE_BIT_D;
  localparam int          L2_LAT   = (HAS_L2 != 0) ? L2_LATENCY : 0;
  // P: PWC latency if any PWC of the mode has entries
  localparam int P_32 = (PD_ENTRIES > 0) ? PWC_LATENCY : 0;
  localparam int P_4L = (PD_ENTRIES + PDPT_ENTRIES + PML4_ENTRIES > 0) ? PWC_LATENCY : 0;
  localparam int P_5L = (PD_ENTRIES + PDPT_ENTRIES + PML4_ENTRIES + PML5_ENTRIES > 0) ? PWC_LATENCY : 0;

  typedef enum logic [2:0] { W_IDLE, W_L2, W_PRE, W_MEM, W_FIN } wstate_e;

  // --- state -------------------------------------------------------------------
  wstate_e      state_q;
  logic [7:0]   cnt_q;
  logic         port_q;
  logic [63:0]  va_q;
  logic [1:0]   acc_q, cpl_q;
  logic         ac_q, imp_q, ddrop_q;
  logic [2:0]   level_q;                  // level read next (read phase) / leaf (write phase)
  logic [63:0]  table_q;
  logic [2:0]   rights_q;                 // {xd, us, rw}
  logic         wphase_q;
  logic [4:0]   rmask_q;                  // levels read by this walk, bit l-1
  logic [4:0]   wmask_q;                  // A/D writes still to do
  logic [319:0] ent_q;                    // entries read, 64 bits per level
  logic [319:0] eaddr_q;                  // and their addresses (written only when an entry arrives)
  logic         ent_we;
  /* verilator lint_off UNUSEDSIGNAL */   // level 1's rights: a PTE is never a PWC fill
  logic [14:0]  rat_q;                    // combined rights down to each level read
  /* verilator lint_on UNUSEDSIGNAL */
  logic [1:0]   fault_q;
  logic [5:0]   ec_q;
  logic [63:0]  frame_q;
  logic [4:0]   shift_q;
  logic         g_q, dirty_q;
  logic [3:0]   pkey_q;                   // the leaf's protection key (0 with PK=0)
  logic [2:0]   pwc_hit_q;
  logic [3:0]   nrd_q, nwr_q;

  // --- the request being granted / served ------------------------------------------
  logic         gnt, gport;
  logic [63:0]  g_va;
  assign gnt   = (state_q == W_IDLE) && (|miss_valid_i);
  assign gport = !miss_valid_i[0];                      // port D first
  assign g_va  = gport ? miss_va_i[127:64] : miss_va_i[63:0];
  assign grant_o = {gnt && gport, gnt && !gport};

  logic         esize4;
  logic [7:0]   p_lat;
  assign esize4 = (mode_i == mmu_pkg::PAGING_32);
  assign p_lat  = (mode_i == mmu_pkg::PAGING_5LEVEL) ? 8'(P_5L) : (mode_i == mmu_pkg::PAGING_4LEVEL) ? 8'(P_4L) :
                  (mode_i == mmu_pkg::PAGING_32 || mode_i == mmu_pkg::PAGING_PAE) ? 8'(P_32) : 8'd0;

  // --- L2 lookup (compare when the count reaches 0, i.e. at s + L2) ----------------
  logic         l2_cmp, l2_usable, l2_dirty_drop;
  assign l2_rd_en_o  = gnt && (HAS_L2 != 0);
  assign l2_rd_va_o  = lk_va[56:0];     // a grant's VA; in the completion cycle, the served VA (a #PF's)
  assign l2_cmp_va_o = va_q[56:0];
  assign l2_cmp      = (state_q == W_L2) && (cnt_q == 8'd0);
  assign l2_dirty_drop = (acc_q == mmu_pkg::ACC_WRITE) && !l2_hit_dirty_i;
  // (only the compare cycle looks at it: the simulation skips the check in other cycles)
  assign l2_usable   = l2_cmp && l2_hit_i && !l2_dirty_drop &&
                       !mmu_pkg::rights_violation(acc_q, cpl_q, ac_q, imp_q, l2_hit_rw_i, l2_hit_us_i,
                                         l2_hit_xd_i, l2_hit_pkey_i, wp_i, smep_i, smap_i, nxe_i,
                                         pk_i.pke, pk_i.pks, pk_i.pkru, pk_i.pkrs);
  assign l2_touch_o  = l2_cmp && l2_usable;
  assign l2_cmp_o    = l2_cmp;
  assign l2_drop_o   = l2_cmp && l2_hit_i && !l2_usable;

  // --- start of the walk: at x = s + L2 after an L2 miss (x = s without an L2) ------
  logic         start;
  /* verilator lint_off UNUSEDSIGNAL */  // lookups use VA[56:0]
  logic [63:0]  lk_va;
  /* verilator lint_on UNUSEDSIGNAL */
  assign start    = (l2_cmp && !l2_usable) || (gnt && HAS_L2 == 0);
  assign lk_va    = (state_q == W_IDLE) ? g_va : va_q;
  assign pwc_va_o = lk_va[56:0];
  assign pwc_lk_o = start;

  logic [63:0]  pdpte_sel;
  assign pdpte_sel = pdpte_i[64*lk_va[31:30] +: 64];

  // --- memory operation --------------------------------------------------------------
  function automatic logic [9:0] index_of(input logic [63:0] va, input logic [2:0] level,
                                          input logic [2:0] mode);
    if (mode == mmu_pkg::PAGING_32)
      index_of = (level == 3'd2) ? va[31:22] : va[21:12];
    else
      index_of = {1'b0, 9'(va >> (12 + 9 * (32'(level) - 1)))};
  endfunction

  logic [2:0]   wlevel;          // highest pending A/D write
  always_comb begin
    wlevel = 3'd1;
    for (int l = 1; l <= 5; l++)
      if (wmask_q[l-1]) wlevel = 3'(l);
  end

  logic [4:0]  wmask_left;        // the A/D writes left once the one at wlevel is done
  assign wmask_left = wmask_q & ~(5'd1 << (wlevel - 3'd1));

  logic [63:0] rd_addr, wr_data;
  assign rd_addr = table_q + (64'(index_of(va_q, level_q, mode_i)) << (esize4 ? 2 : 3));
  assign wr_data = ent_q[64*(32'(wlevel)-1) +: 64] | BIT_A |
                   ((wlevel == level_q && acc_q == mmu_pkg::ACC_WRITE) ? BIT_D : 64'd0);

  assign mem_req_valid_o = (state_q == W_PRE) && (cnt_q == 8'd0);
  assign mem_req_addr_o  = wphase_q ? eaddr_q[64*(32'(wlevel)-1) +: 64] : rd_addr;
  assign mem_req_write_o = wphase_q;
  assign mem_req_size_o  = esize4 ? 4'd4 : 4'd8;
  assign mem_req_wdata_o = esize4 ? {32'd0, wr_data[31:0]} : wr_data;

  // --- one entry read -----------------------------------------------------------------
  logic [63:0]  e;
  logic         e_leaf, e_fault;
  logic [2:0]   e_rights;
  logic [5:0]   e_ec;
  logic [3:0]   e_pkey;                   // bits 62:59 of a 4/5-level entry (the key if it is the leaf)
  logic [4:0]   e_shift;
  logic [63:0]  e_next, e_base;
  logic [4:0]   e_rmask, e_wmask;
  logic         e_arrives;
  assign e = esize4 ? {32'd0, mem_resp_rdata_i[31:0]} : mem_resp_rdata_i;
  // (evaluated only when an entry arrives: the FSM looks at it in no other cycle)
  assign e_arrives = (state_q == W_MEM) && mem_resp_valid_i;

  // reserved bits, leaf, combined rights, the key, the fault and its error code (proven in rtl/formal/)
  /* verilator lint_off PINCONNECTEMPTY */
  entry_check #(.MAXPHYADDR(MAXPHYADDR), .PK(PK)) u_entry_check (
    .en_i(e_arrives), .mode_i, .level_i(level_q), .e_i(e), .rights_i(rights_q),
    .access_i(acc_q), .cpl_i(cpl_q), .ac_i(ac_q), .implicit_i(imp_q),
    .wp_i, .smep_i, .smap_i, .nxe_i, .pse_i, .pae_i, .pk_i,
    .rsvd_o(), .leaf_o(e_leaf), .rights_o(e_rights), .pkey_o(e_pkey), .viol_o(), .fault_o(e_fault),
    .ec_o(e_ec)
  );
  /* verilator lint_on PINCONNECTEMPTY */

  // where the entry leads: next table, page base and size, the A/D writes a leaf needs
  always_comb begin : entry_use
    e_shift = '0;  e_next = '0;  e_base = '0;  e_rmask = '0;  e_wmask = '0;
    if (e_arrives) begin
    e_shift = (level_q == 3'd1) ? 5'd12 : (level_q == 3'd3) ? 5'd30 : esize4 ? 5'd22 : 5'd21;
    e_next = esize4 ? (e & 64'hffff_f000) : (e & PHYS);
    if (esize4)
      e_base = (e_shift == 5'd22) ? ((e & 64'hffc0_0000) | (64'(e[20:13]) << 32)) : (e & 64'hffff_f000);
    else
      e_base = e & PHYS & ~mmu_pkg::page_mask(e_shift);
    e_rmask = rmask_q | (5'd1 << (level_q - 3'd1));
    for (int l = 1; l <= 5; l++) begin
      if (l == 32'(level_q))
        e_wmask[l-1] = !e[mmu_pkg::PTE_BIT_A] || (acc_q == mmu_pkg::ACC_WRITE && !e[mmu_pkg::PTE_BIT_D]);
      else
        e_wmask[l-1] = e_rmask[l-1] && !ent_q[64*(l-1) + mmu_pkg::PTE_BIT_A];
    end
    end
  end

  // --- next state ---------------------------------------------------------------------
  // The FSM's rules load the registers directly, in priority order (a later rule wins):
  // each register changes only in the cycles a rule names, and nothing of it is
  // combinational, so the simulation evaluates it once per clock edge and not, as a
  // next-state block that reads the memory port would be, in every input evaluation.
  always_ff @(posedge clk_i) begin : fsm
    if (cnt_q != 8'd0) cnt_q <= cnt_q - 8'd1;

    if (gnt) begin
      port_q  <= gport;
      va_q    <= g_va;
      acc_q   <= miss_access_i[2*gport +: 2];
      cpl_q   <= miss_cpl_i[2*gport +: 2];
      ac_q    <= miss_ac_i[gport];
      imp_q   <= miss_implicit_i[gport];
      ddrop_q <= miss_ddrop_i[gport];
      fault_q <= mmu_pkg::FAULT_NONE;  ec_q <= '0;  pwc_hit_q <= '0;  nrd_q <= '0;  nwr_q <= '0;
      rmask_q <= '0;  wmask_q <= '0;  wphase_q <= 1'b0;  shift_q <= '0;
      state_q <= W_L2;
      cnt_q   <= 8'(L2_LAT - 1);
    end

    if (l2_cmp) begin
      if (l2_usable) state_q <= W_IDLE;
      else if (l2_hit_i && l2_dirty_drop) ddrop_q <= 1'b1;
    end

    if (start) begin
      rights_q <= 3'b011;
      cnt_q    <= p_lat + 8'(WALK_OVERHEAD - 1);
      state_q  <= W_PRE;
      if (pwc_hit_level_i != 3'd0) begin
        pwc_hit_q <= pwc_hit_level_i;
        level_q   <= pwc_hit_level_i - 3'd1;
        table_q   <= pwc_hit_base_i;
        rights_q  <= pwc_hit_rights_i;
      end else if (mode_i == mmu_pkg::PAGING_PAE) begin
        level_q <= 3'd2;
        table_q <= pdpte_sel & PHYS;
        if (!pdpte_sel[mmu_pkg::PTE_BIT_P]) begin            // not-present PDPTE register: no memory read
          state_q <= W_FIN;
          fault_q <= mmu_pkg::FAULT_PF;
          ec_q    <= mmu_pkg::pf_error_code(gnt ? miss_access_i[2*gport +: 2] : acc_q,
                                  gnt ? miss_cpl_i[2*gport +: 2] : cpl_q,
                                  gnt ? miss_implicit_i[gport] : imp_q,
                                  1'b0, 1'b0, smep_i, pae_i, nxe_i,
                                  1'b0, 4'd0, wp_i, pk_i.pke, pk_i.pks, pk_i.pkru, pk_i.pkrs);
        end
      end else begin
        level_q <= (mode_i == mmu_pkg::PAGING_5LEVEL) ? 3'd5 : (mode_i == mmu_pkg::PAGING_4LEVEL) ? 3'd4 : 3'd2;
        table_q <= esize4 ? (cr3_i & 64'hffff_f000) : (cr3_i & PHYS);
      end
    end

    if (mem_req_valid_o && mem_req_ready_i) state_q <= W_MEM;

    if (state_q == W_MEM && mem_resp_valid_i) begin
      cnt_q   <= 8'(WALK_OVERHEAD - 1);
      state_q <= W_PRE;
      if (wphase_q) begin                   // an A/D write done
        nwr_q   <= nwr_q + 4'd1;
        wmask_q <= wmask_left;
        if (wmask_left == '0) state_q <= W_FIN;
      end else begin                        // an entry read
        nrd_q <= nrd_q + 4'd1;
        rat_q[3*(32'(level_q)-1) +: 3] <= e_rights;
        rmask_q  <= e_rmask;
        rights_q <= e_rights;
        if (e_fault) begin
          state_q <= W_FIN;
          fault_q <= mmu_pkg::FAULT_PF;
          ec_q    <= e_ec;
        end else if (e_leaf) begin
          shift_q  <= e_shift;
          frame_q  <= e_base;
          g_q      <= e[mmu_pkg::PTE_BIT_G] && pge_i;
          pkey_q   <= e_pkey;
          dirty_q  <= e[mmu_pkg::PTE_BIT_D] || (acc_q == mmu_pkg::ACC_WRITE);
          wmask_q  <= e_wmask;
          wphase_q <= 1'b1;
          if (e_wmask == '0) state_q <= W_FIN;
        end else begin
          table_q <= e_next;
          level_q <= level_q - 3'd1;
        end
      end
    end

    if (state_q == W_FIN && cnt_q == 8'd0) state_q <= W_IDLE;

    if (rst_i) begin
      state_q <= W_IDLE;
      cnt_q   <= '0;
    end
  end

  // an entry read: its value and address, at its level
  assign ent_we = (state_q == W_MEM) && mem_resp_valid_i && !wphase_q;
  always_ff @(posedge clk_i) begin
    if (ent_we) begin
      ent_q[64*(32'(level_q)-1) +: 64]   <= e;
      eaddr_q[64*(32'(level_q)-1) +: 64] <= rd_addr;
    end
  end

  // --- completion ----------------------------------------------------------------------
  logic fin, fin_ok;
  logic [2:0] leaf_level;
  assign fin        = (state_q == W_FIN) && (cnt_q == 8'd0);
  assign fin_ok     = fin && (fault_q == mmu_pkg::FAULT_NONE);
  assign leaf_level = level_q;

  assign resp_valid_o        = (l2_cmp && l2_usable) || fin;
  assign resp_port_o         = port_q;

  // fills: an L2 hit refills the L1 with the L2 entry; a successful walk fills both
  assign l1_fill_o    = (l2_cmp && l2_usable) || fin_ok;
  assign l2_fill_o    = fin_ok && (HAS_L2 != 0);

  // The response's and the fill's fields, looked at only with resp_valid_o (every fill
  // comes with a response): the simulation skips them in other cycles.
  always_comb begin : respond
    logic [4:0] l2_shift;
    l2_shift = '0;
    resp_o = '0;
    resp_o.walked       = fin;
    resp_o.dirty_assist = ddrop_q;
    fill_entry_o = '0;
    fill_entry_o.va = va_q[56:0];
    if (fin) begin
      resp_o.pa         = fin_ok ? (frame_q | (va_q & mmu_pkg::page_mask(shift_q))) : 64'd0;
      resp_o.fault      = fault_q;
      resp_o.ec         = ec_q;
      resp_o.tlb_hit    = mmu_pkg::TLB_HIT_NONE;
      resp_o.pwc_hit    = pwc_hit_q;
      resp_o.page_shift = fin_ok ? shift_q : 5'd0;
      resp_o.mem_reads  = nrd_q;
      resp_o.mem_writes = nwr_q;
      fill_entry_o.cls   = (shift_q == 5'd12) ? mmu_pkg::PSC_4K : (shift_q == 5'd30) ? mmu_pkg::PSC_1G :
                           mmu_pkg::PSC_2M;
      fill_entry_o.frame = frame_q;
      fill_entry_o.pcid  = pcid_i;
      fill_entry_o.rw    = rights_q[0];
      fill_entry_o.us    = rights_q[1];
      fill_entry_o.xd    = rights_q[2];
      fill_entry_o.g     = g_q;
      fill_entry_o.dirty = dirty_q;
      fill_entry_o.pkey  = pkey_q;
    end else if (resp_valid_o) begin         // an L2 hit
      l2_shift          = mmu_pkg::class_shift(l2_hit_cls_i, mode_i);
      resp_o.pa         = l2_hit_frame_i | (va_q & mmu_pkg::page_mask(l2_shift));
      resp_o.tlb_hit    = mmu_pkg::TLB_HIT_L2;
      resp_o.page_shift = l2_shift;
      fill_entry_o.cls   = l2_hit_cls_i;
      fill_entry_o.frame = l2_hit_frame_i;
      fill_entry_o.pcid  = l2_hit_pcid_i;
      fill_entry_o.rw    = l2_hit_rw_i;
      fill_entry_o.us    = l2_hit_us_i;
      fill_entry_o.xd    = l2_hit_xd_i;
      fill_entry_o.g     = l2_hit_g_i;
      fill_entry_o.dirty = l2_hit_dirty_i;
      fill_entry_o.pkey  = l2_hit_pkey_i;
    end
  end

  // every non-leaf entry read goes into its level's cache
  for (genvar i = 0; i < 4; i++) begin : g_pwc_fill
    localparam int L = i + 2;
    logic [63:0] ent;
    assign ent = ent_q[64*(L-1) +: 64];
    assign pwc_fill_o[i] = fin_ok && rmask_q[L-1] && (leaf_level < 3'(L));
    assign pwc_fill_base_o[64*i +: 64] = !fin_ok ? 64'd0 : esize4 ? (ent & 64'hffff_f000) : (ent & PHYS);
    assign pwc_fill_rights_o[3*i +: 3] = rat_q[3*(L-1) +: 3];
  end

  assign pwc_inv_va_o = fin && (fault_q == mmu_pkg::FAULT_PF);
  assign pf_o         = fin && (fault_q == mmu_pkg::FAULT_PF);
  assign pf_va_o      = va_q;

  assign busy_o       = (state_q != W_IDLE);
  assign ev_l2_hit_o  = l2_cmp && l2_usable;
  assign ev_l2_miss_o = l2_cmp && !l2_usable;
  assign ev_walk_o    = start;
  assign ev_pwc_hit_o = start ? pwc_hit_level_i : 3'd0;

endmodule
