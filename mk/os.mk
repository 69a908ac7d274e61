# The OS layer on the RTL beyond tests/run.sh's lockstep runs: the multi-CPU shootdown on three
# RTL instances and the refusal of cpus>1 on cosim (tests/cosim/os_lockstep.sh), one test of `make test`.
OS_COSIM_MMULAB := $(BUILD)/rtl/default/mmulab-san
TEST_BINS += $(BUILD)/san/tests/os_lockstep

$(BUILD)/san/tests/os_lockstep: mk/os.mk tests/cosim/os_lockstep.sh $(OS_COSIM_MMULAB)
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec tests/cosim/os_lockstep.sh %s\n' '$(OS_COSIM_MMULAB)' > $@
	chmod +x $@
