/* libFuzzer harness of the script reader and interpreter (sim/script/): any bytes as a script,
 * run on the model backend, output discarded. What counts as a finding: a crash, a sanitizer
 * report (ASan, UBSan), a leak, or a run that does not end (libFuzzer's -timeout). A script
 * error is an ordinary outcome. Built and run by mk/fuzz.mk (`make fuzz`); seeds:
 * tests/scripts/. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (!sink && !(sink = fopen("/dev/null", "w")))
        return 0;
    if (size == 0)
        return 0;   /* fmemopen rejects an empty buffer; an empty script is tests/scripts' job */
    FILE *in = fmemopen((void *)data, size, "r");
    if (!in)
        return 0;
    script_opts_t o = { .path = "fuzz.mmu", .out = sink, .err = sink };
    script_run_stream(&o, in, "fuzz.mmu");
    fclose(in);
    return 0;
}
