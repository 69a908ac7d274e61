# Real-program traces and the cache-hierarchy memory model (docs/traces.md, docs/timing.md).
# Included by the top Makefile.
#
#   make fuzz-trace [FUZZ_SECONDS=30]   libFuzzer (clang) on each trace reader, tests/fuzz/
#   make test                           also runs smoke_cache: random seeds in lockstep with
#                                       mem_model=cache and small caches (evictions, all levels)

FUZZ_SECONDS ?= 30
FUZZ_B       := $(BUILD)/fuzz
FUZZ_CFLAGS  := -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all -Imodel -Isim/workload
TRACE_SRC    := $(filter-out %/trace_replay.c,$(wildcard sim/workload/trace*.c))   # the readers alone
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

DEPS_GROUPS += trace

.PHONY: fuzz-trace

$(FUZZ_B)/%: tests/fuzz/%.c $(TRACE_SRC) $(wildcard sim/workload/trace*.h) | deps
	@tools/deps.sh fuzz
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $< $(TRACE_SRC) -o $@ -lz -llzma -lzstd

# Each target runs FUZZ_SECONDS from its seed corpus (tests/fuzz/corpus/NAME, read only: new
# inputs go to $(FUZZ_B)/corpus/NAME; the output to $(FUZZ_B)/NAME.log); a crash leaves
# $(FUZZ_B)/crash-* and fails the make.
fuzz-trace: $(addprefix $(FUZZ_B)/,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_B)/corpus/$$t; \
	  echo "fuzz $$t: $(FUZZ_SECONDS) s"; \
	  if $(FUZZ_B)/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=1024 \
	    -artifact_prefix=$(FUZZ_B)/ $(FUZZ_B)/corpus/$$t tests/fuzz/corpus/$$t > $(FUZZ_B)/$$t.log 2>&1; \
	  then tail -n 2 $(FUZZ_B)/$$t.log; else tail -n 30 $(FUZZ_B)/$$t.log; exit 1; fi; \
	done

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
