# SystemC TLM-2.0: the MMU as a translation module (sim/tlm/, docs/systemc.md), backed by the
# C model or by the RTL Verilated for SystemC (verilator --sc, default configuration).
#
#   make sc-demo     the example platform (traffic generator, MMU, memory), SC_BACKEND=model|rtl
#   make tlm-bench   TLM transactions/s (model), RTL cycles/s under SystemC vs the C++ harness
#                    (also run by `make bench`)
#   make tlm         libmmulab_tlm.a + mmulab-tlm.pc (pkg-config) in build/tlm/
#
# libsystemc 2.3.4 on Debian is built with C++17: our C++ must use the same -std (toolchain.md).

TLM_B        := $(BUILD)/tlm
TLM_VL       := $(TLM_B)/default/obj
SC_CXX       ?= g++
SC_STD       := -std=c++17
SC_CXXFLAGS   = $(SC_STD) -O2 -g -Wall -Wextra -Werror $(INCS) -isystem $(VL_INC) -isystem $(VL_INC)/vltstd \
               -isystem $(TLM_VL) -DRTL_PARAMS_H='"$(abspath $(RTL_B))/default/rtl_params.h"'
SC_LDLIBS    := -lsystemc -lcjson -lm -lpthread -lz
TLM_CXX_SRC  := sim/tlm/mmu_tlm.cpp sim/tlm/mmu_tlm_rtl.cpp sim/tlm/tlm_memory.cpp sim/tlm/sg_backend.cpp \
               sim/tlm/traffic.cpp
# The C debug walk (tlm_dbgwalk.c, no SystemC in it) is built into libmmulab.a by the Makefile's
# folder rule like every sim/NAME/*.c; only the C++ of sim/tlm/ is built here.
TLM_OBJ      := $(patsubst %.cpp,$(TLM_B)/%.o,$(TLM_CXX_SRC))
SC_BACKEND   ?= model

DEPS_GROUPS += systemc
TEST_BINS   += $(TLM_B)/test_tlm $(TLM_B)/demo_stats

.PHONY: tlm sc-demo tlm-bench

# The Verilated SystemC model: the same sources and -G flags as build/rtl/default, --sc.
$(TLM_VL)/Vmmu_top__ALL.a: $(RTL_SRC) $(RTL_B)/default/params.vf | deps
	@tools/deps.sh rtl systemc
	@mkdir -p $(TLM_VL)
	$(VERILATOR) $(subst --cc,--sc,$(VL_FLAGS)) -Mdir $(TLM_VL) -f $(RTL_B)/default/params.vf $(RTL_SRC)
	+SYSTEMC_INCLUDE=/usr/include SYSTEMC_LIBDIR=/usr/lib/x86_64-linux-gnu $(MAKE) -s -C $(TLM_VL) -f Vmmu_top.mk \
	  OPT_FAST=-O2 OPT_SLOW=-O1 OPT_GLOBAL=-O2 Vmmu_top__ALL.a verilated.o verilated_threads.o

$(TLM_B)/%.o: %.cpp $(TLM_VL)/Vmmu_top__ALL.a $(RTL_B)/default/rtl_params.h
	@mkdir -p $(dir $@)
	$(SC_CXX) $(SC_CXXFLAGS) -MMD -MP -c $< -o $@

$(TLM_B)/libmmulab_tlm.a: $(TLM_OBJ) $(TLM_VL)/Vmmu_top__ALL.a
	rm -f $@; ar rcs $@ $(TLM_OBJ)
	cp $(TLM_VL)/Vmmu_top__ALL.a $(TLM_B)/libmmulab_tlm_rtl.a
	ar rs $(TLM_B)/libmmulab_tlm_rtl.a $(TLM_VL)/verilated.o $(TLM_VL)/verilated_threads.o

