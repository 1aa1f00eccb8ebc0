/*
 * orders_programs.c - lets the test binary run the chapter's two services.
 *
 * The grader builds one binary per exercise from the tests and your files;
 * the services are in it too. `BIN --wb-program order-core` (or
 * order-front) runs a service instead of the tests (see testkit/wb_main.c),
 * so each test can start real, separate service processes built from your
 * code exactly as graded (with the same sanitizers, under the same limits).
 */
#include <stdio.h>
#include <string.h>

#include "order_core.h"
#include "order_front.h"

int wb_program_main(int argc, char *argv[])
{
    if (strcmp(argv[0], "order-core") == 0)
        return order_core_main(argc, argv);
    if (strcmp(argv[0], "order-front") == 0)
        return order_front_main(argc, argv);
    fprintf(stderr, "unknown program %s (order-core or order-front)\n", argv[0]);
    return 2;
}
