# Real-program traces and the cache-hierarchy memory model (docs/traces.md, docs/timing.md).
# Included by the top Makefile.
#
#   make fuzz FUZZ_ONLY="lackey champsim"   libFuzzer on the trace readers (mk/fuzz.mk builds and
#                                       runs every tests/fuzz/fuzz_*.c)
#   make test                           also runs smoke_cache: random seeds in lockstep with
#                                       mem_model=cache and small caches (evictions, all levels)

DEPS_GROUPS += trace

# The cache model in lockstep: the default RTL build serves its memory port with the same
# model/memlat.c code, so cycles must agree exactly. Small caches so lines are evicted.
SMOKE_CACHE_SETS := --set mem_model=cache --set cache_levels=3 \
  --set cache_l1_bytes=256 --set cache_l1_ways=2 --set cache_l1_latency=2 \
  --set cache_l2_bytes=1024 --set cache_l2_ways=4 --set cache_l2_line=128 --set cache_l2_latency=7 \
  --set cache_l3_bytes=8192 --set cache_l3_ways=8 --set cache_l3_latency=15 --set cache_dram_latency=60
ifneq ($(wildcard mk/rtl.mk),)
TEST_BINS += $(BUILD)/san/tests/smoke_cache
$(BUILD)/san/tests/smoke_cache: mk/trace.mk $(BUILD)/rtl/default/mmulab-san
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec %s random --seeds 1..24 --ops 400 --backend cosim --quiet %s\n' \
	  '$(BUILD)/rtl/default/mmulab-san' '$(SMOKE_CACHE_SETS)' > $@
	chmod +x $@
endif

# The ChampSim-format pattern generator (tools/champsim_gen.c): the benchmark's trace source.
$(BUILD)/rel/champsim_gen: tools/champsim_gen.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) $< -o $@
bench: $(BUILD)/rel/champsim_gen
