/* libFuzzer target: the valgrind lackey reader (sim/workload/trace_lackey.c) over
 * any bytes, plain or compressed. Contracts checked: tests/fuzz/fuzz_common.h. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_one(data, size, TRACE_LACKEY);
    return 0;
}
