#!/usr/bin/env bash
# The public header compiles on its own as C (C99 and C11, -pedantic) and as C++ (C++11 and
# C++17), with every warning an error. Usage: tests/sim/ref/headers.sh OUTDIR
set -euo pipefail
out=$1; mkdir -p "$out"
src=$out/use_header.c
cat > "$src" <<'X'
#include "mmulab.h"
int use_header(void);
int use_header(void)
{
    mmulab_access_t a = {0, MMULAB_READ, 0, 0, 0};
    mmulab_result_t r = {MMULAB_FAULT_NONE, 0, 0, 0};
    mmulab_ref_stats_t s;
    (void)s;
    return (int)a.va + r.fault + MMULAB_API_VERSION + mmulab_ref_check(0, &a, &r, 0, 0);
}
X
for std in c99 c11; do
  gcc -std=$std -pedantic -Wall -Wextra -Werror -Isim/ref -c "$src" -o "$out/c_$std.o"
done
for std in c++11 c++17; do
  g++ -x c++ -std=$std -pedantic -Wall -Wextra -Werror -Isim/ref -c "$src" -o "$out/cxx_$std.o"
done
# the C++ object refers to the API with C linkage
nm "$out/cxx_c++17.o" | grep -q ' U mmulab_ref_check$' || { echo "mmulab.h: C++ sees mangled names"; exit 1; }
echo "headers: mmulab.h compiles as C99, C11, C++11, C++17"
