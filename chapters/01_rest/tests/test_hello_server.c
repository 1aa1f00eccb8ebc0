/*
 * test_hello_server.c - tests of the hello_server exercise.
 *
 * Each test starts the student's server in-process on port 0 (any free
 * port), talks to it over a real socket with libcurl (wb_http.h) and stops it.
 */
#include "hello_server.h"
#include "wb_http.h"
#include "wb_testkit.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

WB_SUITE(hello_server);

/* Starts a server on port 0 and checks that it reports a real port. */
static struct hello_server *start_any_port(void)
{
    struct hello_server *server = hello_server_start(0);
    cr_assert_not_null(server, "hello_server_start(0) returned NULL: it should start a server "
                               "on any free port of 127.0.0.1 (see stderr for why it failed)");
    cr_assert_neq(hello_server_port(server), 0,
                  "hello_server_start(0) succeeded but hello_server_port() returned 0: "
                  "ask MHD which port it bound (MHD_get_daemon_info with "
                  "MHD_DAEMON_INFO_BIND_PORT)");
    return server;
}

static void url_of(char *url, size_t size, const struct hello_server *server, const char *path)
{
    snprintf(url, size, "http://127.0.0.1:%u%s", hello_server_port(server), path);
}

/* GET / on a fresh server, which must answer 200; url receives the URL. */
static struct hello_server *get_root(char *url, size_t size, struct wb_http_response *res)
{
    struct hello_server *server = start_any_port();
    url_of(url, size, server, "/");
    wb_http_get(url, res);
    cr_assert_eq(res->status, 200, "GET %s: expected status 200, got %s", url,
                 wb_http_describe(res));
    return server;
}

Test(hello_server, get_root_says_hello)
{
    char url[128];
    struct wb_http_response res;
    struct hello_server *server = get_root(url, sizeof url, &res);
    cr_assert_str_eq(res.body, HELLO_BODY, "GET %s: expected the body \"%s\", got \"%s\"", url,
                     HELLO_BODY, res.body);

    wb_http_response_free(&res);
    hello_server_stop(server);
}

Test(hello_server, connection_stays_open_for_the_next_request)
{
    char url[128];
    struct wb_http_response res;
    struct hello_server *server = get_root(url, sizeof url, &res);
    const char *connection = wb_http_header(&res, "Connection");
    cr_assert(connection == NULL || strcasecmp(connection, "close") != 0,
              "GET %s answered with \"Connection: close\": the handler answered on its first "
              "call, before MHD had read the whole request, so MHD must close the connection "
              "and every client pays a new TCP handshake per request. Answer on the second "
              "call (mark the first one in *req_cls)",
              url);

    wb_http_response_free(&res);
    hello_server_stop(server);
}

Test(hello_server, get_root_is_text_plain)
{
    char url[128];
    struct wb_http_response res;
    struct hello_server *server = get_root(url, sizeof url, &res);
    const char *type = wb_http_header(&res, "Content-Type");
    cr_assert_not_null(type,
                       "GET %s: the answer has no Content-Type header; expected "
                       "text/plain",
                       url);
    cr_assert(strncmp(type, "text/plain", strlen("text/plain")) == 0,
              "GET %s: expected Content-Type text/plain, got \"%s\"", url, type);

    wb_http_response_free(&res);
    hello_server_stop(server);
}

Test(hello_server, head_root_has_no_body)
{
    struct hello_server *server = start_any_port();
    char url[128];
    url_of(url, sizeof url, server, "/");

    struct wb_http_response res;
    wb_http_request("HEAD", url, NULL, NULL, 0, &res);
    cr_assert_eq(res.status, 200,
                 "HEAD %s: expected 200 (HEAD is GET without the body), "
                 "got %s",
                 url, wb_http_describe(&res));
    cr_assert_eq(res.body_len, 0, "HEAD %s: the answer must have no body, got \"%s\"", url,
                 res.body);
    wb_http_response_free(&res);
    hello_server_stop(server);
}

Test(hello_server, unknown_path_is_404)
{
    struct hello_server *server = start_any_port();
    const char *paths[] = {"/nope", "/hello", "/index.html"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        char url[128];
        url_of(url, sizeof url, server, paths[i]);
        struct wb_http_response res;
        wb_http_get(url, &res);
        cr_assert_eq(res.status, 404, "GET %s: expected 404 Not Found for an unknown path, got %s",
                     url, wb_http_describe(&res));
        wb_http_response_free(&res);
    }
    hello_server_stop(server);
}

