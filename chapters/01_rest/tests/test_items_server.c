/*
 * test_items_server.c - tests of the items_server exercise.
 *
 * Each test starts the student's server in-process on port 0, sends real
 * HTTP requests with libcurl (wb_http.h), reads the JSON answers with
 * jansson, and stops the server.
 */
#define _GNU_SOURCE /* dladdr */
#include "items_server.h"
#include "wb_http.h"
#include "wb_testkit.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <execinfo.h>
#include <jansson.h>
#include <stdatomic.h>
#include <time.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

WB_SUITE(items_server);

static const char *const json_headers[] = {"Content-Type: application/json", NULL};

static struct items_server *start_server(size_t max_body)
{
    struct items_server *server = items_server_start(0, max_body);
    cr_assert_not_null(server,
                       "items_server_start(0, %zu) returned NULL: it should start "
                       "the API on a free port (see stderr for why it failed)",
                       max_body);
    cr_assert_neq(items_server_port(server), 0,
                  "items_server_port() returned 0 for a "
                  "started server");
    return server;
}

static void url_of(char *url, size_t size, const struct items_server *server, const char *path)
{
    snprintf(url, size, "http://127.0.0.1:%u%s", items_server_port(server), path);
}

/* Sends a request and parses the answer's body as JSON (NULL when the body is
 * not JSON). The caller frees res and the returned value. */
static json_t *call_json(const char *method, const char *url, const char *body,
                         struct wb_http_response *res)
{
    wb_http_request(method, url, body, body != NULL ? json_headers : NULL, 0, res);
    return json_loadb(res->body, res->body_len, 0, NULL);
}

/* POSTs an item and checks the 201; returns the stored item (caller frees). */
static json_t *create_item(const struct items_server *server, const char *body)
{
    char url[128];
    url_of(url, sizeof url, server, "/items");
    struct wb_http_response res;
    json_t *item = call_json("POST", url, body, &res);
    cr_assert_eq(res.status, 201, "POST %s with %s: expected 201 Created, got %s", url, body,
                 wb_http_describe(&res));
    cr_assert(json_is_object(item),
              "POST %s with %s: expected the stored item as a JSON "
              "object in the body, got \"%s\"",
              url, body, res.body);
    cr_assert(json_is_integer(json_object_get(item, "id")),
              "POST %s with %s: the answer must hold an integer \"id\", got %s", url, body,
              res.body);
    wb_http_response_free(&res);
    return item;
}

static json_int_t id_of(const json_t *item)
{
    return json_integer_value(json_object_get(item, "id"));
}

/* Checks that the answer is a JSON object {"error": "..."} whose message
 * mentions word (when word is not NULL). */
static void expect_json_error(const char *request, json_t *answer,
                              const struct wb_http_response *res, const char *word)
{
    cr_assert(json_is_object(answer),
              "%s: errors must come with a JSON body like "
              "{\"error\": \"...\"}, got \"%s\"",
              request, res->body);
    json_t *message = json_object_get(answer, "error");
    cr_assert(json_is_string(message) && json_string_length(message) > 0,
              "%s: the error body needs a non-empty string field \"error\", got %s", request,
              res->body);
    if (word != NULL)
        cr_assert(strstr(json_string_value(message), word) != NULL,
                  "%s: the error message should name the problem (\"%s\"), got \"%s\"", request,
                  word, json_string_value(message));
}

