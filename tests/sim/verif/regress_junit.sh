#!/usr/bin/env bash
# tools/regress.sh's JUnit XML as CI dashboards read it (issue 14): one testsuite per
# configuration/backend with a distinct name (chunks and shards of one regression join into it),
# totals and a timestamp on the root and on each suite, the build in the classname, and the
# mmulab version/commit as properties.
# Usage: tests/sim/verif/regress_junit.sh MMULAB   (from the repository root)
set -u
m=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
run() { REGRESS_CHUNK=5 REGRESS_JOBS=2 tools/regress.sh run "$m" "$@" > /dev/null 2>&1 || bad "regress.sh run $*: exit $?"; }

SHARD=1/2 run "$tmp/a" 1..20 30 model
SHARD=2/2 run "$tmp/b" 1..20 30 model
run "$tmp/c" 1..5 30 model --set tlb_repl=plru
tools/regress.sh merge "$m" "$tmp/m" "$tmp/a" "$tmp/b" "$tmp/c" > /dev/null 2>&1 || bad "regress.sh merge: exit $?"

python3 - "$tmp" "$(dirname "$m" | xargs basename)" <<'PY' || fails=$((fails + 1))
import sys, xml.dom.minidom as md
tmp, build = sys.argv[1], sys.argv[2]
def check(path, want):   # want: {suite name: tests}
    root = md.parse(path).documentElement
    assert root.tagName == "testsuites" and root.getAttribute("timestamp"), f"{path}: root without a timestamp"
    suites = root.getElementsByTagName("testsuite")
    got = {s.getAttribute("name"): int(s.getAttribute("tests")) for s in suites}
    assert got == want, f"{path}: suites {got}, expected {want}"
    assert int(root.getAttribute("tests")) == sum(want.values()), f"{path}: root tests={root.getAttribute('tests')}"
    for s in suites:
        assert s.getAttribute("timestamp"), f"{path}: suite {s.getAttribute('name')} without a timestamp"
        props = {p.getAttribute("name") for p in s.getElementsByTagName("property")}
        assert {"mmulab.version", "mmulab.git"} <= props, f"{path}: properties {props}"
        for c in s.getElementsByTagName("testcase"):
            assert c.getAttribute("classname") == f"{build}.{s.getAttribute('name')}", c.getAttribute("classname")
check(f"{tmp}/a/junit.xml", {"random.model.default": 10})   # two chunks of 5, one suite
check(f"{tmp}/m/junit.xml", {"random.model.default": 20, "random.model.default+tlb_repl=plru": 5})
PY
[ $fails -eq 0 ] && echo "ok: regress.sh JUnit suites"
[ $fails -eq 0 ]