Test(hello_server, other_method_is_405_with_allow)
{
    struct hello_server *server = start_any_port();
    char url[128];
    url_of(url, sizeof url, server, "/");

    const char *methods[] = {"POST", "PUT", "DELETE"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        struct wb_http_response res;
        const char *body = strcmp(methods[i], "DELETE") == 0 ? NULL : "x=1";
        wb_http_request(methods[i], url, body, NULL, 0, &res);
        cr_assert_eq(res.status, 405, "%s %s: expected 405 Method Not Allowed, got %s", methods[i],
                     url, wb_http_describe(&res));
        const char *allow = wb_http_header(&res, "Allow");
        cr_assert_not_null(allow,
                           "%s %s: a 405 answer must carry an Allow header listing "
                           "the methods the path accepts (GET)",
                           methods[i], url);
        cr_assert(strstr(allow, "GET") != NULL,
                  "%s %s: expected the Allow header to list GET, got \"%s\"", methods[i], url,
                  allow);
        wb_http_response_free(&res);
    }
    hello_server_stop(server);
}

Test(hello_server, port_zero_reports_a_working_port)
{
    struct hello_server *server = start_any_port();
    uint16_t port = hello_server_port(server);
    cr_assert(wb_wait_port(port, 2000),
              "hello_server_port() said %u, but nothing accepts connections on "
              "127.0.0.1:%u: report the port MHD actually bound, not the one you asked for",
              port, port);
    hello_server_stop(server);
}

Test(hello_server, two_servers_side_by_side)
{
    struct hello_server *first = start_any_port();
    struct hello_server *second = start_any_port();
    cr_assert_neq(hello_server_port(first), hello_server_port(second),
                  "two servers started on port 0 both report port %u: each must report its "
                  "own port (keep it in the server struct, not in a global)",
                  hello_server_port(first));

    struct hello_server *servers[] = {first, second};
    for (size_t i = 0; i < 2; i++) {
        char url[128];
        url_of(url, sizeof url, servers[i], "/");
        struct wb_http_response res;
        wb_http_get(url, &res);
        cr_assert_eq(res.status, 200, "with two servers running, GET %s: expected 200, got %s", url,
                     wb_http_describe(&res));
        wb_http_response_free(&res);
    }
    hello_server_stop(first);
    hello_server_stop(second);
}

Test(hello_server, stop_closes_the_port)
{
    struct hello_server *server = start_any_port();
    uint16_t port = hello_server_port(server);
    char url[128];
    url_of(url, sizeof url, server, "/");

    struct wb_http_response res;
    wb_http_get(url, &res);
    cr_assert_eq(res.status, 200, "GET %s before stopping: expected 200, got %s", url,
                 wb_http_describe(&res));
    wb_http_response_free(&res);

    hello_server_stop(server);
    int rc = wb_http_request("GET", url, NULL, NULL, 1000, &res);
    cr_assert_eq(rc, -1,
                 "GET %s after hello_server_stop(): expected connection refused, "
                 "but the server still answered (%s); stop the MHD daemon",
                 url, wb_http_describe(&res));
    wb_http_response_free(&res);
    cr_assert_not(wb_wait_port(port, 100),
                  "port %u still accepts connections after "
                  "hello_server_stop()",
                  port);
}

Test(hello_server, taken_port_fails_cleanly)
{
    struct hello_server *first = start_any_port();
    uint16_t port = hello_server_port(first);

    struct hello_server *second = hello_server_start(port);
    if (second != NULL)
        hello_server_stop(second);
    cr_assert_null(second,
                   "hello_server_start(%u) returned a server although port %u is "
                   "already in use by another server: it must return NULL",
                   port, port);

    /* The first server must be unharmed by the failed attempt. */
    char url[128];
    url_of(url, sizeof url, first, "/");
    struct wb_http_response res;
    wb_http_get(url, &res);
    cr_assert_eq(res.status, 200,
                 "after a failed start on its port, GET %s: expected 200 "
                 "from the first server, got %s",
                 url, wb_http_describe(&res));
    wb_http_response_free(&res);
    hello_server_stop(first);
}

/* The server runs inside this test process, so its listening socket is one
 * of ours: look up the address it is bound to. 0.0.0.0 (every interface)
 * also answers on 127.0.0.1, which is why only this test can tell. */
Test(hello_server, listens_on_loopback_only)
{
    struct hello_server *server = start_any_port();
    char address[64] = "";
    bool found = wb_listening_address(hello_server_port(server), address, sizeof address);
    cr_assert(found,
              "no socket of this process listens on port %u, the port "
              "hello_server_port() reported",
              hello_server_port(server));
    cr_assert_str_eq(address, "127.0.0.1",
                     "the server listens on %s port %u: it must listen on 127.0.0.1 only (bind "
                     "the address with MHD_OPTION_SOCK_ADDR), not on every interface",
                     address, hello_server_port(server));
    hello_server_stop(server);
}
