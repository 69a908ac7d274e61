# mmulab — top-level build.
# The README's two set-up commands are `make run` and `make test`; both first
# make sure the Debian packages they need are present (tools/deps.sh).
#
# Two C builds side by side:
#   build/rel  -O2, for `make run`, `make bench` and the mmulab tool
#   build/san  ASan + UBSan, for `make test`

SHELL  := /bin/bash
# `make test` and `make run` use every CPU unless the command line says -jN (CI and the README run
# them as they are; the RTL builds dominate and parallelise well). -j1 gives a serial build.
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif
BUILD  ?= build
CC     ?= gcc
SEED   ?= 1

WARN       := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
REL_CFLAGS := $(WARN) -O2 -g
SAN_CFLAGS := $(WARN) -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LIBS       := -lcjson -lm -lz -llzma -lzstd

rel_obj = $(patsubst %.c,$(BUILD)/rel/%.o,$(1))
san_obj = $(patsubst %.c,$(BUILD)/san/%.o,$(1))

# --- sources, per folder (docs/architecture.md) ---------------------------------------
# Every folder sim/NAME/ is found on disk, so a new one is built without editing this file.
# Its C goes into libmmulab.a, except the folders linked only against the Verilated RTL
# (SIM_RTL_DIRS, mk/rtl.mk) and the programs with a main() (SIM_MAINS). Includes are by bare
# file name: model/ and every sim/ folder are on the include path, so a file can move
# between folders without rewriting an #include.
SIM_DIRS     := $(sort $(patsubst %/,%,$(dir $(wildcard sim/*/*.c sim/*/*.h sim/*/*.cpp))))
SIM_RTL_DIRS := sim/rtl
SIM_MAINS    := sim/cli/mmulab.c $(wildcard sim/bench/*.c)
SIM_SRC      := $(filter-out $(SIM_MAINS),$(wildcard $(addsuffix /*.c,$(filter-out $(SIM_RTL_DIRS),$(SIM_DIRS)))))
# sim/ holds folders of sources, one level deep; a source anywhere else would compile into nothing
SIM_STRAY    := $(wildcard sim/*.c sim/*.h sim/*/*/*.c sim/*/*/*.h)
ifneq ($(SIM_STRAY),)
$(error sources outside a sim/NAME/ folder are not built: $(SIM_STRAY))
endif
MODEL_SRC    := $(wildcard model/*.c)
LIB_SRC      := $(MODEL_SRC) $(SIM_SRC)
INCS         := -Imodel $(addprefix -I,$(SIM_DIRS)) -I$(BUILD)/gen

# Tests mirror the tree: tests/model/test_*.c and tests/sim/FOLDER/test_*.c are cmocka
# executables $(BUILD)/san/tests/model/test_X, .../sim/FOLDER/test_X; tests/support/ is linked
# into each of them.
TEST_SRC     := $(wildcard tests/model/test_*.c tests/sim/*/test_*.c)
TEST_SUPPORT := $(wildcard tests/support/*.c)
UNIT_TESTS   := $(patsubst tests/%.c,%,$(TEST_SRC))
$(call san_obj,$(TEST_SRC) $(TEST_SUPPORT)): INCS += -Itests/support


.PHONY: all run test test-clang bench deps unit scripts clean help params
.SECONDARY:

# Test executables run by `make test`, and dependency groups of tools/deps.sh;
# fragments in mk/ (RTL, co-simulation, ...) extend both.
TEST_BINS   := $(addprefix $(BUILD)/san/tests/,$(UNIT_TESTS))
DEPS_GROUPS := base
# `make run`: the default experiment (experiments/default.ini) on the model alone, unless a
# fragment (mk/cosim.mk) runs it in lockstep with the RTL. RUN_JOBS points at once; the report
# goes to RUN_OUT/index.html.
RUN_MMULAB  := $(BUILD)/rel/mmulab
RUN_ARGS    :=
RUN_JOBS    ?= 2
RUN_OUT     ?= results/default
# Environment of tests/run.sh (mk/rtl.mk adds MMULAB_COSIM: the scripts in lockstep too)
TEST_ENV    := TEST_JUNIT=$(BUILD)/tests/junit.xml
MK_FRAGMENTS ?= $(wildcard mk/*.mk)
-include $(MK_FRAGMENTS)

all: $(BUILD)/rel/mmulab

help:
	@echo "make run       the default experiment in lockstep (model vs RTL): table, verdict, HTML report"
	@echo "make test      the whole test suite (sanitizer build, RTL tests, co-simulation smoke)"
	@echo "make test-clang  unit tests, scripts and the random smoke under clang's ASan + UBSan"
	@echo "make fuzz      libFuzzer on the script and config readers, FUZZ_SECONDS (30) each"
	@echo "make bench     model, rtl and cosim throughput"
	@echo "make params    the parameter table (defaults and ranges)"
	@echo "make lint      verilator --lint-only -Wall on every RTL build"
	@echo "make fpga      Yosys + nextpnr-ice40 figures, compared with docs/fpga-baseline.json"
	@echo "make regress   SEEDS=N [-jN] lockstep random regression, JUnit XML (REGRESS_BACKEND=cosim|rtl|model)"
	@echo "make coverage  RTL line/toggle coverage over a co-simulation regression"
	@echo "make rtl-tool  build/rtl/default/mmulab (model, rtl and cosim backends)"

deps:
	@tools/deps.sh $(DEPS_GROUPS)

# The version (VERSION) and the git commit, for sim/core/version.c: rewritten only when they
# change, so an unchanged tree rebuilds nothing.
MMULAB_GIT = $(shell h=$$(git rev-parse --short=12 HEAD 2>/dev/null) && \
               { git diff --quiet HEAD 2>/dev/null && echo $$h || echo $$h-dirty; } || echo unknown)
.PHONY: FORCE
$(BUILD)/gen/mmulab_version.h: FORCE
	@mkdir -p $(dir $@)
	@printf '#define MMULAB_VERSION "%s"\n#define MMULAB_GIT "%s"\n' "$$(cat VERSION)" "$(MMULAB_GIT)" > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(call rel_obj,sim/core/version.c) $(call san_obj,sim/core/version.c): $(BUILD)/gen/mmulab_version.h

# Every compile waits for `deps` (order-only), so `make -jN test` on a fresh machine
# installs the packages before the first compiler needs their headers.
$(BUILD)/rel/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) $(INCS) -MMD -MP -c $< -o $@

$(BUILD)/san/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) $(INCS) -MMD -MP -c $< -o $@

# The model and the driver as one archive per build variant.
$(BUILD)/rel/libmmulab.a: $(call rel_obj,$(LIB_SRC))
	rm -f $@; ar rcs $@ $^

$(BUILD)/san/libmmulab.a: $(call san_obj,$(LIB_SRC))
	rm -f $@; ar rcs $@ $^

$(BUILD)/rel/mmulab: $(call rel_obj,sim/cli/mmulab.c) $(BUILD)/rel/libmmulab.a
	$(CC) $(REL_CFLAGS) $^ -o $@ $(LIBS)

$(BUILD)/san/mmulab: $(call san_obj,sim/cli/mmulab.c) $(BUILD)/san/libmmulab.a
	$(CC) $(SAN_CFLAGS) $^ -o $@ $(LIBS)

$(BUILD)/san/tests/%: $(call san_obj,tests/%.c $(TEST_SUPPORT)) $(BUILD)/san/libmmulab.a
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) $^ -o $@ $(LIBS) -lcmocka

$(BUILD)/rel/bench_model: $(call rel_obj,sim/bench/bench_model.c sim/bench/bench_trace.c) $(BUILD)/rel/libmmulab.a
	$(CC) $(REL_CFLAGS) $^ -o $@ $(LIBS)

# `mmulab backends` names what a binary has (mk/rtl.mk checks its RTL tools the same way)
TEST_BINS += $(BUILD)/san/tests/sim/cli/backends
$(BUILD)/san/tests/sim/cli/backends: tests/sim/cli/backends.sh $(BUILD)/san/mmulab
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec tests/sim/cli/backends.sh %s model\n' '$(BUILD)/san/mmulab' > $@
	chmod +x $@

# tools/regress.sh's JUnit XML: one suite per configuration/backend, totals, build, version
TEST_BINS += $(BUILD)/san/tests/sim/verif/regress_junit
$(BUILD)/san/tests/sim/verif/regress_junit: tests/sim/verif/regress_junit.sh tools/regress.sh $(BUILD)/san/mmulab
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec tests/sim/verif/regress_junit.sh %s\n' '$(BUILD)/san/mmulab' > $@
	chmod +x $@

# the command-line rules every subcommand shares: configuration order, --help, output files
TEST_BINS += $(BUILD)/san/tests/sim/cli/cli_rules
$(BUILD)/san/tests/sim/cli/cli_rules: tests/sim/cli/cli_rules.sh $(BUILD)/san/mmulab
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec tests/sim/cli/cli_rules.sh %s\n' '$(BUILD)/san/mmulab' > $@
	chmod +x $@

# --- the two set-up commands -------------------------------------------------

run: deps $(RUN_MMULAB)
	$(RUN_MMULAB) exp default -j $(RUN_JOBS) --out $(RUN_OUT) $(RUN_ARGS)

test: deps $(BUILD)/san/mmulab $(TEST_BINS)
	@$(TEST_ENV) tests/run.sh $(BUILD)/san/mmulab $(TEST_BINS)

# --- the rest ---------------------------------------------------------------

# The sanitizer test build again with clang (its UBSan checks what gcc's does not, e.g.
# float-to-integer casts): unit tests, the C-side scripts and the random smoke regression, in
# $(BUILD)/clang (the RTL fragments are left out: Verilator's C++ is built by g++).
test-clang: deps
	$(MAKE) BUILD=$(BUILD)/clang CC=clang MK_FRAGMENTS=mk/regress.mk test

bench: deps $(BUILD)/rel/bench_model
	$(BUILD)/rel/bench_model

params: $(BUILD)/rel/mmulab
	@$(BUILD)/rel/mmulab params

clean:
	rm -rf $(BUILD)

# dependency files of our C objects (not Verilator's, under build/rtl)
-include $(shell find $(BUILD)/rel $(BUILD)/san -name '*.d' 2>/dev/null)
