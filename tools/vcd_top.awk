# tools/vcd_top.awk: the values of a VCD's top-level signals at its first time step, one line
# "name=value ..." (values in hex). tools/formal.sh prints a counterexample's inputs and outputs
# with it. Usage: awk -f tools/vcd_top.awk FILE.vcd
# binary to hex a nibble at a time (awk numbers are doubles: 64-bit values would lose bits)
function hex(b,   s, i, j, v) {
  while (length(b) % 4) b = "0" b
  s = ""
  for (i = 1; i <= length(b); i += 4) { v = 0; for (j = 0; j < 4; j++) v = v * 2 + substr(b, i + j, 1); s = s sprintf("%x", v) }
  sub(/^0+/, "", s)
  return s == "" ? "0" : s
}
/^\$scope/   { depth++; next }
/^\$upscope/ { depth--; next }
/^\$var/     { if (depth == 1 && $5 !~ /^\$/ && $5 !~ /^\\/) { name[$4] = $5; order[++n] = $4 } next }
/^#/         { steps++; if (steps > 1) exit; next }
/^b/         { id = $2; if (id in name) val[id] = hex(substr($1, 2)); next }
/^[01]/      { id = substr($1, 2); if (id in name) val[id] = substr($1, 1, 1); next }
END          { for (i = 1; i <= n; i++) if (order[i] in val) printf "%s%s=%s", (i > 1 ? " " : ""), name[order[i]], val[order[i]]; print "" }
