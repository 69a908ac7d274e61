#!/usr/bin/env bash
# Summarises `make fpga`: cells from yosys' stat, nextpnr's utilisation and fmax, the status of
# every step (ok / timeout / failed), and a comparison with the committed baseline.
# Usage: rtl/fpga/fpga_report.sh BUILD_DIR [BASELINE_JSON] [--strict]
#   BUILD_DIR holds ice40_stat.txt, ice40_pnr.json, ice40_pk_other_stat.txt (small with the other
#   PK value, synthesis only: what protection keys cost), xilinx_stat.txt, *.status (mk/rtl.mk).
#   Writes BUILD_DIR/figures.json (same shape as the baseline: to rebase, copy it over
#   docs/fpga-baseline.json). --strict: exit 1 on a regression or a step that did not finish.
set -euo pipefail
d=$1
base=${2:-}
strict=${3:-}
exec python3 - "$d" "$base" "$strict" <<'PY'
import json, os, re, sys

d, base_path, strict = sys.argv[1], sys.argv[2], sys.argv[3] == "--strict"

def status(step):
    p = os.path.join(d, step + ".status")
    return open(p).read().strip() if os.path.exists(p) else "not run"

def cells(path, pat):
    """sum of the counts of the cells whose name matches pat (flattened design: one block)"""
    if not os.path.exists(path):
        return None
    n = 0
    for line in open(path):
        f = line.split()
        if len(f) == 2 and re.fullmatch(pat, f[0]) and f[1].isdigit():
            n += int(f[1])
    return n

fig = {"ice40": {}, "xilinx": {}}
problems = []

s = os.path.join(d, "ice40_stat.txt")
ice = fig["ice40"]
ice["yosys"] = status("ice40_yosys")
ice["nextpnr"] = status("ice40_nextpnr")
ice["lut4"] = cells(s, r"SB_LUT4")
ice["ff"] = cells(s, r"SB_DFF\w*")
ice["carry"] = cells(s, r"SB_CARRY")
ice["bram"] = cells(s, r"SB_RAM40_4K")
pnr = os.path.join(d, "ice40_pnr.json")
if os.path.exists(pnr) and ice["nextpnr"].startswith("ok"):
    r = json.load(open(pnr))
    u = r.get("utilization", {})
    ice["lc"] = u.get("ICESTORM_LC", {}).get("used")
    ice["lc_avail"] = u.get("ICESTORM_LC", {}).get("available")
    ice["bram_placed"] = u.get("ICESTORM_RAM", {}).get("used")
    fm = r.get("fmax", {})
    ice["fmax_mhz"] = round(min(v["achieved"] for v in fm.values()), 2) if fm else None
    ice["fmax_constraint_mhz"] = round(min(v["constraint"] for v in fm.values()), 2) if fm else None
    crit = r.get("critical_paths", [])
    if crit:
        path = crit[0].get("path", [])
        ice["critical_path_from"] = path[0].get("from", {}).get("cell") if path else None
        ice["critical_path_to"] = path[-1].get("to", {}).get("cell") if path else None
else:
    ice["lc"] = ice["lc_avail"] = ice["bram_placed"] = ice["fmax_mhz"] = None

# protection keys: the same configuration with the other PK value (synthesis only)
po = os.path.join(d, "ice40_pk_other_stat.txt")
pk_other = open(os.path.join(d, "ice40_pk_other.pk")).read().strip() if os.path.exists(os.path.join(d, "ice40_pk_other.pk")) else None
other = {"yosys": status("ice40_pk_other_yosys"), "pk": pk_other,
         "lut4": cells(po, r"SB_LUT4"), "ff": cells(po, r"SB_DFF\w*"), "carry": cells(po, r"SB_CARRY"),
         "bram": cells(po, r"SB_RAM40_4K")}

x = os.path.join(d, "xilinx_stat.txt")
xil = fig["xilinx"]
xil["yosys"] = status("xilinx_yosys")
xil["lut"] = cells(x, r"LUT[1-6]")
xil["ff"] = cells(x, r"FD[CPRS]E?")
xil["lutram"] = cells(x, r"RAM(32|64|128|256)\w*")
xil["bram"] = cells(x, r"RAMB(18|36)\w*")
xil["carry4"] = cells(x, r"CARRY4")
xil["muxf7_8"] = cells(x, r"MUXF[78]")

