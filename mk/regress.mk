# Random regressions of `mmulab random` (docs/verification.md). Included by the top Makefile.
#
#   make regress [SEEDS=200|A..B] [SHARD=K/N] [REGRESS_OPS=2000] [REGRESS_BACKEND=cosim|rtl|model]
#                [REGRESS_MMULAB=path] [REGRESS_ARGS='--config configs/small.cfg'] [-jN | REGRESS_JOBS=N]
#       seeds 1..SEEDS in lockstep co-simulation (model vs the default RTL build) by default,
#       in parallel chunks (tools/regress.sh, xargs -P): as many at once as make's -jN says,
#       else one per CPU. Writes $(BUILD)/regress/junit.xml (one testcase per seed, random.SEED),
#       coverage.json/.txt (merged, with the holes), and the script logs and FST waveforms of
#       failing seeds in logs/. Another RTL configuration: REGRESS_MMULAB=$(BUILD)/rtl/small/mmulab
#       REGRESS_ARGS='--config configs/small.cfg'.
#   make regress-smoke   the short regression that `make test` runs (smoke_random below)
#
# RANDOM_SMOKE=0 keeps the smoke regression out of `make test`.

SEEDS           ?= 200
SHARD           ?=
REGRESS_OPS     ?= 2000
REGRESS_BACKEND ?= cosim
REGRESS_MMULAB  ?= $(BUILD)/rtl/default/mmulab
REGRESS_ARGS    ?=
# make -jN sets the parallelism (MAKEFLAGS holds "-jN"); a bare -j or none: one job per CPU
REGRESS_JOBS    ?= $(or $(patsubst -j%,%,$(filter -j%,$(MAKEFLAGS))),$(shell nproc 2>/dev/null || echo 2))
REGRESS_CHUNK   ?= 20
RANDOM_SMOKE    ?= 1
SMOKE_BACKEND   ?= model
SMOKE_MMULAB    ?= $(BUILD)/san/mmulab

.PHONY: regress regress-smoke

# (with the trace variant beside an RTL tool, so a failing seed leaves its waveform)
regress: deps $(REGRESS_MMULAB) $(if $(filter $(BUILD)/rtl/%/mmulab,$(REGRESS_MMULAB)),$(REGRESS_MMULAB)-trace)
	@REGRESS_JOBS=$(REGRESS_JOBS) REGRESS_CHUNK=$(REGRESS_CHUNK) SHARD=$(SHARD) tools/regress.sh run $(REGRESS_MMULAB) \
	  $(BUILD)/regress $(SEEDS) $(REGRESS_OPS) $(REGRESS_BACKEND) $(REGRESS_ARGS)

regress-smoke: $(SMOKE_MMULAB)
	@tools/regress.sh smoke $(SMOKE_MMULAB) $(SMOKE_BACKEND)

# The smoke regression as one test executable of `make test` (tests/run.sh runs it from the
# repository root): 300 seeds x 250 operations on the sanitizer build, replayed and rerun.
ifeq ($(RANDOM_SMOKE),1)
TEST_BINS += $(BUILD)/san/tests/smoke_random
endif

$(BUILD)/san/tests/smoke_random: mk/regress.mk tools/regress.sh $(SMOKE_MMULAB)
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec tools/regress.sh smoke %s %s\n' '$(SMOKE_MMULAB)' '$(SMOKE_BACKEND)' > $@
	chmod +x $@
