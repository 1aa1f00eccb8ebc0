/*
 * request_main.c - request/reply from the command line: a responder that
 * answers every request with its text in capitals, and a requester.
 *
 *   NATS_URL=nats://127.0.0.1:4222 build/bin/05_nats/request serve svc.shout [GROUP]
 *   NATS_URL=nats://127.0.0.1:4222 build/bin/05_nats/request call svc.shout 'hello'
 *
 * Call with no responder running: "no responders", at once. Start two
 * responders with the same GROUP: each request goes to one of them.
 * The responder stops on Ctrl-C (SIGINT) or SIGTERM.
 *
 * Uses request.c (your exercise).
 */
#include "request.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void shout(const char *request, size_t len, char *reply, size_t replylen, void *user)
{
    (void)user;
    size_t n = len < replylen - 1 ? len : replylen - 1;
    for (size_t i = 0; i < n; i++)
        reply[i] = (char)toupper((unsigned char)request[i]);
    reply[n] = '\0';
    printf("answered \"%.*s\"\n", (int)len, request);
    fflush(stdout);
}

static int serve(natsConnection *nc, const char *subject, const char *group)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0) {
        perror("request: sigaction");
        return 1;
    }
    struct request_server_options opt = {
        .subject = subject, .group = group, .stop = &stop_requested};
    char err[512] = "";
    printf("Answering requests on \"%s\"%s%s (Ctrl-C to stop)\n", subject,
           group ? " in queue group " : "", group ? group : "");
    fflush(stdout);
    int answered = request_serve(nc, &opt, shout, NULL, err, sizeof err);
    if (answered < 0) {
        fprintf(stderr, "request: %s\n", err);
        return 1;
    }
    printf("Stopped after %d answer(s)\n", answered);
    return 0;
}

int main(int argc, char **argv)
{
    bool call = argc == 4 && strcmp(argv[1], "call") == 0;
    bool serving = (argc == 3 || argc == 4) && strcmp(argv[1], "serve") == 0;
    if (!call && !serving) {
        fprintf(stderr, "usage: request call SUBJECT TEXT | request serve SUBJECT [GROUP]\n");
        return 2;
    }
    const char *url = getenv("NATS_URL");
    if (!url || !*url)
        url = "nats://127.0.0.1:4222";

    natsConnection *nc = NULL;
    char err[512] = "";
    int rc = 1;
    if (nats_link_connect(&nc, url, 2000, err, sizeof err) != 0) {
        fprintf(stderr, "request: %s\n", err);
    } else if (call) {
        char reply[4096];
        int r = request_call(nc, argv[2], argv[3], reply, sizeof reply, 2000, err, sizeof err);
        if (r == 0) {
            printf("Reply: \"%s\"\n", reply);
            rc = 0;
        } else {
            fprintf(stderr, "request: %s\n", err);
        }
    } else {
        rc = serve(nc, argv[2], argc == 4 ? argv[3] : NULL);
    }
    natsConnection_Destroy(nc);
    nats_Close();
    return rc;
}
