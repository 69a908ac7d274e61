# Fuzzing (docs/verification.md, "Fuzzing"): libFuzzer harnesses built with clang
# (-fsanitize=fuzzer,address,undefined) over a clang build of libmmulab.
#
#   make fuzz [FUZZ_SECONDS=30]
#       builds every harness tests/fuzz/fuzz_NAME.c as $(BUILD)/fuzz/fuzz_NAME and runs each for
#       FUZZ_SECONDS, starting from its seed corpus (FUZZ_SEEDS_NAME below, copied into
#       $(BUILD)/fuzz/corpus/NAME, which keeps what the fuzzer finds between runs; tools/fuzz.sh).
#       A crash, sanitizer report, leak or hang (-timeout=10 s) stops that harness with the input
#       in $(BUILD)/fuzz/crash-* / leak-* / timeout-* and fails the target.
#   make fuzz FUZZ_ONLY="lackey champsim"   only those harnesses (here: the trace readers)
#   make fuzz-build   the harnesses only
#
# Not part of `make test` (each harness needs a minute of clang build plus FUZZ_SECONDS): a CI
# job runs `make fuzz`. Harnesses from other fragments (mk/trace.mk's trace readers) live in
# tests/fuzz/ too and are picked up here as well.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_B       := $(BUILD)/fuzz
FUZZ_CFLAGS  := $(WARN) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,$(FUZZ_B)/%,$(FUZZ_SRC))
# seed corpora: the inputs the project already has
FUZZ_SEEDS_script := tests/scripts tests/scripts/errors
FUZZ_SEEDS_config := configs
FUZZ_SEEDS_lackey := tests/fuzz/corpus/fuzz_lackey
FUZZ_SEEDS_champsim := tests/fuzz/corpus/fuzz_champsim
# inputs up to this many bytes (tools/fuzz.sh: 8192 unless set): binary traces need room for records
FUZZ_MAXLEN_champsim := 65536
FUZZ_MAXLEN_lackey := 65536
FUZZ_ONLY    ?= $(patsubst fuzz_%,%,$(notdir $(FUZZ_BINS)))

.PHONY: fuzz fuzz-build fuzz-deps

fuzz-deps: deps
	@tools/deps.sh fuzz

$(FUZZ_B)/obj/%.o: %.c | fuzz-deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(INCS) -MMD -MP -c $< -o $@

$(FUZZ_B)/obj/sim/core/version.o: $(BUILD)/gen/mmulab_version.h

$(FUZZ_B)/libmmulab.a: $(patsubst %.c,$(FUZZ_B)/obj/%.o,$(LIB_SRC))
	rm -f $@; ar rcs $@ $^

$(FUZZ_B)/fuzz_%: $(FUZZ_B)/obj/tests/fuzz/fuzz_%.o $(FUZZ_B)/libmmulab.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -o $@ $(LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: $(foreach n,$(FUZZ_ONLY),$(FUZZ_B)/fuzz_$(n))
	@rc=0; $(foreach n,$(FUZZ_ONLY),FUZZ_MAX_LEN=$(or $(FUZZ_MAXLEN_$(n)),8192) tools/fuzz.sh $(FUZZ_B)/fuzz_$(n) \
	  $(FUZZ_SECONDS) $(FUZZ_SEEDS_$(n)) || rc=1;) exit $$rc

-include $(shell find $(FUZZ_B)/obj -name '*.d' 2>/dev/null)
