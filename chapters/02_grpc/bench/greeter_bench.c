/*
 * greeter_bench.c - N sequential SayHello calls, C client -> C server, on
 * loopback. Prints calls/s, p50 and p99 latency, and the server's resident
 * memory (VmRSS) before and after, to show it stays flat.
 *
 *     greeter_bench [calls]                  default 10000, against its own server
 *     greeter_bench CALLS HOST:PORT          the client alone, against any Greeter
 *                                            (make bench: the Python grpcio peer)
 *
 * Not a test: speed depends on the machine. The process forks BEFORE either
 * side touches gRPC (gRPC does not survive a fork); the child runs the
 * server of exercise greeter_server and reports its port through a pipe.
 * Build: `make bench` builds it from solutions/ (wirebook build --submission
 * solutions); by hand (GEN holds protoc-c's greeter.pb-c.{c,h}):
 *   cc -std=c11 -D_DEFAULT_SOURCE -O2 -Ichapters/02_grpc -IGEN chapters/02_grpc/bench/greeter_bench.c \
 *      solutions/02_grpc/greeter_server.c solutions/02_grpc/greeter_client.c GEN/greeter.pb-c.c \
 *      $(pkg-config --cflags --libs grpc_unsecure gpr libprotobuf-c) -o greeter_bench
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "greeter_client.h"
#include "greeter_server.h"
#include "grpc_compat.h"

static atomic_bool server_stop = false;

static void on_sigterm(int signo)
{
    (void)signo;
    atomic_store(&server_stop, true);
}

static int run_server_child(int port_fd)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_sigterm;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGTERM, &action, NULL) != 0) {
        perror("sigaction");
        return 1;
    }
    int port = 0;
    struct greeter_server *server = greeter_server_create("127.0.0.1:0", &port);
    if (write(port_fd, &port, sizeof port) != (ssize_t)sizeof port) {
        perror("write port");
        return 1;
    }
    close(port_fd);
    if (!server)
        return 1;
    int rc = greeter_server_run(server, &server_stop);
    greeter_server_destroy(server);
    return rc == 0 ? 0 : 1;
}

static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kib = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sequential calls on one channel; prints calls/s and latency. The caller
 * reads the server's memory. Returns the number of failed calls, -1 when
 * the client could not start. */
static int measure(const char *target, int calls)
{
    struct greeter_client *client = greeter_client_create(target);
    double *latency = malloc((size_t)calls * sizeof *latency);
    if (!client || !latency) {
        fprintf(stderr, "greeter_client_create or malloc failed\n");
        if (client)
            greeter_client_destroy(client);
        free(latency);
        return -1;
    }
    struct greeter_reply reply;
    greeter_client_say_hello(client, "warm-up", 2000, &reply); /* connects */
    greeter_reply_free(&reply);

    int failures = 0;
    double start = now_us();
    for (int i = 0; i < calls; i++) {
        double t0 = now_us();
        greeter_client_say_hello(client, "bench", 2000, &reply);
        latency[i] = now_us() - t0;
        if (reply.status != GRPC_STATUS_OK)
            failures++;
        greeter_reply_free(&reply);
    }
    double elapsed_s = (now_us() - start) / 1e6;
    qsort(latency, (size_t)calls, sizeof *latency, compare_double);
    printf("calls: %d (failed %d) in %.2f s = %.0f calls/s\n", calls, failures, elapsed_s,
           calls / elapsed_s);
    printf("latency: p50 %.0f us, p99 %.0f us\n", latency[calls / 2], latency[(int)(calls * 0.99)]);
    free(latency);
    greeter_client_destroy(client);
    return failures;
}

int main(int argc, char *argv[])
{
    int calls = argc > 1 ? atoi(argv[1]) : 10000;
    if (calls < 1 || argc > 3) {
        fprintf(stderr, "usage: %s [calls [host:port]]\n", argv[0]);
        return 2;
    }
    if (argc == 3)
        return measure(argv[2], calls) == 0 ? 0 : 1;
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        return 1;
    }
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (child == 0) {
        close(fds[0]);
        _exit(run_server_child(fds[1]));
    }
    close(fds[1]);
    int port = 0;
    if (read(fds[0], &port, sizeof port) != (ssize_t)sizeof port || port <= 0) {
        fprintf(stderr, "the server child did not start\n");
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        return 1;
    }
    close(fds[0]);

    char target[32];
    snprintf(target, sizeof target, "127.0.0.1:%d", port);
    long rss_before = rss_kib(child);
    int failures = measure(target, calls);
    long rss_after = rss_kib(child);
    printf("server RSS: %ld KiB before, %ld KiB after\n", rss_before, rss_after);

    kill(child, SIGTERM);
    int status = 0;
    waitpid(child, &status, 0);
    printf("server exit: %s\n",
           WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "clean" : "NOT clean");
    return failures == 0 ? 0 : 1;
}
