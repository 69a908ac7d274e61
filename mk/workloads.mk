# Workloads through the OS layer (docs/workloads.md): `mmulab trace` on the shipped traces with
# independently computed counts and its error cases (tests/sim/cli/trace.sh), on the model in the
# sanitizer build and a short replay in lockstep on the RTL tool (cosim), one test of `make test`.
TRACE_COSIM_MMULAB := $(BUILD)/rtl/default/mmulab-san
TEST_BINS += $(BUILD)/san/tests/sim/cli/trace

$(BUILD)/san/tests/sim/cli/trace: mk/workloads.mk tests/sim/cli/trace.sh $(BUILD)/san/mmulab $(TRACE_COSIM_MMULAB)
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec tests/sim/cli/trace.sh %s %s\n' '$(BUILD)/san/mmulab' '$(TRACE_COSIM_MMULAB)' > $@
	chmod +x $@

# `mmulab demo` through the OS layer: OS counters against Linux's rules, error cases, and a short
# single-CPU run in lockstep on the RTL tool (tests/sim/cli/demo_os.sh).
TEST_BINS += $(BUILD)/san/tests/sim/cli/demo_os

$(BUILD)/san/tests/sim/cli/demo_os: mk/workloads.mk tests/sim/cli/demo_os.sh $(BUILD)/san/mmulab $(TRACE_COSIM_MMULAB)
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec tests/sim/cli/demo_os.sh %s %s\n' '$(BUILD)/san/mmulab' '$(TRACE_COSIM_MMULAB)' > $@
	chmod +x $@