Test(items_server, create_returns_201_with_location)
{
    struct items_server *server = start_server(0);
    const char *body = "{\"name\": \"pencil\", \"price\": 1.25}";
    json_t *item;
    char url[128];
    url_of(url, sizeof url, server, "/items");

    struct wb_http_response res;
    item = call_json("POST", url, body, &res);
    cr_assert_eq(res.status, 201, "POST %s with %s: expected 201 Created, got %s", url, body,
                 wb_http_describe(&res));
    cr_assert(json_is_object(item),
              "POST %s: expected the stored item as a JSON object, "
              "got \"%s\"",
              url, res.body);
    json_t *id = json_object_get(item, "id");
    cr_assert(json_is_integer(id) && json_integer_value(id) > 0,
              "POST %s: the stored item needs a positive integer \"id\", got %s", url, res.body);
    cr_assert_str_eq(json_string_value(json_object_get(item, "name")), "pencil",
                     "POST %s with %s: the stored item should keep name \"pencil\", got %s", url,
                     body, res.body);
    cr_assert(json_number_value(json_object_get(item, "price")) == 1.25,
              "POST %s with %s: the stored item should keep price 1.25, got %s", url, body,
              res.body);

    char expected[64];
    snprintf(expected, sizeof expected, "/items/%" JSON_INTEGER_FORMAT, json_integer_value(id));
    const char *location = wb_http_header(&res, "Location");
    cr_assert_not_null(location,
                       "POST %s: a 201 answer needs a Location header (expected "
                       "\"%s\")",
                       url, expected);
    cr_assert_str_eq(location, expected, "POST %s: expected Location \"%s\", got \"%s\"", url,
                     expected, location);

    json_decref(item);
    wb_http_response_free(&res);
    items_server_stop(server);
}

Test(items_server, list_returns_created_items)
{
    struct items_server *server = start_server(0);
    const char *names[] = {"pen", "ink", "paper"};
    for (size_t i = 0; i < 3; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"name\": \"%s\", \"price\": %zu}", names[i], i + 1);
        json_decref(create_item(server, body));
    }

    char url[128];
    url_of(url, sizeof url, server, "/items");
    struct wb_http_response res;
    json_t *list = call_json("GET", url, NULL, &res);
    cr_assert_eq(res.status, 200, "GET %s: expected 200, got %s", url, wb_http_describe(&res));
    cr_assert(json_is_array(list), "GET %s: expected a JSON array of items, got \"%s\"", url,
              res.body);
    cr_assert_eq(json_array_size(list), 3, "GET %s after 3 POSTs: expected 3 items, got %zu: %s",
                 url, json_array_size(list), res.body);
    for (size_t i = 0; i < 3; i++) {
        const char *name = json_string_value(json_object_get(json_array_get(list, i), "name"));
        cr_assert(name != NULL && strcmp(name, names[i]) == 0,
                  "GET %s: item %zu should be \"%s\" (items in id order), got %s", url, i, names[i],
                  res.body);
    }
    json_decref(list);
    wb_http_response_free(&res);
    items_server_stop(server);
}

Test(items_server, get_one_returns_item)
{
    struct items_server *server = start_server(0);
    json_decref(create_item(server, "{\"name\": \"first\", \"price\": 1}"));
    json_t *created = create_item(server, "{\"name\": \"eraser\", \"price\": 0.5}");

    char path[64], url[128];
    snprintf(path, sizeof path, "/items/%" JSON_INTEGER_FORMAT, id_of(created));
    url_of(url, sizeof url, server, path);
    struct wb_http_response res;
    json_t *item = call_json("GET", url, NULL, &res);
    cr_assert_eq(res.status, 200, "GET %s: expected 200, got %s", url, wb_http_describe(&res));
    cr_assert(json_is_object(item), "GET %s: expected the item as a JSON object, got \"%s\"", url,
              res.body);
    cr_assert(json_equal(item, created),
              "GET %s: expected the item as the POST returned it "
              "(id, name \"eraser\", price 0.5), got %s",
              url, res.body);
    cr_assert_str_eq(wb_http_header(&res, "Content-Type") != NULL
                         ? wb_http_header(&res, "Content-Type")
                         : "(none)",
                     "application/json", "GET %s: expected Content-Type application/json", url);
    json_decref(item);
    json_decref(created);
    wb_http_response_free(&res);
    items_server_stop(server);
}

