/*
 * test_skeleton.c - the skeleton generator: what it keeps, drops and
 * uncomments, and the errors it gives for broken markers.
 */
#include "skeleton.h"
#include "wb_testkit.h"

#include <string.h>

WB_SUITE(skeleton);

static char err[512];

static char *render(const char *text, int *regions)
{
    static struct strbuf out;
    sb_free(&out);
    sb_puts(&out, "");
    *regions = skeleton_render("x.c", text, &out, err, sizeof err);
    return out.data;
}

Test(skeleton, region_becomes_todo_and_stub)
{
    const char *in = "int f(int a)\n"
                     "{\n"
                     "    // @student-begin: return twice a.\n"
                     "    // Use the * operator.\n"
                     "    int twice = a * 2;\n"
                     "    return twice;\n"
                     "    // @student-stub\n"
                     "    // (void)a;\n"
                     "    //\n"
                     "    // return -1;\n"
                     "    // @student-end\n"
                     "}\n";
    const char *want = "int f(int a)\n"
                       "{\n"
                       "    // TODO: return twice a.\n"
                       "    // Use the * operator.\n"
                       "    (void)a;\n"
                       "\n"
                       "    return -1;\n"
                       "}\n";
    int regions;
    char *out = render(in, &regions);
    cr_assert_eq(regions, 1, "expected 1 region, got %d (%s)", regions, err);
    cr_assert_str_eq(out, want, "skeleton differs:\n%s", out);
}

Test(skeleton, text_outside_regions_is_copied_verbatim)
{
    const char *in = "/* lesson comment */\n#include <stdio.h>\n// plain comment\n";
    int regions;
    char *out = render(in, &regions);
    cr_assert_eq(regions, 0, "no markers means no regions, got %d", regions);
    cr_assert_str_eq(out, in, "text without markers must be copied as is");
}

Test(skeleton, empty_stub_is_allowed)
{
    int regions;
    char *out = render("a\n// @student-begin: write it\ncode\n// @student-stub\n"
                       "// @student-end\nb\n",
                       &regions);
    cr_assert_eq(regions, 1, "expected 1 region: %s", err);
    cr_assert_str_eq(out, "a\n// TODO: write it\nb\n", "got:\n%s", out);
}

Test(skeleton, nested_begin_is_an_error)
{
    int regions;
    render("// @student-begin: a\nx\n// @student-begin: b\n", &regions);
    cr_assert_eq(regions, -1, "a begin inside a region must be refused");
    cr_assert(strstr(err, "x.c:3:") && strstr(err, "nest"), "message should name line 3: %s", err);
}

Test(skeleton, unclosed_region_names_its_begin_line)
{
    int regions;
    render("ok\n// @student-begin: a\ncode\n// @student-stub\n// return 0;\n", &regions);
    cr_assert_eq(regions, -1, "an unclosed region must be refused");
    cr_assert(strstr(err, "x.c:2:") && strstr(err, "not closed"), "got: %s", err);
}

Test(skeleton, end_without_stub_is_an_error)
{
    int regions;
    render("// @student-begin: a\ncode\n// @student-end\n", &regions);
    cr_assert_eq(regions, -1, "a region needs a stub marker");
    cr_assert(strstr(err, "x.c:3:") && strstr(err, "@student-stub"), "got: %s", err);
}

Test(skeleton, stub_line_must_be_a_comment)
{
    int regions;
    render("// @student-begin: a\n// @student-stub\nreturn 0;\n// @student-end\n", &regions);
    cr_assert_eq(regions, -1, "uncommented stub code must be refused");
    cr_assert(strstr(err, "x.c:3:"), "got: %s", err);
}

Test(skeleton, unknown_marker_is_an_error)
{
    int regions;
    render("// @student-bgein: typo\n", &regions);
    cr_assert_eq(regions, -1, "a misspelt marker must not pass silently");
    cr_assert(strstr(err, "unknown marker"), "got: %s", err);
}

Test(skeleton, stray_stub_and_end_are_errors)
{
    int regions;
    render("// @student-stub\n", &regions);
    cr_assert_eq(regions, -1, "stub outside a region must be refused");
    render("// @student-end\n", &regions);
    cr_assert_eq(regions, -1, "end outside a region must be refused");
    cr_assert(strstr(err, "without a @student-begin"), "got: %s", err);
}
