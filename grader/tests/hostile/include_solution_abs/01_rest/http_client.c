/* hostile: includes the reference solution by its absolute path (the
 * harness writes the course's path in). Expected: not in the sandbox's
 * view; does not compile; zero. */
#include "@COURSE@/solutions/01_rest/http_client.c"
