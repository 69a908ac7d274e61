#!/usr/bin/env bash
# `make install PREFIX=tmp` and an outside program built with pkg-config only, as C and as C++,
# against the shared library (run with the installed .so) and the static one.
# Usage: tests/sim/ref/install.sh BUILD
set -euo pipefail
build=$1
prefix=$(mktemp -d); trap 'rm -rf "$prefix"' EXIT
make -s --no-print-directory install PREFIX="$prefix" BUILD="$build" >/dev/null
for f in include/mmulab.h lib/libmmulab.a lib/libmmulab.so lib/libmmulab.so.1 lib/pkgconfig/mmulab.pc \
         share/mmulab/sv/mmulab_dpi.sv share/mmulab/python/mmulab/__init__.py; do
  [ -e "$prefix/$f" ] || { echo "install: $f missing"; exit 1; }
done
soname=$(objdump -p "$prefix/lib/libmmulab.so" | awk '/SONAME/ {print $2}')
[ "$soname" = libmmulab.so.1 ] || { echo "install: soname '$soname', want libmmulab.so.1"; exit 1; }
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
src=tests/sim/ref/outside/check_stale.c
cd "$(mktemp -d)"   # outside the tree: nothing of it on the include path
gcc -std=c99 -Wall -Werror "$OLDPWD/$src" $(pkg-config --cflags --libs mmulab) -o c_shared
LD_LIBRARY_PATH=$prefix/lib ./c_shared
g++ -x c++ -Wall -Werror "$OLDPWD/$src" $(pkg-config --cflags --libs mmulab) -o cxx_shared
LD_LIBRARY_PATH=$prefix/lib ./cxx_shared
gcc -std=c99 -Wall -Werror "$OLDPWD/$src" $(pkg-config --cflags mmulab) "$prefix/lib/libmmulab.a" \
  $(pkg-config --static --libs-only-l mmulab | sed 's/-lmmulab//') -o c_static
./c_static
ldd c_static | grep -q libmmulab && { echo "install: the static build still needs libmmulab.so"; exit 1; }
echo "install: headers, libmmulab.a/.so.1, mmulab.pc into $prefix; outside C and C++ programs built with pkg-config"
