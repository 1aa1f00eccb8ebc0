/*
 * commands.h - the subcommands of `wirebook`, one function each.
 */
#ifndef WB_COMMANDS_H
#define WB_COMMANDS_H

int cmd_grade(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_skeletons(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_compdb(int argc, char **argv);
int cmd_quiz(int argc, char **argv);

#endif
