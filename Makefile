# mmulab — top-level build.
# The README's two set-up commands are `make run` and `make test`; both first
# make sure the Debian packages they need are present (tools/deps.sh).
#
# Two C builds side by side:
#   build/rel  -O2, for `make run`, `make bench` and the mmulab tool
#   build/san  ASan + UBSan, for `make test`

SHELL  := /bin/bash
BUILD  ?= build
CC     ?= gcc
SEED   ?= 1

WARN       := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
INCS       := -Imodel -Isim -Isim/os
REL_CFLAGS := $(WARN) -O2 -g
SAN_CFLAGS := $(WARN) -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LIBS       := -lcjson -lm

MODEL_SRC    := $(wildcard model/*.c)
SIM_SRC      := $(filter-out sim/mmulab.c,$(wildcard sim/*.c)) $(wildcard sim/os/*.c)
LIB_SRC      := $(MODEL_SRC) $(SIM_SRC)
TEST_SUPPORT := $(filter-out tests/unit/test_%.c,$(wildcard tests/unit/*.c))
UNIT_TESTS   := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))

rel_obj = $(patsubst %.c,$(BUILD)/rel/%.o,$(1))
san_obj = $(patsubst %.c,$(BUILD)/san/%.o,$(1))

.PHONY: all run test bench deps unit scripts clean help params
.SECONDARY:

# Test executables run by `make test`, and dependency groups of tools/deps.sh;
# fragments in mk/ (RTL, co-simulation, ...) extend both.
OS_TESTS    := $(patsubst tests/sim/os/%.c,%,$(wildcard tests/sim/os/test_*.c))
TEST_BINS   := $(addprefix $(BUILD)/san/tests/,$(UNIT_TESTS)) $(addprefix $(BUILD)/san/tests/os/,$(OS_TESTS))
DEPS_GROUPS := base
# `make run`: the model alone, unless a fragment (mk/rtl.mk) runs it in lockstep with the RTL.
RUN_MMULAB  := $(BUILD)/rel/mmulab
RUN_ARGS    :=
MK_FRAGMENTS ?= $(wildcard mk/*.mk)
-include $(MK_FRAGMENTS)

all: $(BUILD)/rel/mmulab

help:
	@echo "make run       seeded workload in lockstep (model vs RTL), readable summary"
	@echo "make test      the whole test suite (sanitizer build, RTL tests, co-simulation smoke)"
	@echo "make bench     model, rtl and cosim throughput"
	@echo "make params    the parameter table (defaults and ranges)"
	@echo "make lint      verilator --lint-only -Wall on every RTL build"
	@echo "make fpga      Yosys + nextpnr-ice40 figures, compared with docs/fpga-baseline.json"
	@echo "make regress   SEEDS=N [-jN] lockstep random regression, JUnit XML (REGRESS_BACKEND=cosim|rtl|model)"
	@echo "make coverage  RTL line/toggle coverage over a co-simulation regression"
	@echo "make rtl-tool  build/rtl/default/mmulab (model, rtl and cosim backends)"

deps:
	@tools/deps.sh $(DEPS_GROUPS)

$(BUILD)/rel/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) $(INCS) -MMD -MP -c $< -o $@

$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) $(INCS) -MMD -MP -c $< -o $@

# The model and the driver as one archive per build variant.
$(BUILD)/rel/libmmulab.a: $(call rel_obj,$(LIB_SRC))
	rm -f $@; ar rcs $@ $^

$(BUILD)/san/libmmulab.a: $(call san_obj,$(LIB_SRC))
	rm -f $@; ar rcs $@ $^

$(BUILD)/rel/mmulab: $(call rel_obj,sim/mmulab.c) $(BUILD)/rel/libmmulab.a
	$(CC) $(REL_CFLAGS) $^ -o $@ $(LIBS)

$(BUILD)/san/mmulab: $(call san_obj,sim/mmulab.c) $(BUILD)/san/libmmulab.a
	$(CC) $(SAN_CFLAGS) $^ -o $@ $(LIBS)

$(BUILD)/san/tests/%: $(call san_obj,tests/unit/%.c $(TEST_SUPPORT)) $(BUILD)/san/libmmulab.a
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) $^ -o $@ $(LIBS) -lcmocka

$(BUILD)/san/tests/os/%: $(call san_obj,tests/sim/os/%.c) $(BUILD)/san/libmmulab.a
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) $^ -o $@ $(LIBS) -lcmocka

$(BUILD)/rel/bench_model: $(call rel_obj,bench/bench_model.c) $(BUILD)/rel/libmmulab.a
	$(CC) $(REL_CFLAGS) $^ -o $@ $(LIBS)

# --- the two set-up commands -------------------------------------------------

run: deps $(RUN_MMULAB)
	$(RUN_MMULAB) demo --seed $(SEED) $(RUN_ARGS)

test: deps $(BUILD)/san/mmulab $(TEST_BINS)
	@tests/run.sh $(BUILD)/san/mmulab $(TEST_BINS)

# --- the rest ---------------------------------------------------------------

bench: deps $(BUILD)/rel/bench_model
	$(BUILD)/rel/bench_model

params: $(BUILD)/rel/mmulab
	@$(BUILD)/rel/mmulab params

clean:
	rm -rf $(BUILD)

# dependency files of our C objects (not Verilator's, under build/rtl)
-include $(shell find $(BUILD)/rel $(BUILD)/san -name '*.d' 2>/dev/null)
