# Co-simulation extras (docs/verification.md): the planted-bug check, waveforms of a
# mismatch, RTL code coverage and the backends' throughput. Included by the top Makefile
# *before* mk/regress.mk and mk/rtl.mk: targets and prerequisites here spell out
# $(BUILD)/rtl/... (rtl.mk's RTL_B does not exist yet when they are read); recipes use
# rtl.mk's variables, which are expanded when the recipes run.
#
#   make cosim-bug       $(BUILD)/rtl/bug/mmulab: the default configuration Verilated with
#                        +define+MMU_PLANTED_BUG=1 (INVLPG keeps global entries); make test
#                        runs tests/cosim/planted_bug.sh on it and its trace variant (it must
#                        FAIL with a MISMATCH, replay lines and the waveform of the mismatch)
#   make cosim-trace     $(BUILD)/rtl/default/mmulab-trace: --trace-fst variant of the RTL tool,
#                        for `--trace FILE.fst [--trace-from C]` on `run` and `random`
#   make coverage [COV_SEEDS=200] [COV_OPS=2000] [COV_JOBS=N]
#                        --coverage (line + toggle) variant, a seeded cosim regression on it,
#                        merged .dat, lcov info, annotated sources, figures + functional table
#   make bench           also runs bench-backends: ops/s and simulated cycles/s of model, rtl,
#                        cosim on the same seeded streams
#
# PLANTED_BUG_TEST=0 keeps the planted-bug check out of `make test`.

CO_B             := $(BUILD)/rtl
PLANTED_BUG_TEST ?= 1
COV_SEEDS        ?= 200
COV_OPS          ?= 2000
COV_JOBS         ?= $(shell nproc 2>/dev/null || echo 2)
COV_DIR          := $(BUILD)/coverage
CO_TOOL_SRC      := sim/cli/mmulab.c $(wildcard sim/rtl/*.c)

.PHONY: cosim-bug cosim-trace coverage bench-backends

# --- the planted bug: rtl.mk's pattern rules over a params.vf with one more line --------
$(CO_B)/bug/params.vf: $(CO_B)/default/params.vf
	@mkdir -p $(dir $@)
	{ cat $<; echo '+define+MMU_PLANTED_BUG=1'; } > $@.tmp && mv $@.tmp $@

$(CO_B)/bug/rtl_params.h: $(CO_B)/default/rtl_params.h
	@mkdir -p $(dir $@)
	cp $< $@

# Pattern-rule products are kept by the top Makefile's catch-all `.SECONDARY:`.

cosim-bug: $(CO_B)/bug/mmulab

ifeq ($(PLANTED_BUG_TEST),1)
TEST_BINS += $(BUILD)/san/tests/planted_bug
endif

$(BUILD)/san/tests/planted_bug: mk/cosim.mk tests/cosim/planted_bug.sh $(CO_B)/bug/mmulab $(CO_B)/bug/mmulab-trace \
                                $(CO_B)/default/mmulab
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec tests/cosim/planted_bug.sh %s %s\n' '$(CO_B)/bug/mmulab' '$(CO_B)/default/mmulab' > $@
	chmod +x $@

# --- the command-line rules of the RTL tools (up-front config check, --trace errors) -----
TEST_BINS += $(BUILD)/san/tests/sim/cli/cli_rules_rtl
$(BUILD)/san/tests/sim/cli/cli_rules_rtl: tests/sim/cli/cli_rules_rtl.sh $(CO_B)/default/mmulab-san $(CO_B)/default/mmulab-trace
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec tests/sim/cli/cli_rules_rtl.sh %s %s\n' '$(CO_B)/default/mmulab-san' '$(CO_B)/default/mmulab-trace' > $@
	chmod +x $@

# --- waveforms: the RTL tool over rtl.mk's trace library ---------------------------------
$(CO_B)/%/mmulab-trace: $(call rel_obj,$(CO_TOOL_SRC)) $(BUILD)/rel/libmmulab.a $(CO_B)/%/librtl_trace.a
	$(RTL_CXX) -O2 $(call rel_obj,$(CO_TOOL_SRC)) $(BUILD)/rel/libmmulab.a \
	  $(CO_B)/$*/librtl_trace.a $(CO_B)/$*/librtl_trace_model.a -o $@ $(RTL_LDLIBS)

cosim-trace: $(CO_B)/default/mmulab-trace

# --- RTL code coverage -----------------------------------------------------------------
# Its own Verilated library: --coverage (line + toggle), the coverage runtime, and the shim
# built with RTL_COVERAGE (it writes one .dat per simulation into $MMULAB_RTL_COVERAGE_DIR).
$(CO_B)/cov/params.vf: $(CO_B)/default/params.vf
	@mkdir -p $(dir $@)
	cp $< $@
$(CO_B)/cov/rtl_params.h: $(CO_B)/default/rtl_params.h
	@mkdir -p $(dir $@)
	cp $< $@

$(CO_B)/cov/librtl.a: $(wildcard rtl/*.sv) sim/rtl/rtl_shim.cpp sim/rtl/rtl_shim.h $(CO_B)/cov/params.vf $(CO_B)/cov/rtl_params.h
	@tools/deps.sh rtl
	$(VERILATOR) $(VL_FLAGS) --coverage-line --coverage-toggle -Mdir $(CO_B)/cov/obj -f $(CO_B)/cov/params.vf $(RTL_SRC)
	$(MAKE) -s -j$(COV_JOBS) -C $(CO_B)/cov/obj -f Vmmu_top.mk OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1 \
	  Vmmu_top__ALL.a verilated.o verilated_threads.o verilated_cov.o
	$(RTL_CXX) $(RTL_CXXFLAGS) -I$(CO_B)/cov/obj -DRTL_PARAMS_H='"$(abspath $(CO_B)/cov)/rtl_params.h"' \
	  -DVM_COVERAGE=1 -DRTL_COVERAGE -c sim/rtl/rtl_shim.cpp -o $(CO_B)/cov/obj/rtl_shim.o
	rm -f $@ && ar rcs $@ $(addprefix $(CO_B)/cov/obj/,rtl_shim.o verilated.o verilated_threads.o verilated_cov.o)
	cp $(CO_B)/cov/obj/Vmmu_top__ALL.a $(CO_B)/cov/librtl_model.a

coverage: $(CO_B)/cov/mmulab
	@COV_JOBS=$(COV_JOBS) tools/cosim_coverage.sh $(CO_B)/cov/mmulab $(COV_DIR) $(COV_SEEDS) $(COV_OPS)

# --- throughput of the three backends on the same streams -------------------------------
$(CO_B)/default/bench_backends: $(call rel_obj,sim/bench/bench_backends.c $(wildcard sim/rtl/*.c)) \
                                 $(BUILD)/rel/libmmulab.a $(CO_B)/default/librtl.a
	$(RTL_CXX) -O2 $(call rel_obj,sim/bench/bench_backends.c $(wildcard sim/rtl/*.c)) \
	  $(BUILD)/rel/libmmulab.a $(CO_B)/default/librtl.a $(CO_B)/default/librtl_model.a -o $@ $(RTL_LDLIBS)

bench-backends: $(CO_B)/default/bench_backends
	$(CO_B)/default/bench_backends

bench: bench-backends

# make run: the default experiment in lockstep, model against RTL (Makefile: RUN_MMULAB/RUN_ARGS)
RUN_MMULAB := $(BUILD)/rtl/default/mmulab
RUN_ARGS   := --backend cosim
