# Random regressions of `mmulab random` (docs/verification.md). Included by the top Makefile.
#
#   make regress [SEEDS=200] [REGRESS_OPS=2000] [REGRESS_BACKEND=model|rtl|cosim]
#                [REGRESS_MMULAB=path] [REGRESS_ARGS='--config configs/small.cfg'] [REGRESS_JOBS=N]
#       seeds 1..SEEDS in parallel chunks (tools/regress.sh, xargs -P): $(BUILD)/regress/junit.xml
#       (one testcase per seed, random.SEED), coverage.json/.txt (merged, with the holes), and the
#       script logs of failing seeds in logs/. The rtl and cosim backends need an mmulab linked
#       with the RTL: point REGRESS_MMULAB at it.
#   make regress-smoke   the short regression that `make test` runs (smoke_random below)
#
# RANDOM_SMOKE=0 keeps the smoke regression out of `make test`.

SEEDS           ?= 200
REGRESS_OPS     ?= 2000
REGRESS_BACKEND ?= model
REGRESS_MMULAB  ?= $(BUILD)/rel/mmulab
REGRESS_ARGS    ?=
REGRESS_JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
REGRESS_CHUNK   ?= 20
RANDOM_SMOKE    ?= 1
SMOKE_BACKEND   ?= model
SMOKE_MMULAB    ?= $(BUILD)/san/mmulab

.PHONY: regress regress-smoke

regress: $(REGRESS_MMULAB)
	@REGRESS_JOBS=$(REGRESS_JOBS) REGRESS_CHUNK=$(REGRESS_CHUNK) tools/regress.sh run $(REGRESS_MMULAB) \
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
