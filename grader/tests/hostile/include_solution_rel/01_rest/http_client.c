/* hostile: includes the reference solution through the test kit's include
 * path (-I<course>/testkit, then ../solutions/...). Expected: student code
 * compiles in the sandbox, where solutions/ does not exist; zero. */
#include "../solutions/01_rest/http_client.c"
