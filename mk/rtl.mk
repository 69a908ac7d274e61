# RTL: Verilator builds of rtl/ (one per configuration), lint, the FPGA flow and the
# RTL directed tests. Included by the top Makefile; see docs/rtl.md.
#
#   make lint        verilator --lint-only -Wall, default and small configuration
#   make fpga        yosys synth_ice40 + nextpnr-ice40 (configs/small.cfg), synth_xilinx (default)
#   make rtl         the Verilated libraries of every RTL configuration
#   make rtl-bench   cycles per second of the verilated default configuration
#   make rtl-trace   a trace-enabled build of the default configuration (FST waveforms)
#   make rtl-assert  the default configuration Verilated with --assert (every other build is
#                    --noassert): make test runs the directed RTL tests on it, and an assertion
#                    that fails aborts the simulation, so the test fails
#
# Parameters come from the one table: `mmulab params [--config F] --verilator-flags`.

RTL_SRC     := rtl/mmu_pkg.sv rtl/tlb_array.sv rtl/tlb.sv rtl/pwc_level.sv rtl/pwc.sv \
               rtl/entry_check.sv rtl/walker.sv rtl/mmu_ctrl.sv rtl/mmu_port.sv rtl/mmu_top.sv
RTL_B       := $(BUILD)/rtl
RTL_CONFIGS := default small random
VERILATOR   ?= verilator
VL_INC       = $(shell $(VERILATOR) --getenv VERILATOR_ROOT 2>/dev/null)/include
VL_FLAGS    := --cc -Wall --top-module mmu_top --x-assign fast --x-initial fast --noassert -O3
RTL_CXX     ?= g++
RTL_CXXFLAGS = -std=c++17 -O2 -g -I$(VL_INC) -I$(VL_INC)/vltstd -Isim/rtl
RTL_C_SRC   := sim/rtl/rtl_mmu.c
RTL_T_SRC   := $(wildcard tests/rtl/*.c)
RTL_LDLIBS   = $(LIBS) -lcmocka -lz -lpthread

DEPS_GROUPS += rtl
TEST_BINS   += $(foreach c,$(RTL_CONFIGS),$(RTL_B)/$(c)/test_rtl) $(RTL_B)/default/test_rtl_assert
# every directed script also runs in lockstep on the default build (tests/run.sh)
TEST_ENV    += MMULAB_COSIM=$(RTL_B)/default/mmulab-san
test: $(RTL_B)/default/mmulab-san

.PHONY: lint fpga rtl rtl-bench rtl-trace rtl-tool rtl-assert
# Pattern-rule products are kept by the top Makefile's catch-all `.SECONDARY:` (a listed
# .SECONDARY here would cancel it and make every run re-Verilate).

# default: params.def; every other build: configs/NAME.cfg
rtl_cfg_arg = $(if $(filter default,$(1)),,--config configs/$(1).cfg)

# -G flags of a configuration, and the same values for the shim (rtl_sim_param)
# (rewritten only when the flags change, so relinking mmulab does not re-Verilate every build)
$(RTL_B)/%/params.vf: $(BUILD)/rel/mmulab model/params.def $(wildcard configs/*.cfg)
	@mkdir -p $(dir $@)
	@$(BUILD)/rel/mmulab params $(call rtl_cfg_arg,$*) --verilator-flags > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@ && echo "rtl: parameters of $* changed"; fi

$(RTL_B)/%/rtl_params.h: $(RTL_B)/%/params.vf
	{ echo '#define RTL_PARAM_LIST \'; \
	  sed -E 's/^-G([A-Za-z0-9_]+)=(-?[0-9]+)$$/    RTL_PARAM(\1, \2) \\/' $<; echo; } > $@

# The Verilated model (-O2 per toolchain.md) and an archive of the runtime + shim;
# $(3) = extra Verilator flags (--trace-fst, or --assert, which overrides VL_FLAGS' --noassert),
# $(2) = object-dir suffix, $(4) = the archive.
rtl_trace = $(filter --trace-fst,$(1))
rtl_lib = $(VERILATOR) $(VL_FLAGS) $(3) -Mdir $(1)/obj$(2) -f $(1)/params.vf $(RTL_SRC) && \
	$(MAKE) -s -C $(1)/obj$(2) -f Vmmu_top.mk OPT_FAST=-O2 OPT_SLOW=-O1 OPT_GLOBAL=-O2 \
	  Vmmu_top__ALL.a verilated.o verilated_threads.o $(if $(call rtl_trace,$(3)),verilated_fst_c.o) && \
	$(RTL_CXX) $(RTL_CXXFLAGS) -I$(1)/obj$(2) -DRTL_PARAMS_H='"$(abspath $(1))/rtl_params.h"' \
	  $(if $(call rtl_trace,$(3)),-DRTL_TRACE) $(if $(filter --assert,$(3)),-DRTL_ASSERT) \
	  -c sim/rtl/rtl_shim.cpp -o $(1)/obj$(2)/rtl_shim.o && \
	rm -f $(4) && ar rcs $(4) $(1)/obj$(2)/rtl_shim.o $(1)/obj$(2)/verilated.o $(1)/obj$(2)/verilated_threads.o \
	  $(if $(call rtl_trace,$(3)),$(1)/obj$(2)/verilated_fst_c.o) && \
	cp $(1)/obj$(2)/Vmmu_top__ALL.a $(4:.a=_model.a)

$(RTL_B)/%/librtl.a: $(RTL_SRC) sim/rtl/rtl_shim.cpp sim/rtl/rtl_shim.h $(RTL_B)/%/params.vf $(RTL_B)/%/rtl_params.h
	@tools/deps.sh rtl
	+$(call rtl_lib,$(RTL_B)/$*,,,$@)

$(RTL_B)/%/librtl_trace.a: $(RTL_SRC) sim/rtl/rtl_shim.cpp sim/rtl/rtl_shim.h $(RTL_B)/%/params.vf $(RTL_B)/%/rtl_params.h
	@tools/deps.sh rtl
	+$(call rtl_lib,$(RTL_B)/$*,_trace,--trace-fst,$@)

$(RTL_B)/%/librtl_assert.a: $(RTL_SRC) sim/rtl/rtl_shim.cpp sim/rtl/rtl_shim.h $(RTL_B)/%/params.vf $(RTL_B)/%/rtl_params.h
	@tools/deps.sh rtl
	+$(call rtl_lib,$(RTL_B)/$*,_assert,--assert,$@)

# The directed tests: sanitizer-built C (tests, RTL backend, model) over the -O2 model
$(RTL_B)/%/test_rtl: $(call san_obj,$(RTL_T_SRC) $(RTL_C_SRC)) $(BUILD)/san/libmmulab.a $(RTL_B)/%/librtl.a
	$(RTL_CXX) -g -fsanitize=address,undefined $(call san_obj,$(RTL_T_SRC) $(RTL_C_SRC)) \
	  $(BUILD)/san/libmmulab.a $(RTL_B)/$*/librtl.a $(RTL_B)/$*/librtl_model.a -o $@ $(RTL_LDLIBS)

# ... and the same tests on the --assert build: the RTL's assertions run in every simulation
$(RTL_B)/%/test_rtl_assert: $(call san_obj,$(RTL_T_SRC) $(RTL_C_SRC)) $(BUILD)/san/libmmulab.a $(RTL_B)/%/librtl_assert.a
	$(RTL_CXX) -g -fsanitize=address,undefined $(call san_obj,$(RTL_T_SRC) $(RTL_C_SRC)) \
	  $(BUILD)/san/libmmulab.a $(RTL_B)/$*/librtl_assert.a $(RTL_B)/$*/librtl_assert_model.a -o $@ $(RTL_LDLIBS)

$(RTL_B)/%/bench_rtl: $(call rel_obj,sim/bench/bench_rtl.c $(RTL_C_SRC)) $(BUILD)/rel/libmmulab.a $(RTL_B)/%/librtl.a
	$(RTL_CXX) -O2 $(call rel_obj,sim/bench/bench_rtl.c $(RTL_C_SRC)) $(BUILD)/rel/libmmulab.a \
	  $(RTL_B)/$*/librtl.a $(RTL_B)/$*/librtl_model.a -o $@ $(RTL_LDLIBS)

# mmulab with the rtl and cosim backends (every C file of sim/rtl/) linked in, one per RTL
# configuration: build/rtl/CONFIG/mmulab (-O2) and mmulab-san (the C side under ASan/UBSan).
# The backends' factories are linked as objects: they override weak references.
RTL_BACKEND_SRC := $(wildcard sim/rtl/*.c)
RTL_TOOL_SRC := sim/cli/mmulab.c $(RTL_BACKEND_SRC)

$(RTL_B)/%/mmulab: $(call rel_obj,$(RTL_TOOL_SRC)) $(BUILD)/rel/libmmulab.a $(RTL_B)/%/librtl.a
	$(RTL_CXX) -O2 $(call rel_obj,$(RTL_TOOL_SRC)) $(BUILD)/rel/libmmulab.a \
	  $(RTL_B)/$*/librtl.a $(RTL_B)/$*/librtl_model.a -o $@ $(RTL_LDLIBS)

$(RTL_B)/%/mmulab-san: $(call san_obj,$(RTL_TOOL_SRC)) $(BUILD)/san/libmmulab.a $(RTL_B)/%/librtl.a
	$(RTL_CXX) -g -fsanitize=address,undefined $(call san_obj,$(RTL_TOOL_SRC)) $(BUILD)/san/libmmulab.a \
	  $(RTL_B)/$*/librtl.a $(RTL_B)/$*/librtl_model.a -o $@ $(RTL_LDLIBS)

rtl-tool: $(RTL_B)/default/mmulab

# the RTL tool says it has the three backends (tests/sim/cli/backends.sh)
TEST_BINS += $(BUILD)/san/tests/sim/cli/backends-rtl
$(BUILD)/san/tests/sim/cli/backends-rtl: tests/sim/cli/backends.sh $(RTL_B)/default/mmulab
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec tests/sim/cli/backends.sh %s "model rtl cosim"\n' '$(RTL_B)/default/mmulab' > $@
	chmod +x $@

# make test's smoke regression runs in co-simulation (mk/regress.mk)
SMOKE_BACKEND := cosim
SMOKE_MMULAB  := $(RTL_B)/default/mmulab-san
$(BUILD)/san/tests/smoke_random: $(SMOKE_MMULAB)

# (sim/rtl is on the include path of every C file: the top Makefile puts every sim/ folder there)

rtl: $(foreach c,$(RTL_CONFIGS),$(RTL_B)/$(c)/librtl.a)

rtl-trace: $(RTL_B)/default/librtl_trace.a

rtl-assert: $(RTL_B)/default/test_rtl_assert

rtl-bench: $(RTL_B)/default/bench_rtl
	$(RTL_B)/default/bench_rtl

lint: $(foreach c,$(RTL_CONFIGS),$(RTL_B)/$(c)/params.vf)
	@tools/deps.sh rtl
	@for c in $(RTL_CONFIGS); do \
	  echo "lint ($$c)"; \
	  $(VERILATOR) --lint-only -Wall --top-module mmu_top -f $(RTL_B)/$$c/params.vf $(RTL_SRC) || exit 1; \
	done

# --- FPGA: yosys + nextpnr (tools/deps.sh fpga) ---------------------------------------------------
# Every tool runs under `timeout` (FPGA_*_TIMEOUT seconds) and never fails the make: each step
# writes STEP.status ("ok 123 s", "timeout 600 s", "failed rc=N") and the report says which steps
# did not finish. The report compares the figures with docs/fpga-baseline.json and flags
# regressions (FPGA_STRICT=1: exit 1 on a regression or an unfinished step).
FPGA_YOSYS_TIMEOUT   ?= 600
FPGA_NEXTPNR_TIMEOUT ?= 600
FPGA_FREQ            ?= 50
FPGA_SEED            ?= 2
FPGA_B := $(RTL_B)/fpga
rtl_chparam = $(shell sed -E 's/^-G([A-Za-z0-9_]+)=(.*)$$/-set \1 \2/' $(1) | tr '\n' ' ')
# $(call fpga_step,NAME,TIMEOUT,COMMAND): run COMMAND under timeout, record NAME.status
fpga_step = t0=$$(date +%s); timeout $(2) $(3); rc=$$?; dt=$$(( $$(date +%s) - t0 )); \
	if [ $$rc -eq 0 ]; then echo "ok $$dt s" > $(FPGA_B)/$(1).status; \
	elif [ $$rc -eq 124 ]; then echo "timeout $(2) s" > $(FPGA_B)/$(1).status; \
	else echo "failed rc=$$rc after $$dt s" > $(FPGA_B)/$(1).status; fi; \
	echo "fpga $(1): $$(cat $(FPGA_B)/$(1).status)"

$(FPGA_B)/ice40.json: $(RTL_SRC) rtl/fpga/mmu_fpga_wrap.sv $(RTL_B)/small/params.vf
	@tools/deps.sh fpga
	@mkdir -p $(dir $@)
	@rm -f $@ $(FPGA_B)/ice40_stat.txt
	@$(call fpga_step,ice40_yosys,$(FPGA_YOSYS_TIMEOUT),yosys -q -l $(FPGA_B)/ice40_yosys.log -p "read_verilog -sv $(RTL_SRC) rtl/fpga/mmu_fpga_wrap.sv; \
	  chparam $(call rtl_chparam,$(RTL_B)/small/params.vf) -set PERF_W 16 mmu_top; \
	  synth_ice40 -top mmu_fpga_wrap -json $@; tee -q -o $(FPGA_B)/ice40_stat.txt stat") || true
	@grep -q '^ok' $(FPGA_B)/ice40_yosys.status || rm -f $@

$(FPGA_B)/ice40_pnr.json: $(FPGA_B)/ice40.json
	@rm -f $@
	@if [ -s $< ]; then \
	  $(call fpga_step,ice40_nextpnr,$(FPGA_NEXTPNR_TIMEOUT),nextpnr-ice40 --hx8k --package ct256 --json $< \
	    --report $@ --freq $(FPGA_FREQ) --seed $(FPGA_SEED) --timing-allow-fail --quiet -l $(FPGA_B)/nextpnr.log); \
	else echo "skipped (no netlist)" > $(FPGA_B)/ice40_nextpnr.status; fi
	@grep -q '^ok' $(FPGA_B)/ice40_nextpnr.status || rm -f $@

# What protection keys cost: configs/small.cfg synthesised again with the other PK value (synth_ice40
# only, no place and route); the report sets the two netlists side by side (LUT4, FF, CARRY, BRAM).
$(FPGA_B)/ice40_pk_other_stat.txt: $(RTL_SRC) rtl/fpga/mmu_fpga_wrap.sv $(RTL_B)/small/params.vf
	@tools/deps.sh fpga
	@mkdir -p $(dir $@)
	@rm -f $@
	@pk=$$(sed -n 's/^-GPK=//p' $(RTL_B)/small/params.vf); other=$$((1 - pk)); echo "PK=$$other" > $(FPGA_B)/ice40_pk_other.pk; \
	$(call fpga_step,ice40_pk_other_yosys,$(FPGA_YOSYS_TIMEOUT),yosys -q -l $(FPGA_B)/ice40_pk_other_yosys.log -p "read_verilog -sv $(RTL_SRC) rtl/fpga/mmu_fpga_wrap.sv; \
	  chparam $(call rtl_chparam,$(RTL_B)/small/params.vf) -set PERF_W 16 -set PK $$other mmu_top; \
	  synth_ice40 -top mmu_fpga_wrap; tee -q -o $@ stat") || true
	@grep -q '^ok' $(FPGA_B)/ice40_pk_other_yosys.status || rm -f $@

$(FPGA_B)/xilinx_stat.txt: $(RTL_SRC) $(RTL_B)/default/params.vf
	@tools/deps.sh fpga
	@mkdir -p $(dir $@)
	@rm -f $@
	@$(call fpga_step,xilinx_yosys,$(FPGA_YOSYS_TIMEOUT),yosys -q -l $(FPGA_B)/xilinx_yosys.log -p "read_verilog -sv $(RTL_SRC); \
	  chparam $(call rtl_chparam,$(RTL_B)/default/params.vf) mmu_top; \
	  synth_xilinx -top mmu_top; tee -q -o $@ stat") || true
	@grep -q '^ok' $(FPGA_B)/xilinx_yosys.status || rm -f $@

# one tool at a time (the machine is shared): the Xilinx estimate after the iCE40 place and route
fpga:
	@$(MAKE) --no-print-directory -j1 $(FPGA_B)/ice40_pnr.json
	@$(MAKE) --no-print-directory -j1 $(FPGA_B)/ice40_pk_other_stat.txt
	@$(MAKE) --no-print-directory -j1 $(FPGA_B)/xilinx_stat.txt
	@rtl/fpga/fpga_report.sh $(FPGA_B) docs/fpga-baseline.json $(if $(FPGA_STRICT),--strict)
