/*
 * test_utf8.c - text from a run made valid before it is written: UTF-8
 * repair (testkit/wb_utf8.c), CSV cells and the late policy's time parsing.
 */
#include "gradebook.h"
#include "late.h"
#include "wb_testkit.h"
#include "wb_utf8.h"

#include <stdlib.h>
#include <string.h>

WB_SUITE(utf8);

static void expect_repaired(const char *in, const char *want)
{
    char *got = wb_utf8_valid(in);
    cr_assert_not_null(got, "out of memory");
    cr_assert_str_eq(got, want, "wb_utf8_valid of a %zu-byte input", strlen(in));
    free(got);
}

Test(utf8, invalid_bytes_become_replacement_characters)
{
    expect_repaired("plain", "plain");
    expect_repaired("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
                    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    expect_repaired("a\xff"
                    "b",
                    "a\xef\xbf\xbd"
                    "b");                                                    /* never valid */
    expect_repaired("\xc3(", "\xef\xbf\xbd(");                               /* cut sequence */
    expect_repaired("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");                 /* overlong '/' */
    expect_repaired("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
    expect_repaired("\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    expect_repaired("end\xe2\x82", "end\xef\xbf\xbd\xef\xbf\xbd"); /* cut at the end */
    cr_assert(!wb_xml_char_ok(0x1) && !wb_xml_char_ok(0xfffe) && wb_xml_char_ok('\t'),
              "XML 1.0 characters");
}

static char *cell(const char *text)
{
    struct strbuf sb = {0};
    csv_cell(&sb, text);
    return sb_take(&sb);
}

Test(utf8, csv_cells_are_quoted_and_formulas_neutralised)
{
    struct {
        const char *in, *want;
    } cases[] = {
        {"alice", "alice"},
        {"Smith, Bob", "\"Smith, Bob\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"two\nlines", "\"two\nlines\""},
        {"=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""},
        {"+1", "\"'+1\""},
        {"-2", "\"'-2\""},
        {"@SUM(A1)", "\"'@SUM(A1)\""},
        {"\tTAB", "\"'\tTAB\""},
        {"bad\xff", "bad\xef\xbf\xbd"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = cell(cases[i].in);
        cr_assert_str_eq(got, cases[i].want, "csv_cell(%s)", cases[i].in);
        free(got);
    }
}

Test(utf8, gradescope_times_parse_with_their_offsets)
{
    double utc = late_parse_time("2026-03-01T00:00:00Z");
    cr_assert(utc > 0, "a UTC time parses");
    cr_assert(late_parse_time("2026-02-28T16:00:00.5-08:00") == utc + 0.5,
              "an offset and fractional seconds are taken into account");
    cr_assert(late_parse_time("2026-03-01T01:00:00+01:00") == utc, "a positive offset too");
    cr_assert(late_parse_time("yesterday") < 0, "a malformed time is refused");
}
