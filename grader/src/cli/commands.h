/*
 * commands.h - the subcommands of `wirebook`, one function each.
 */
#ifndef WB_COMMANDS_H
#define WB_COMMANDS_H

#include <stdbool.h>

int cmd_grade(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_progress(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_hint(int argc, char **argv);
int cmd_reset(int argc, char **argv);
int cmd_solution(int argc, char **argv);
int cmd_brokers(int argc, char **argv);
int cmd_skeletons(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_compdb(int argc, char **argv);
int cmd_cache(int argc, char **argv);
int cmd_quiz(int argc, char **argv);
int cmd_release(int argc, char **argv);
int cmd_mistakes(int argc, char **argv);

struct wb_manifest;
/* Loads the manifest of the course at dir (or found from here, see
 * manifest_find_root), saying on stderr what went wrong. 0 or -1. */
int load_course(const char *dir, struct wb_manifest *m);
/* Checks that --only names a chapter, exercise or "quiz" of m, listing what
 * exists on stderr when not. 0 or -1. */
int check_only(const struct wb_manifest *m, const char *only);
/* Colour when stdout is a terminal and NO_COLOR is not set. */
bool want_color(void);

#endif