def v(a):
    return "-" if a is None else str(a)

print("iCE40 HX8K ct256, configs/small.cfg (yosys synth_ice40 + nextpnr-ice40):")
print(f"  steps: yosys {ice['yosys']}; nextpnr {ice['nextpnr']}")
print(f"  LUT4 {v(ice['lut4'])}  FF {v(ice['ff'])}  CARRY {v(ice['carry'])}  BRAM (SB_RAM40_4K) {v(ice['bram'])}")
if ice.get("lc") is not None:
    pct = 100.0 * ice["lc"] / ice["lc_avail"] if ice["lc_avail"] else 0
    print(f"  placed: {ice['lc']}/{ice['lc_avail']} logic cells ({pct:.0f} %), {ice['bram_placed']}/32 BRAMs")
    print(f"  fmax: {v(ice['fmax_mhz'])} MHz (constraint {v(ice.get('fmax_constraint_mhz'))} MHz)"
          + (f"; critical path {ice.get('critical_path_from')} -> {ice.get('critical_path_to')}"
             if ice.get("critical_path_from") else ""))
if other["pk"]:
    this_pk = "PK=0" if other["pk"] == "PK=1" else "PK=1"
    print(f"protection keys on the same configuration (synth_ice40 only; small has {this_pk}, yosys {other['yosys']}):")
    print(f"  {other['pk']}: LUT4 {v(other['lut4'])}  FF {v(other['ff'])}  CARRY {v(other['carry'])}  BRAM {v(other['bram'])}")
    if None not in (ice["lut4"], other["lut4"], ice["ff"], other["ff"]):
        with_pk, without = (other, ice) if other["pk"] == "PK=1" else (ice, other)
        print(f"  cost of PK=1: {with_pk['lut4'] - without['lut4']:+d} LUT4, {with_pk['ff'] - without['ff']:+d} FF, "
              f"{(with_pk['carry'] or 0) - (without['carry'] or 0):+d} CARRY, {(with_pk['bram'] or 0) - (without['bram'] or 0):+d} BRAM")
    fig["ice40_pk_other"] = other
print("Xilinx 7-series estimate, default configuration (yosys synth_xilinx, no timing):")
print(f"  steps: yosys {xil['yosys']}")
print(f"  LUT {v(xil['lut'])}  FF {v(xil['ff'])}  LUTRAM {v(xil['lutram'])}  BRAM (RAMB18/36) {v(xil['bram'])}"
      f"  CARRY4 {v(xil['carry4'])}  MUXF7/8 {v(xil['muxf7_8'])}")

for tgt, steps in (("ice40", ("yosys", "nextpnr")), ("xilinx", ("yosys",))):
    for st in steps:
        if not fig[tgt][st].startswith("ok"):
            problems.append(f"{tgt} {st} did not finish: {fig[tgt][st]}")

# comparison with the baseline: more cells is worse, a lower fmax (beyond 3 %, nextpnr noise) is worse
if base_path and os.path.exists(base_path):
    b = json.load(open(base_path))
    worse, better = [], []
    for tgt in ("ice40", "xilinx"):
        for k, cur in fig[tgt].items():
            old = b.get(tgt, {}).get(k)
            if not isinstance(cur, (int, float)) or not isinstance(old, (int, float)) or k.endswith(("avail", "constraint_mhz")):
                continue
            if k == "fmax_mhz":
                if cur < old * 0.97:
                    worse.append(f"{tgt} fmax {old} -> {cur} MHz")
                elif cur > old * 1.03:
                    better.append(f"{tgt} fmax {old} -> {cur} MHz")
            elif cur > old:
                worse.append(f"{tgt} {k} {old} -> {cur}")
            elif cur < old:
                better.append(f"{tgt} {k} {old} -> {cur}")
    print(f"Against the baseline ({base_path}):")
    for w in worse:
        print("  WORSE: " + w)
    if better:
        print("  better: " + "; ".join(better))
    if not worse:
        print("  no figure got worse")
    problems += ["worse: " + w for w in worse]

out = os.path.join(d, "figures.json")
with open(out, "w") as f:
    json.dump(fig, f, indent=2, sort_keys=True)
    f.write("\n")
print(f"figures: {out}")
for p in problems:
    if p.startswith(("ice40", "xilinx")):
        print("  NOT FINISHED: " + p)
sys.exit(1 if strict and problems else 0)
PY
