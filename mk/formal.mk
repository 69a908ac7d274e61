# Formal proofs of the RTL's permission and fault logic (docs/formal.md): Yosys, yosys-smtbmc and z3.
# Included by the top Makefile.
#
#   make formal   the SDM equivalence proofs (every paging mode), the planted changes that must be
#                 caught, the bounded protocol proofs; one line per property (tools/formal.sh).
#                 About 80 s on this project's 2-core machine, so `make test` runs it too.

FORMAL_OUT := $(BUILD)/formal

DEPS_GROUPS += formal
TEST_BINS   += $(BUILD)/san/tests/rtl/formal

.PHONY: formal
formal:
	@tools/deps.sh formal
	@tools/formal.sh $(FORMAL_OUT)

$(BUILD)/san/tests/rtl/formal: mk/formal.mk tools/formal.sh
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec tools/formal.sh %s\n' '$(FORMAL_OUT)' > $@
	chmod +x $@