Test(items_server, put_replaces_item)
{
    struct items_server *server = start_server(0);
    json_t *created = create_item(server, "{\"name\": \"pencil\", \"price\": 1}");
    char path[64], url[128];
    snprintf(path, sizeof path, "/items/%" JSON_INTEGER_FORMAT, id_of(created));
    url_of(url, sizeof url, server, path);

    const char *body = "{\"name\": \"red pencil\", \"price\": 2.5}";
    struct wb_http_response res;
    json_t *item = call_json("PUT", url, body, &res);
    cr_assert_eq(res.status, 200, "PUT %s with %s: expected 200, got %s", url, body,
                 wb_http_describe(&res));
    cr_assert(json_is_object(item) && id_of(item) == id_of(created),
              "PUT %s: expected the stored item with the same id back, got \"%s\"", url, res.body);
    json_decref(item);
    wb_http_response_free(&res);

    item = call_json("GET", url, NULL, &res);
    cr_assert_eq(res.status, 200, "GET %s after PUT: expected 200, got %s", url,
                 wb_http_describe(&res));
    const char *name = json_string_value(json_object_get(item, "name"));
    cr_assert(name != NULL && strcmp(name, "red pencil") == 0 &&
                  json_number_value(json_object_get(item, "price")) == 2.5,
              "GET %s after PUT %s: expected the new name and price, got %s", url, body, res.body);
    json_decref(item);
    json_decref(created);
    wb_http_response_free(&res);
    items_server_stop(server);
}

Test(items_server, delete_then_get_is_404)
{
    struct items_server *server = start_server(0);
    json_t *created = create_item(server, "{\"name\": \"stapler\", \"price\": 7}");
    char path[64], url[128];
    snprintf(path, sizeof path, "/items/%" JSON_INTEGER_FORMAT, id_of(created));
    url_of(url, sizeof url, server, path);

    struct wb_http_response res;
    wb_http_request("DELETE", url, NULL, NULL, 0, &res);
    cr_assert_eq(res.status, 204, "DELETE %s: expected 204 No Content, got %s", url,
                 wb_http_describe(&res));
    cr_assert_eq(res.body_len, 0, "DELETE %s: a 204 answer has no body, got \"%s\"", url, res.body);
    wb_http_response_free(&res);

    json_t *answer = call_json("GET", url, NULL, &res);
    cr_assert_eq(res.status, 404, "GET %s after DELETE: expected 404, got %s", url,
                 wb_http_describe(&res));
    json_decref(answer);
    wb_http_response_free(&res);

    url_of(url, sizeof url, server, "/items");
    json_t *list = call_json("GET", url, NULL, &res);
    cr_assert(json_is_array(list) && json_array_size(list) == 0,
              "GET %s after deleting the only item: expected [], got %s", url,
              wb_http_describe(&res));
    json_decref(list);
    json_decref(created);
    wb_http_response_free(&res);
    items_server_stop(server);
}

Test(items_server, malformed_json_is_400)
{
    struct items_server *server = start_server(0);
    char url[128];
    url_of(url, sizeof url, server, "/items");
    const char *bodies[] = {"{\"name\": \"pen\", ", "not json at all", "", "[1, 2]"};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        char request[160];
        snprintf(request, sizeof request, "POST %s with body '%s'", url, bodies[i]);
        struct wb_http_response res;
        json_t *answer = call_json("POST", url, bodies[i], &res);
        cr_assert_eq(res.status, 400, "%s: expected 400 Bad Request, got %s", request,
                     wb_http_describe(&res));
        expect_json_error(request, answer, &res, NULL);
        json_decref(answer);
        wb_http_response_free(&res);
    }
    items_server_stop(server);
}

