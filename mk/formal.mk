# Formal proofs of the RTL's permission and fault logic (docs/formal.md): Yosys, yosys-smtbmc and z3.
# Included by the top Makefile.
#
#   make formal   the SDM equivalence proofs (every paging mode, with protection keys), the planted
#                 changes that must be caught, the bounded protocol proofs; one line per property
#                 (tools/formal.sh). About 3 minutes on this project's 2-core machine, so it is its own
#                 CI target; `make test` runs `tools/formal.sh --quick` (about 45 s: all but the
#                 walker's bounded proof and the page-size counterexample).

FORMAL_OUT := $(BUILD)/formal
FORMAL_EQ_SRC := rtl/mmu_pkg.sv,rtl/entry_check.sv,rtl/formal/sdm_ref.v,rtl/formal/miter_rules.sv

DEPS_GROUPS += formal
TEST_BINS   += $(BUILD)/san/tests/rtl/formal

.PHONY: formal
formal:
	@tools/deps.sh formal
	@tools/formal.sh $(FORMAL_OUT)

$(BUILD)/san/tests/rtl/formal: mk/formal.mk tools/formal.sh
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec tools/formal.sh --quick %s\n' '$(FORMAL_OUT)/quick' > $@
	chmod +x $@

# `make lint` also lints the formal sources (Verilator -Wall, FORMAL defined): one line per top
FORMAL_LINT_TOPS := miter_rights:$(FORMAL_EQ_SRC) miter_error_code:$(FORMAL_EQ_SRC) miter_entry:$(FORMAL_EQ_SRC) \
                    props_walker:rtl/mmu_pkg.sv,rtl/entry_check.sv,rtl/walker.sv,rtl/formal/props_walker.sv \
                    props_tlb:rtl/mmu_pkg.sv,rtl/tlb_array.sv,rtl/formal/props_tlb.sv \
                    props_port:rtl/mmu_pkg.sv,rtl/tlb_array.sv,rtl/tlb.sv,rtl/mmu_port.sv,rtl/formal/props_port.sv
.PHONY: formal-lint
lint: formal-lint
formal-lint:
	@tools/deps.sh rtl
	@for t in $(FORMAL_LINT_TOPS); do \
	  echo "lint (formal: $${t%%:*})"; \
	  $(VERILATOR) --lint-only -Wall -DFORMAL --top-module $${t%%:*} $$(echo $${t#*:} | tr , ' ') || exit 1; \
	done
