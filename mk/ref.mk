# libmmulab for other people's testbenches (docs/reference-model.md, issue 15).
#   make ref-lib                 $(BUILD)/ref/lib/: libmmulab.so.1.1.0 (+ .so.1, .so), libmmulab.a, mmulab.pc
#   make install PREFIX=DIR      headers, both libraries, pkg-config file, mmulab_dpi.sv, the Python binding
#   make ref-tb                  the SystemVerilog example (Verilator --binary --timing): $(REF_B)/tb/Vtb_ref_check
# make test runs the checker's unit tests (tests/sim/ref/test_*.c, found by the Makefile), the header
# test (C and C++), the install test (an outside program built with pkg-config only), the Python
# binding's test and the example testbench.
#
# The library is the model (model/), the page-table builder (sim/os/ptbuild.c) and sim/ref/
# (refarch: the architecture shared with the random stimulus, the checker, the builder API, the
# DPI-C glue), compiled -fPIC once for both the shared and the static library. It does not hold
# the rest of sim/ (the tool); the build's own $(BUILD)/*/libmmulab.a (model + sim/) is another,
# internal archive.

REF_B         := $(BUILD)/ref
REF_VERSION   := 1.1.0
REF_SOMAJOR   := 1
REF_LIB_SRC   := $(MODEL_SRC) sim/os/ptbuild.c $(wildcard sim/ref/*.c)
REF_PIC_OBJ   := $(patsubst %.c,$(REF_B)/pic/%.o,$(REF_LIB_SRC))
REF_SO        := $(REF_B)/lib/libmmulab.so.$(REF_VERSION)
REF_A         := $(REF_B)/lib/libmmulab.a
REF_HEADERS   := sim/ref/mmulab.h
PREFIX        ?= /usr/local
REF_TB        := $(REF_B)/tb/Vtb_ref_check
REF_TB_SV     := rtl/dpi/mmulab_dpi.sv rtl/dpi/tb_ref_check.sv
REF_TEST      ?= 1

.PHONY: ref-lib install ref-tb

ref-lib: $(REF_SO) $(REF_A) $(REF_B)/lib/mmulab.pc

$(REF_B)/pic/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -fPIC $(INCS) -MMD -MP -c $< -o $@
-include $(REF_PIC_OBJ:.o=.d)

$(REF_SO): $(REF_PIC_OBJ) sim/ref/libmmulab.map
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libmmulab.so.$(REF_SOMAJOR) -Wl,--version-script=sim/ref/libmmulab.map \
	  -o $@ $(REF_PIC_OBJ) -lm
	ln -sf libmmulab.so.$(REF_VERSION) $(REF_B)/lib/libmmulab.so.$(REF_SOMAJOR)
	ln -sf libmmulab.so.$(REF_SOMAJOR) $(REF_B)/lib/libmmulab.so

$(REF_A): $(REF_PIC_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@; ar rcs $@ $^

$(REF_B)/lib/mmulab.pc: sim/ref/mmulab.pc.in mk/ref.mk
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(abspath $(REF_B))|' -e 's|@VERSION@|$(REF_VERSION)|' $< > $@

install: ref-lib
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/share/mmulab/sv $(DESTDIR)$(PREFIX)/share/mmulab/python/mmulab
	install -m 644 $(REF_HEADERS) $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(REF_A) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(REF_SO) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libmmulab.so.$(REF_VERSION) $(DESTDIR)$(PREFIX)/lib/libmmulab.so.$(REF_SOMAJOR)
	ln -sf libmmulab.so.$(REF_SOMAJOR) $(DESTDIR)$(PREFIX)/lib/libmmulab.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(REF_VERSION)|' sim/ref/mmulab.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/mmulab.pc
	install -m 644 rtl/dpi/mmulab_dpi.sv $(DESTDIR)$(PREFIX)/share/mmulab/sv/
	install -m 644 python/mmulab/__init__.py $(DESTDIR)$(PREFIX)/share/mmulab/python/mmulab/

# --- the SystemVerilog example: mmulab's RTL as a user's design, checked through DPI-C ---------
# (mk/rtl.mk, which sets RTL_SRC, is read after this file: the recipe uses it, expanded when it
# runs; the prerequisites name every RTL file instead, in any order)
ref-tb: $(REF_TB)
$(REF_TB): $(wildcard rtl/*.sv) $(REF_TB_SV) $(REF_A) mk/ref.mk | deps
	@mkdir -p $(REF_B)/tb
	$(VERILATOR) --binary --timing -Wall --top-module tb_ref_check \
	  --x-assign fast --x-initial fast -Mdir $(REF_B)/tb/obj \
	  $(RTL_SRC) $(REF_TB_SV) $(abspath $(REF_A)) -LDFLAGS -lm >$(REF_B)/tb/build.log 2>&1 \
	  || { tail -n 40 $(REF_B)/tb/build.log; exit 1; }
	cp $(REF_B)/tb/obj/Vtb_ref_check $@

# --- tests ---------------------------------------------------------------------------------------
ifeq ($(REF_TEST),1)
# the binding's test runs under python3
DEPS_GROUPS += python
TEST_BINS += $(BUILD)/san/tests/ref/headers $(BUILD)/san/tests/ref/install $(BUILD)/san/tests/ref/python \
             $(BUILD)/san/tests/ref/tb
endif

$(BUILD)/san/tests/ref/headers: tests/sim/ref/headers.sh $(REF_HEADERS)
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec tests/sim/ref/headers.sh %s\n' '$(REF_B)/headers' > $@
	chmod +x $@

$(BUILD)/san/tests/ref/install: tests/sim/ref/install.sh ref-lib
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec tests/sim/ref/install.sh %s\n' '$(BUILD)' > $@
	chmod +x $@

$(BUILD)/san/tests/ref/python: tests/python/test_mmulab.py python/mmulab/__init__.py $(REF_SO)
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nMMULAB_LIB=%s PYTHONPATH=python exec python3 tests/python/test_mmulab.py\n' \
	  '$(REF_B)/lib/libmmulab.so.$(REF_SOMAJOR)' > $@
	chmod +x $@

$(BUILD)/san/tests/ref/tb: $(REF_TB)
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec %s +verilator+seed+1\n' '$(REF_TB)' > $@
	chmod +x $@
