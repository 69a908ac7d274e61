// mmu_fpga_wrap: a board-level stand-in used only by `make fpga` to place and route
// mmu_top in a 256-pin package. The MMU has ~1100 I/O bits; here every input comes
// from one serially loaded 64-bit register (so no logic is constant-folded away) and
// all outputs fold into an XOR-reduced 8-bit register. Parameters pass through (chparam).
module mmu_fpga_wrap (
  input  logic       clk_i,
  input  logic       rst_i,
  input  logic       sin_i,          // serial data into the stimulus register
  input  logic [7:0] ctl_i,          // valids, readies and the access code
  output logic [7:0] sig_o
);
  logic [63:0] sh_q;
  always_ff @(posedge clk_i) sh_q <= {sh_q[62:0], sin_i};

  logic d_ready, i_ready, c_ready, mem_valid, mem_write, c_valid, c_gp, c_ud;
  logic [31:0] pkru, pkrs;
  logic [1:0] d_fault, i_fault, d_hit, i_hit;
  logic [63:0] d_pa, i_pa, d_cr2, i_cr2, mem_addr, mem_wdata, cr0, cr2, cr3, cr4, efer;
  logic [5:0] d_ec, i_ec;
  logic [2:0] d_pwc, i_pwc, mode;
  logic [4:0] d_shift, i_shift;
  logic d_v, i_v, d_w, i_w, d_da, i_da;
  logic [3:0] d_r, i_r, d_wr, i_wr, mem_size;
  logic [255:0] pdpte;
  logic [11:0] pcid;
  logic [31:0] p0, p1, p2, p3, p4, p5, p6, p7;
  logic [127:0] p8;
  logic [19:0] tv;
  logic [8:0] pv;

  mmu_top u_mmu (
    .clk_i, .rst_i,
    .d_req_valid_i(ctl_i[0]), .d_req_ready_o(d_ready), .d_req_va_i(sh_q), .d_req_access_i(ctl_i[6:5]),
    .d_req_cpl_i(sh_q[1:0]), .d_req_ac_i(sh_q[2]), .d_req_implicit_i(sh_q[3]),
    .d_resp_valid_o(d_v), .d_resp_pa_o(d_pa), .d_resp_fault_o(d_fault), .d_resp_error_code_o(d_ec),
    .d_resp_cr2_o(d_cr2), .d_resp_tlb_hit_o(d_hit), .d_resp_pwc_hit_o(d_pwc), .d_resp_page_shift_o(d_shift),
    .d_resp_walked_o(d_w), .d_resp_dirty_assist_o(d_da), .d_resp_mem_reads_o(d_r), .d_resp_mem_writes_o(d_wr),
    .i_req_valid_i(ctl_i[1]), .i_req_ready_o(i_ready), .i_req_va_i({sh_q[31:0], sh_q[63:32]}),
    .i_req_access_i(2'd2), .i_req_cpl_i(sh_q[5:4]), .i_req_ac_i(1'b0), .i_req_implicit_i(1'b0),
    .i_resp_valid_o(i_v), .i_resp_pa_o(i_pa), .i_resp_fault_o(i_fault), .i_resp_error_code_o(i_ec),
    .i_resp_cr2_o(i_cr2), .i_resp_tlb_hit_o(i_hit), .i_resp_pwc_hit_o(i_pwc), .i_resp_page_shift_o(i_shift),
    .i_resp_walked_o(i_w), .i_resp_dirty_assist_o(i_da), .i_resp_mem_reads_o(i_r), .i_resp_mem_writes_o(i_wr),
    .ctrl_req_valid_i(ctl_i[2]), .ctrl_req_ready_o(c_ready), .ctrl_req_kind_i(sh_q[10:8]),
    .ctrl_req_value_i(sh_q), .ctrl_req_va_i({sh_q[15:0], sh_q[63:16]}), .ctrl_req_invpcid_type_i(sh_q[63:32]),
    .ctrl_req_pcid_i({52'd0, sh_q[27:16]}), .ctrl_resp_valid_o(c_valid), .ctrl_resp_gp_o(c_gp),
    .ctrl_resp_ud_o(c_ud),
    .mem_req_valid_o(mem_valid), .mem_req_ready_i(ctl_i[3]), .mem_req_addr_o(mem_addr),
    .mem_req_write_o(mem_write), .mem_req_size_o(mem_size), .mem_req_wdata_o(mem_wdata),
    .mem_resp_valid_i(ctl_i[4]), .mem_resp_rdata_i({sh_q[7:0], sh_q[63:8]}),
    .cr0_o(cr0), .cr2_o(cr2), .cr3_o(cr3), .cr4_o(cr4), .efer_o(efer), .pdpte_o(pdpte), .mode_o(mode),
    .pcid_o(pcid), .pkru_o(pkru), .pkrs_o(pkrs), .perf_itlb_hits_o(p0), .perf_itlb_misses_o(p1), .perf_dtlb_hits_o(p2),
    .perf_dtlb_misses_o(p3), .perf_l2_hits_o(p4), .perf_l2_misses_o(p5), .perf_walks_o(p6),
    .perf_walk_cycles_o(p7), .perf_pwc_hits_o(p8), .tlb_valid_o(tv), .pwc_valid_o(pv)
  );

  always_ff @(posedge clk_i)
    sig_o <= {^{d_ready, i_ready, c_ready, c_valid, c_gp, c_ud, pkru, pkrs},
              ^{d_v, d_pa, d_fault, d_ec, d_cr2, d_hit, d_pwc, d_shift, d_w, d_da, d_r, d_wr},
              ^{i_v, i_pa, i_fault, i_ec, i_cr2, i_hit, i_pwc, i_shift, i_w, i_da, i_r, i_wr},
              ^{mem_valid, mem_addr, mem_write, mem_size, mem_wdata},
              ^{cr0, cr2, cr3, cr4, efer}, ^pdpte, ^{mode, pcid, tv, pv},
              ^{p0, p1, p2, p3, p4, p5, p6, p7, p8}};
endmodule