Test(items_server, missing_field_is_400)
{
    struct items_server *server = start_server(0);
    char url[128];
    url_of(url, sizeof url, server, "/items");
    struct {
        const char *body;
        const char *field;
    } cases[] = {
        {"{\"name\": \"pen\"}", "price"},
        {"{\"price\": 3}", "name"},
        {"{}", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char request[160];
        snprintf(request, sizeof request, "POST %s with %s", url, cases[i].body);
        struct wb_http_response res;
        json_t *answer = call_json("POST", url, cases[i].body, &res);
        cr_assert_eq(res.status, 400, "%s: expected 400 (missing field), got %s", request,
                     wb_http_describe(&res));
        expect_json_error(request, answer, &res, cases[i].field);
        json_decref(answer);
        wb_http_response_free(&res);
    }
    items_server_stop(server);
}

Test(items_server, wrong_type_is_400)
{
    struct items_server *server = start_server(0);
    json_t *created = create_item(server, "{\"name\": \"pen\", \"price\": 1}");
    char item_path[64], item_url[128], list_url[128];
    snprintf(item_path, sizeof item_path, "/items/%" JSON_INTEGER_FORMAT, id_of(created));
    url_of(item_url, sizeof item_url, server, item_path);
    url_of(list_url, sizeof list_url, server, "/items");
    struct {
        const char *method;
        const char *url;
        const char *body;
        const char *field;
    } cases[] = {
        {"POST", list_url, "{\"name\": 42, \"price\": 1}", "name"},
        {"POST", list_url, "{\"name\": \"pen\", \"price\": \"cheap\"}", "price"},
        {"POST", list_url, "{\"name\": \"pen\", \"price\": null}", "price"},
        {"PUT", item_url, "{\"name\": [\"pen\"], \"price\": 1}", "name"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char request[200];
        snprintf(request, sizeof request, "%s %s with %s", cases[i].method, cases[i].url,
                 cases[i].body);
        struct wb_http_response res;
        json_t *answer = call_json(cases[i].method, cases[i].url, cases[i].body, &res);
        cr_assert_eq(res.status, 400, "%s: expected 400 (field of the wrong type), got %s", request,
                     wb_http_describe(&res));
        expect_json_error(request, answer, &res, cases[i].field);
        json_decref(answer);
        wb_http_response_free(&res);
    }
    json_decref(created);
    items_server_stop(server);
}

Test(items_server, unknown_id_is_404)
{
    struct items_server *server = start_server(0);
    json_decref(create_item(server, "{\"name\": \"pen\", \"price\": 1}"));
    char url[128];
    url_of(url, sizeof url, server, "/items/9999");
    const char *methods[] = {"GET", "PUT", "DELETE"};
    for (size_t i = 0; i < 3; i++) {
        const char *body =
            strcmp(methods[i], "PUT") == 0 ? "{\"name\": \"ghost\", \"price\": 1}" : NULL;
        char request[160];
        snprintf(request, sizeof request, "%s %s (no such item)", methods[i], url);
        struct wb_http_response res;
        json_t *answer = call_json(methods[i], url, body, &res);
        cr_assert_eq(res.status, 404, "%s: expected 404 Not Found, got %s", request,
                     wb_http_describe(&res));
        expect_json_error(request, answer, &res, NULL);
        json_decref(answer);
        wb_http_response_free(&res);
    }
    items_server_stop(server);
}

Test(items_server, unknown_path_is_404)
{
    struct items_server *server = start_server(0);
    const char *paths[] = {"/", "/things", "/items/abc", "/items/1/extra"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        char url[128];
        url_of(url, sizeof url, server, paths[i]);
        struct wb_http_response res;
        wb_http_get(url, &res);
        cr_assert_eq(res.status, 404,
                     "GET %s: expected 404 for a path the API does not have, "
                     "got %s",
                     url, wb_http_describe(&res));
        wb_http_response_free(&res);
    }
    items_server_stop(server);
}

/* A body of exactly `size` bytes that is a valid item: the name pads it. */
static char *item_body_of_size(size_t size)
{
    const char *head = "{\"name\": \"";
    const char *tail = "\", \"price\": 1}";
    char *body = malloc(size + 1);
    cr_assert_not_null(body, "test: malloc failed");
    size_t pad = size - strlen(head) - strlen(tail);
    strcpy(body, head);
    memset(body + strlen(head), 'x', pad);
    strcpy(body + strlen(head) + pad, tail);
    return body;
}

Test(items_server, oversize_body_is_413)
{
    size_t limit = 1024;
    struct items_server *server = start_server(limit);
    char url[128];
    url_of(url, sizeof url, server, "/items");

    char *big = item_body_of_size(4 * limit);
    struct wb_http_response res;
    wb_http_request("POST", url, big, json_headers, 0, &res);
    cr_assert_eq(res.status, 413,
                 "POST %s with a %zu-byte body to a server started with "
                 "max_body %zu: expected 413, got %s",
                 url, 4 * limit, limit, wb_http_describe(&res));
    wb_http_response_free(&res);
    free(big);

    /* A body within the limit is still accepted: the limit is not "refuse all". */
    char *fits = item_body_of_size(limit);
    wb_http_request("POST", url, fits, json_headers, 0, &res);
    cr_assert_eq(res.status, 201,
                 "POST %s with a %zu-byte body (exactly max_body): expected "
                 "201, got %s",
                 url, limit, wb_http_describe(&res));
    wb_http_response_free(&res);
    free(fits);
    items_server_stop(server);
}

Test(items_server, oversize_chunked_body_is_413)
{
    size_t limit = 1024;
    struct items_server *server = start_server(limit);
    char url[128];
    url_of(url, sizeof url, server, "/items");

    /* Chunked: no Content-Length announces the size, so the server has to
     * count the bytes as they arrive. */
    const char *const chunked[] = {"Content-Type: application/json", "Transfer-Encoding: chunked",
                                   NULL};
    char *big = item_body_of_size(8 * limit);
    struct wb_http_response res;
    wb_http_request("POST", url, big, chunked, 0, &res);
    cr_assert_eq(res.status, 413,
                 "POST %s with a chunked %zu-byte body to a server started "
                 "with max_body %zu: expected 413, got %s",
                 url, 8 * limit, limit, wb_http_describe(&res));
    wb_http_response_free(&res);
    free(big);
    items_server_stop(server);
}

Test(items_server, wrong_method_is_405_with_allow)
{
    struct items_server *server = start_server(0);
    json_t *created = create_item(server, "{\"name\": \"pen\", \"price\": 1}");
    char item_path[64];
    snprintf(item_path, sizeof item_path, "/items/%" JSON_INTEGER_FORMAT, id_of(created));

    struct {
        const char *method;
        const char *path;
        const char *must_allow[3];
    } cases[] = {
        {"DELETE", "/items", {"GET", "POST", NULL}},
        {"PUT", "/items", {"GET", "POST", NULL}},
        {"POST", item_path, {"GET", "PUT", "DELETE"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char url[128];
        url_of(url, sizeof url, server, cases[i].path);
        const char *body =
            strcmp(cases[i].method, "DELETE") == 0 ? NULL : "{\"name\": \"pen\", \"price\": 1}";
        struct wb_http_response res;
        wb_http_request(cases[i].method, url, body, json_headers, 0, &res);
        cr_assert_eq(res.status, 405, "%s %s: expected 405 Method Not Allowed, got %s",
                     cases[i].method, url, wb_http_describe(&res));
        const char *allow = wb_http_header(&res, "Allow");
        cr_assert_not_null(allow, "%s %s: a 405 answer must carry an Allow header", cases[i].method,
                           url);
        for (size_t m = 0; m < 3 && cases[i].must_allow[m] != NULL; m++)
            cr_assert(strstr(allow, cases[i].must_allow[m]) != NULL,
                      "%s %s: expected the Allow header to list %s, got \"%s\"", cases[i].method,
                      url, cases[i].must_allow[m], allow);
        wb_http_response_free(&res);
    }
    json_decref(created);
    items_server_stop(server);
}

/* Forcing the race instead of hoping for it. jansson allocates through
 * functions the test may replace (json_set_alloc_funcs). The first time a
 * server thread grows an array inside json_array_append_new - the items
 * table going from 8 to 16 entries - the probe holds that thread still for
 * up to PROBE_HOLD_MS and watches whether a POST that a client started
 * after the hold began gets its 201 meanwhile. With the store guarded by a
 * mutex that cannot happen (the held thread holds the lock, and every POST
 * needs it to append), so the hold simply ends; without the mutex another
 * thread appends and answers: the race is seen, every time (the test
 * reports it at once; the held thread stays held). */
#define PROBE_HOLD_MS 1500

static atomic_bool probe_armed;   /* the hold may still happen */
static atomic_bool probe_holding; /* a server thread is held right now */
static atomic_int probe_answered; /* POSTs started during the hold and answered 201 */
static atomic_bool probe_race_seen;

static bool called_from_array_append(void)
{
    void *frames[8];
    int n = backtrace(frames, 8);
    for (int i = 1; i < n; i++) {
        Dl_info info;
        if (dladdr(frames[i], &info) && info.dli_sname &&
            strcmp(info.dli_sname, "json_array_append_new") == 0)
            return true;
    }
    return false;
}

static void *probe_malloc(size_t size)
{
    bool expected = true;
    if (atomic_load(&probe_armed) && called_from_array_append() &&
        atomic_compare_exchange_strong(&probe_armed, &expected, false)) {
        atomic_store(&probe_holding, true);
        int64_t until = wb_now_ms() + PROBE_HOLD_MS;
        while (atomic_load(&probe_answered) == 0 && wb_now_ms() < until) {
            struct timespec tick = {0, 2 * 1000 * 1000};
            nanosleep(&tick, NULL);
        }
        atomic_store(&probe_race_seen, atomic_load(&probe_answered) > 0);
        /* Seen: this thread stays here, so the damage two appends at once
         * did to the table cannot crash the test before it reports. */
        while (atomic_load(&probe_race_seen)) {
            struct timespec tick = {0, 50 * 1000 * 1000};
            nanosleep(&tick, NULL);
        }
        atomic_store(&probe_holding, false);
    }
    return malloc(size);
}

/* ---- many clients at once ---------------------------------------------- */

#define POSTER_THREADS 8
#define POSTS_PER_THREAD 50

struct poster {
    char url[128];
    int thread;
    int created; /* POSTs answered 201 */
    char first_failure[400];
    atomic_bool done;
};

/* Runs in its own thread: no cr_assert here (Criterion asserts belong to the
 * test's main thread); failures are recorded and checked after the join. */
static void *post_many(void *arg)
{
    struct poster *p = arg;
    for (int i = 0; i < POSTS_PER_THREAD; i++) {
        char body[96];
        snprintf(body, sizeof body, "{\"name\": \"t%d-%d\", \"price\": %d}", p->thread, i, i);
        struct wb_http_response res;
        bool during_hold = atomic_load(&probe_holding);
        wb_http_request("POST", p->url, body, json_headers, 15000, &res);
        if (res.status == 201 && during_hold && atomic_load(&probe_holding))
            atomic_fetch_add(&probe_answered, 1);
        if (res.status == 201)
            p->created++;
        else if (p->first_failure[0] == '\0')
            snprintf(p->first_failure, sizeof p->first_failure, "POST %s with %s: %s", p->url, body,
                     wb_http_describe(&res));
        wb_http_response_free(&res);
    }
    atomic_store(&p->done, true);
    return NULL;
}

/* Generous bounds: the probe holds one thread up to PROBE_HOLD_MS, and the
 * machine may be busy; the test ends as soon as the posts are done. */
Test(items_server, concurrent_posts_get_distinct_ids, .timeout = 40,
     .description = "8 threads' 400 POSTs to be answered (a lock left held makes them all wait)")
{
    /* before the server allocates anything with jansson */
    json_set_alloc_funcs(probe_malloc, free);
    atomic_store(&probe_armed, true);
    struct items_server *server = start_server(0);
    static struct poster posters[POSTER_THREADS];
    pthread_t threads[POSTER_THREADS];
    for (int t = 0; t < POSTER_THREADS; t++) {
        url_of(posters[t].url, sizeof posters[t].url, server, "/items");
        posters[t].thread = t;
        int rc = pthread_create(&threads[t], NULL, post_many, &posters[t]);
        cr_assert_eq(rc, 0, "test: pthread_create failed: %s", strerror(rc));
    }
    /* Wait for the posters, but report a race as soon as the probe saw one
     * (the held thread's client would only time out). */
    for (int t = 0; t < POSTER_THREADS && !atomic_load(&probe_race_seen);) {
        if (atomic_load(&posters[t].done)) {
            t++;
            continue;
        }
        struct timespec tick = {0, 10 * 1000 * 1000};
        nanosleep(&tick, NULL);
    }
    cr_assert_not(atomic_load(&probe_race_seen),
                  "while one server thread was inside json_array_append_new (the items table "
                  "growing), another POST was stored and answered 201: two threads changed the "
                  "store at once. Hold server->lock around every access to the items and "
                  "next_id");
    for (int t = 0; t < POSTER_THREADS; t++)
        pthread_join(threads[t], NULL);
    for (int t = 0; t < POSTER_THREADS; t++)
        cr_assert_eq(posters[t].created, POSTS_PER_THREAD,
                     "%d threads each sent %d POSTs at the same time; thread %d got only %d "
                     "answers 201. First failure: %s",
                     POSTER_THREADS, POSTS_PER_THREAD, t, posters[t].created,
                     posters[t].first_failure);

    char url[128];
    url_of(url, sizeof url, server, "/items");
    struct wb_http_response res;
    json_t *list = call_json("GET", url, NULL, &res);
    size_t expected = POSTER_THREADS * POSTS_PER_THREAD;
    cr_assert(json_is_array(list), "GET %s: expected a JSON array, got %s", url,
              wb_http_describe(&res));
    cr_assert_eq(json_array_size(list), expected,
                 "after %zu concurrent POSTs, GET %s lists %zu items: the store lost or "
                 "duplicated some (guard it with a mutex)",
                 expected, url, json_array_size(list));

    /* Ids must be distinct: sort a copy and look for neighbours that are equal. */
    json_int_t ids[POSTER_THREADS * POSTS_PER_THREAD];
    for (size_t i = 0; i < expected; i++)
        ids[i] = id_of(json_array_get(list, i));
    for (size_t i = 1; i < expected; i++) {
        for (size_t j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
            json_int_t swap = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = swap;
        }
    }
    for (size_t i = 1; i < expected; i++)
        cr_assert_neq(ids[i], ids[i - 1],
                      "after concurrent POSTs two items share the id %" JSON_INTEGER_FORMAT
                      ": hand out ids under the mutex",
                      ids[i]);
    json_decref(list);
    wb_http_response_free(&res);
    items_server_stop(server);
}

Test(items_server, ids_are_never_reused)
{
    struct items_server *server = start_server(0);
    json_t *first = create_item(server, "{\"name\": \"pen\", \"price\": 1}");
    json_t *last = create_item(server, "{\"name\": \"ink\", \"price\": 2}");
    char path[64], url[128];
    snprintf(path, sizeof path, "/items/%" JSON_INTEGER_FORMAT, id_of(last));
    url_of(url, sizeof url, server, path);
    struct wb_http_response res;
    wb_http_request("DELETE", url, NULL, NULL, 0, &res);
    cr_assert_eq(res.status, 204, "DELETE %s: expected 204, got %s", url, wb_http_describe(&res));
    wb_http_response_free(&res);

    json_t *next = create_item(server, "{\"name\": \"paper\", \"price\": 3}");
    cr_assert(id_of(next) > id_of(last),
              "items got ids %" JSON_INTEGER_FORMAT " and %" JSON_INTEGER_FORMAT
              ", the second was deleted, and the next POST got id %" JSON_INTEGER_FORMAT
              ": ids are never reused, so expected more than %" JSON_INTEGER_FORMAT,
              id_of(first), id_of(last), id_of(next), id_of(last));
    json_decref(first);
    json_decref(last);
    json_decref(next);
    items_server_stop(server);
}

Test(items_server, empty_name_and_negative_price_are_400)
{
    struct items_server *server = start_server(0);
    json_t *created = create_item(server, "{\"name\": \"pen\", \"price\": 0}");
    char item_path[64], item_url[128], list_url[128];
    snprintf(item_path, sizeof item_path, "/items/%" JSON_INTEGER_FORMAT, id_of(created));
    url_of(item_url, sizeof item_url, server, item_path);
    url_of(list_url, sizeof list_url, server, "/items");
    struct {
        const char *method, *url, *body, *field;
    } cases[] = {
        {"POST", list_url, "{\"name\": \"\", \"price\": 1}", "name"},
        {"POST", list_url, "{\"name\": \"pen\", \"price\": -0.5}", "price"},
        {"PUT", item_url, "{\"name\": \"\", \"price\": 1}", "name"},
        {"PUT", item_url, "{\"name\": \"pen\", \"price\": -3}", "price"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char request[200];
        snprintf(request, sizeof request, "%s %s with %s", cases[i].method, cases[i].url,
                 cases[i].body);
        struct wb_http_response res;
        json_t *answer = call_json(cases[i].method, cases[i].url, cases[i].body, &res);
        cr_assert_eq(res.status, 400,
                     "%s: expected 400 (the name must not be empty, the price 0 or more), got %s",
                     request, wb_http_describe(&res));
        expect_json_error(request, answer, &res, cases[i].field);
        json_decref(answer);
        wb_http_response_free(&res);
    }
    json_decref(created);
    items_server_stop(server);
}

/* ---- a huge upload: the limit holds while the body arrives --------------- */

#define HUGE_UPLOAD_BYTES (64L * 1024 * 1024)
/* What the whole test process (server, client, libraries) may add to its
 * peak resident memory during the upload: a server that keeps at most
 * max_body bytes needs well under 1 MiB more; one that buffers the body adds
 * the 64 MiB. */
#define HUGE_UPLOAD_PEAK_GROWTH_KB (16L * 1024)

/* Peak resident memory of this process so far (VmHWM), in KiB. */
static long peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    cr_assert_not_null(f, "test: cannot open /proc/self/status");
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    fclose(f);
    cr_assert(kb > 0, "test: no VmHWM line in /proc/self/status");
    return kb;
}

/* libcurl's read callback: hands out 'x' until `left` is used up, never
 * holding the body in memory. */
static size_t generate_body(char *buffer, size_t size, size_t nitems, void *userdata)
{
    long *left = userdata;
    size_t n = size * nitems;
    if ((long)n > *left)
        n = (size_t)*left;
    memset(buffer, 'x', n);
    *left -= (long)n;
    return n;
}

Test(items_server, huge_upload_is_refused_without_buffering_it, .timeout = 40,
     .description = "the server to refuse a 64 MiB chunked upload with 413 while it arrives")
{
    size_t limit = 1024;
    struct items_server *server = start_server(limit);
    char url[128];
    url_of(url, sizeof url, server, "/items");
    long before = peak_rss_kb();

    /* Chunked, so no Content-Length announces the size up front. */
    long left = HUGE_UPLOAD_BYTES;
    long status = 0;
    CURL *curl = curl_easy_init();
    cr_assert_not_null(curl, "test: curl_easy_init failed");
    struct curl_slist *headers = curl_slist_append(NULL, "Transfer-Encoding: chunked");
    headers = headers ? curl_slist_append(headers, "Expect:") : NULL;
    cr_assert_not_null(headers, "test: curl_slist_append failed");
    CURLcode rc = CURLE_OK;
    if ((rc = curl_easy_setopt(curl, CURLOPT_URL, url)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_POST, 1L)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_READFUNCTION, generate_body)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_READDATA, &left)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L)) == CURLE_OK)
        rc = curl_easy_perform(curl);
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);

    long growth = peak_rss_kb() - before;
    /* The server may answer 413 and close before the client has sent it all
     * (curl then reports a send error): refusing early is fine. */
    cr_assert(status == 413 || rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR,
              "POST %s with a chunked %ld MiB body to a server started with max_body %zu: "
              "expected 413, got status %ld (%s)",
              url, HUGE_UPLOAD_BYTES >> 20, limit, status, curl_easy_strerror(rc));
    cr_assert(growth < HUGE_UPLOAD_PEAK_GROWTH_KB,
              "POST %s with a chunked %ld MiB body (max_body %zu): the process's peak memory "
              "grew by %ld KiB (limit %ld KiB). Count the bytes as they arrive and drop what "
              "is over the limit: never buffer a body without a bound",
              url, HUGE_UPLOAD_BYTES >> 20, limit, growth, HUGE_UPLOAD_PEAK_GROWTH_KB);
    items_server_stop(server);
}
