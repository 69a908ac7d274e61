# Experiments (sim/exp/, docs/experiments.md): the runner's end-to-end test in `make test`
# (sharded-and-merged equals unsharded, outputs written, errors), and `make bench`'s -j speed-up.
TEST_BINS += $(BUILD)/san/tests/sim/exp/exp_cli
# make run and the end-to-end test draw gnuplot plots
DEPS_GROUPS += plot
$(BUILD)/san/tests/sim/exp/exp_cli: tests/sim/exp/exp_cli.sh $(BUILD)/san/mmulab
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec tests/sim/exp/exp_cli.sh %s\n' '$(BUILD)/san/mmulab' > $@
	chmod +x $@

# make bench: -j 2 against -j 1 on experiments/pwc.ini, and 2 shards merged against one run
.PHONY: bench-exp
bench-exp: $(BUILD)/rel/mmulab
	tools/bench_exp.sh $(BUILD)/rel/mmulab pwc 200000
bench: bench-exp
