/* cli_append_arg (sim/cli.h): replay commands are pasted into a shell as printed, so the
 * quoting must be exact, and a line that cannot hold an argument must never overflow nor
 * silently drop it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cli.h"

static void test_quoting(void **state)
{
    (void)state;
    static const struct { const char *arg, *want; } cases[] = {
        { "random", " random" },
        { "--set=tlb_repl=plru", " --set=tlb_repl=plru" },
        { "a b", " 'a b'" },
        { "it's", " 'it'\\''s'" },
        { "", " ''" },
        { "$HOME", " '$HOME'" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char buf[64] = "mmulab";
        cli_append_arg(buf, sizeof buf, cases[i].arg);
        assert_string_equal(buf + strlen("mmulab"), cases[i].want);
    }
}

/* For every buffer size, appending arguments that need quoting never writes past the end,
 * and the result is either the whole command or a prefix of whole arguments followed by
 * the truncation marker (after which nothing more is appended). */
static void test_never_overflows_and_marks_truncation(void **state)
{
    (void)state;
    static const char *const args[] = { "--set", "x=1", "it's here", "--set", "tlb_repl=lru", "a'b'c" };
    const char *full = "m --set x=1 'it'\\''s here' --set tlb_repl=lru 'a'\\''b'\\''c'";
    const char *marker = " <command-line-truncated>";
    for (size_t len = 2; len <= strlen(full) + 8; len++) {
        char mem[128];
        memset(mem, 0x5a, sizeof mem);
        strcpy(mem, "m");
        for (size_t k = 0; k < sizeof args / sizeof *args; k++)
            cli_append_arg(mem, len, args[k]);
        for (size_t b = len; b < sizeof mem; b++)
            assert_int_equal((unsigned char)mem[b], 0x5a);   /* nothing written past len */
        size_t n = strlen(mem);
        assert_true(n < len);
        if (strcmp(mem, full) == 0)
            continue;
        if (n <= 1)
            continue;   /* too small for even the marker: left as it was */
        assert_true(n >= strlen(marker));
        assert_string_equal(mem + n - strlen(marker), marker);
        assert_memory_equal(mem, full, n - strlen(marker));   /* a prefix of whole arguments */
        char next = full[n - strlen(marker)];
        assert_true(next == ' ');
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_never_overflows_and_marks_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
