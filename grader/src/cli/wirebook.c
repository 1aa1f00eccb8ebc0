/*
 * wirebook.c - entry point of the `wirebook` command: dispatches to the
 * subcommand named by the first argument.
 */
#include "commands.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *what;
} commands[] = {
    {"list", cmd_list, "every exercise with its state, and the next one to do"},
    {"progress", cmd_progress, "points per chapter and overall, with progress bars"},
    {"check", cmd_check, "build and test an exercise (default: the current one), or a chapter"},
    {"watch", cmd_watch, "check the current exercise on every save; moves on when it passes"},
    {"hint", cmd_hint, "the next hint for an exercise (remembers how many you used)"},
    {"reset", cmd_reset, "restore an exercise's skeleton, keeping a backup of your file"},
    {"solution", cmd_solution, "the reference solution, once your exercise passes"},
    {"brokers", cmd_brokers, "the brokers chapters need: brokers status|start|stop"},
    {"quiz", cmd_quiz, "take a quiz in the terminal, or check an answers file"},
    {"grade", cmd_grade, "grade a submission (instructors): grade --submission DIR"},
    {"batch", cmd_batch, "grade every submission in a folder, in parallel: batch DIR [-j N]"},
    {"mistakes", cmd_mistakes, "grade the mistakes corpus; fails unless every variant is caught"},
    {"build", cmd_build, "build the chapters' runnable example programs into build/bin/"},
    {"skeletons", cmd_skeletons, "regenerate chapters/ skeletons from solutions/ (--check)"},
    {"compdb", cmd_compdb, "write compile_commands.json for editors"},
    {"cache", cmd_cache, "compile the instructor's objects into build/cache ahead of grading"},
    {"release", cmd_release, "write the student edition: no solutions, hidden tests or keys"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: wirebook COMMAND [options]   (wirebook COMMAND --help for more)\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].what);
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "wirebook: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
