/*
 * wb_main.c - main() of every wirebook test binary.
 *
 * Criterion's own JSON and XML reports copy assertion strings unescaped, so a
 * string returned by student code can forge a result. We register our own
 * output provider ("wirebook", see wb_report.c) before Criterion parses its
 * arguments, so the grader can ask for it with -Owirebook:FILE.
 *
 * A test binary can also be a program its tests start: `BIN --wb-program
 * NAME ARGS...` runs wb_program_main instead of Criterion. Chapters whose
 * tests start services built from the student's files (chapter 07) define
 * wb_program_main in a source linked into the test binary; everywhere else
 * the weak declaration stays NULL and the option is refused.
 */
#include <stdio.h> /* before criterion/output.h, which uses FILE */

#include <criterion/criterion.h>
#include <criterion/options.h>
#include <criterion/output.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <string.h>

void wb_report_write(FILE *out, struct criterion_global_stats *stats);

/* Defined by a chapter that needs it (see the head comment). */
int wb_program_main(int argc, char *argv[]) __attribute__((weak));

int main(int argc, char *argv[])
{
    if (argc >= 3 && strcmp(argv[1], "--wb-program") == 0) {
        if (!wb_program_main) {
            fprintf(stderr, "wirebook testkit: this test binary holds no programs\n");
            return 2;
        }
        return wb_program_main(argc - 2, argv + 2);
    }
    /* The runner decides the verdict while the tests (student code) run in
     * its worker processes as the same user: not dumpable, its memory
     * (/proc/PID/mem, process_vm_writev) is out of their reach. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        perror("wirebook testkit: prctl(PR_SET_DUMPABLE)");
    struct criterion_test_set *tests = criterion_initialize();
    int status = 0;

    /* Returns 1 when added, 0 when it replaced a provider, -1 on failure. */
    if (criterion_register_output_provider("wirebook", wb_report_write) < 0) {
        fprintf(stderr, "wirebook testkit: criterion_register_output_provider failed\n");
        criterion_finalize(tests);
        return 2;
    }
    /* Passing assertions are only counted when full stats are on; the grader
     * needs them to tell a test that finished from one that called exit(0). */
    criterion_options.full_stats = true;
    if (criterion_handle_args(argc, argv, true))
        status = !criterion_run_all_tests(tests);
    criterion_finalize(tests);
    /* The report is written: leave without running exit handlers or
     * destructors, where code linked into this binary could still rewrite it. */
    fflush(NULL);
    _exit(status);
}
