#!/usr/bin/env bash
# Summarises `make fpga`: cells from yosys' stat and nextpnr's utilisation and fmax.
# Usage: sim/rtl/fpga_report.sh BUILD_DIR (holding ice40_stat.txt, ice40_pnr.json, xilinx_stat.txt)
set -euo pipefail
d=$1
# sum of the counts of the cells whose name matches a regex, in the top-level (last) stat block
cells() { awk -v re="$2" '/=== design hierarchy ===/{top=1} top && $1 ~ re && $2 ~ /^[0-9]+$/ {n += $2} END {print n+0}' "$1"; }
# without a hierarchy summary (flattened designs) the only block is the top
[ -f "$d/ice40_stat.txt" ] && grep -q "design hierarchy" "$d/ice40_stat.txt" || true
flat() { awk -v re="$2" '$1 ~ re && $2 ~ /^[0-9]+$/ {n += $2} END {print n+0}' "$1"; }

echo "iCE40 HX8K ct256, configs/small.cfg (yosys synth_ice40 + nextpnr-ice40):"
s=$d/ice40_stat.txt
printf '  LUT4 %s  FF %s  CARRY %s  BRAM (SB_RAM40_4K) %s\n' \
  "$(flat "$s" '^SB_LUT4$')" "$(flat "$s" '^SB_DFF')" "$(flat "$s" '^SB_CARRY$')" "$(flat "$s" '^SB_RAM40_4K$')"
python3 - "$d/ice40_pnr.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
u = r.get("utilization", {})
lc = u.get("ICESTORM_LC", {})
ram = u.get("ICESTORM_RAM", {})
print(f"  placed: {lc.get('used')}/{lc.get('available')} logic cells, {ram.get('used')}/{ram.get('available')} BRAMs")
for clk, v in r.get("fmax", {}).items():
    print(f"  fmax {clk}: {v['achieved']:.1f} MHz (constraint {v['constraint']:.1f} MHz)")
PY
echo "Xilinx 7-series estimate, default configuration (yosys synth_xilinx, no timing):"
s=$d/xilinx_stat.txt
printf '  LUT %s  FF %s  LUTRAM %s  BRAM (RAMB18/36) %s  CARRY4 %s\n' \
  "$(flat "$s" '^LUT[1-6]$')" "$(flat "$s" '^FD[CPRS]E?$')" "$(flat "$s" '^RAM(32|64|128|256)')" \
  "$(flat "$s" '^RAMB(18|36)')" "$(flat "$s" '^CARRY4$')"