# pkg-config: `pkg-config --cflags --libs build/tlm/mmulab-tlm.pc` (paths of this checkout)
$(TLM_B)/mmulab-tlm.pc: mk/tlm.mk
	@mkdir -p $(dir $@)
	@{ echo "prefix=$(abspath .)"; echo "libdir=$(abspath $(TLM_B))"; echo "rel=$(abspath $(BUILD)/rel)"; echo; \
	  echo "Name: mmulab-tlm"; echo "Description: mmulab MMU as a SystemC TLM-2.0 module (C model or Verilated RTL)"; \
	  echo "Version: 0.1"; echo "Requires: systemc"; \
	  echo 'Cflags: -std=c++17 $(subst -I,-I$${prefix}/,$(INCS))'; \
	  echo 'Libs: -L$${libdir} -lmmulab_tlm -lmmulab_tlm_rtl $${rel}/libmmulab.a -lcjson -lm -lpthread -lz'; } > $@

tlm: $(TLM_B)/libmmulab_tlm.a $(TLM_B)/mmulab-tlm.pc

tlm_link = $(SC_CXX) $(SC_STD) -O2 -g $(1) $(TLM_B)/libmmulab_tlm.a $(TLM_B)/libmmulab_tlm_rtl.a $(BUILD)/rel/libmmulab.a \
	-o $(2) $(SC_LDLIBS)

# The test runs under ASan/UBSan like the rest of make test: our C++ and the C side sanitized,
# over the -O2 Verilated model (as the RTL tests of mk/rtl.mk).
TLM_SAN_FLAGS = $(filter-out -O2,$(SC_CXXFLAGS)) -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
TLM_SAN_OBJ  := $(patsubst %.cpp,$(TLM_B)/san/%.o,$(TLM_CXX_SRC) tests/sim/tlm/test_tlm.cpp)

$(TLM_B)/san/%.o: %.cpp $(TLM_VL)/Vmmu_top__ALL.a $(RTL_B)/default/rtl_params.h
	@mkdir -p $(dir $@)
	$(SC_CXX) $(TLM_SAN_FLAGS) -MMD -MP -c $< -o $@

$(TLM_B)/test_tlm: $(TLM_SAN_OBJ) $(TLM_B)/libmmulab_tlm.a $(BUILD)/san/libmmulab.a
	$(SC_CXX) -fsanitize=address,undefined $(TLM_SAN_OBJ) $(TLM_B)/libmmulab_tlm_rtl.a $(BUILD)/san/libmmulab.a \
	  -o $@ $(SC_LDLIBS)

# make test: sc-demo prints what mmulab demo prints (tests/sim/tlm/demo_stats.sh), both backends
$(TLM_B)/demo_stats: tests/sim/tlm/demo_stats.sh $(TLM_B)/sc-demo $(BUILD)/san/mmulab
	printf '#!/bin/sh\nexec tests/sim/tlm/demo_stats.sh %s %s\n' '$(BUILD)/san/mmulab' '$(TLM_B)/sc-demo' > $@
	chmod +x $@

$(TLM_B)/sc-demo: $(TLM_B)/sim/tlm/sc_demo.o $(TLM_B)/libmmulab_tlm.a $(BUILD)/rel/libmmulab.a
	$(call tlm_link,$<,$@)

$(TLM_B)/bench_tlm: $(TLM_B)/sim/tlm/bench_tlm.o $(TLM_B)/libmmulab_tlm.a $(BUILD)/rel/libmmulab.a
	$(call tlm_link,$<,$@)

sc-demo: deps $(TLM_B)/sc-demo
	$(TLM_B)/sc-demo --backend $(SC_BACKEND) --seed $(SEED)

tlm-bench: deps $(TLM_B)/bench_tlm $(RTL_B)/default/bench_rtl
	$(TLM_B)/bench_tlm --backend model
	$(TLM_B)/bench_tlm --backend rtl
	@echo "the same RTL under the plain C++ harness (build/rtl/default/bench_rtl, two requests per cycle):"
	$(RTL_B)/default/bench_rtl

bench: tlm-bench

-include $(shell find $(TLM_B) -name '*.d' 2>/dev/null)
