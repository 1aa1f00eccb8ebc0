/*
 * http_get.c - a tiny command-line HTTP client built on http_get().
 *
 * Usage: http_get [URL]        (default URL: http://127.0.0.1:8080/)
 *
 * It fetches the URL once. When the server answers with a 2xx status it
 * prints the body; for any other status it prints "Failed to fetch data:
 * <status>"; when no answer arrives at all it prints why. The exit code is 0
 * only for a 2xx answer.
 *
 * Try it against the hello_server of this chapter, or any web server:
 *   ./http_get http://127.0.0.1:8080/
 *   ./http_get http://127.0.0.1:1/          (nothing listens: an error)
 */
#include "http_client.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One request holds nothing that must be released by hand (the kernel closes
 * the socket), so Ctrl-C just says so and leaves at once. Only
 * async-signal-safe calls (write, _exit) are allowed in a handler. */
static void on_signal(int sig)
{
    static const char msg[] = "\nhttp_get: interrupted, request abandoned\n";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    _exit(128 + sig);
}

static int install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    if (sigemptyset(&sa.sa_mask) != 0 || sigaction(SIGINT, &sa, NULL) != 0 ||
        sigaction(SIGTERM, &sa, NULL) != 0) {
        perror("http_get: sigaction");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *url = argc > 1 ? argv[1] : "http://127.0.0.1:8080/";

    if (install_signal_handlers() != 0)
        return EXIT_FAILURE;

    /* Once per program, before any other libcurl call. */
    CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (init != CURLE_OK) {
        fprintf(stderr, "http_get: curl_global_init failed: %s\n", curl_easy_strerror(init));
        return EXIT_FAILURE;
    }

    struct http_response response;
    int exit_code = EXIT_FAILURE;

    if (http_get(url, HTTP_DEFAULT_TIMEOUT_MS, &response) != 0) {
        /* No answer at all: refused, unknown host, timeout, ... */
        fprintf(stderr, "Failed to fetch data: %s\n", response.error);
    } else if (response.status >= 200 && response.status < 300) {
        printf("Response: %s\n", response.body);
        exit_code = EXIT_SUCCESS;
    } else {
        /* The server answered, but not with success. */
        printf("Failed to fetch data: %ld\n", response.status);
    }

    http_response_free(&response);
    curl_global_cleanup();
    return exit_code;
}
