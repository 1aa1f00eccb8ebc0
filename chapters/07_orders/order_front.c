/*
 * order_front.c - service A of the document's sequence diagram (given; read
 * it, your exercises plug into it).
 *
 *     Client ->> order-front: POST /orders          (HTTP, libmicrohttpd)
 *     order-front ->> order-core: Place             (gRPC, core API)
 *     order-core ->> broker: order.confirmed        (AMQP, publisher confirms)
 *     broker ->> order-front: deliver               (AMQP, manual acks)
 *
 * With BROKER=kafka the two broker arrows are Kafka instead: order-core
 * produces to this instance's own topic (acks=all, delivery report) and
 * order-front reads it in a consumer group, committing after recording.
 *     order-front ->> Client: 201 Created           (HTTP, same request)
 *
 * Three kinds of threads share the state below: libmicrohttpd runs each HTTP
 * connection on its own thread (a POST blocks in pending_wait), one thread
 * consumes events, and gRPC runs its own. What they share is behind locks:
 * the pending table (pending.c), the idempotency keys (reliable.c) and the
 * store of confirmed orders (here).
 *
 * Configuration comes from the environment (see order_front_main).
 */
#include "order_front.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "balance.h"
#include "budget.h"
#include "hops.h"
#include "kafka_link.h"
#include "orders.pb-c.h"
#include "orders_grpc.h"
#include "pending.h"
#include "reliable.h"
#include "reliable_kafka.h"
#include "trace.h"

#define MAX_BODY 8192
#define NAME_LEN 256

/* ---- the store of confirmed orders (id -> JSON text) --------------------- */

struct stored_order {
    char *id;
    char *json;
    struct stored_order *next;
};

struct order_store {
    pthread_mutex_t lock;
    struct stored_order *head;
};

/* Records id once; a second event for the same id changes nothing (the
 * first confirmation wins). Returns 1 when new, 0 when known, -1 on OOM. */
static int store_put(struct order_store *s, const char *id, const char *json)
{
    pthread_mutex_lock(&s->lock);
    for (struct stored_order *o = s->head; o; o = o->next) {
        if (strcmp(o->id, id) == 0) {
            pthread_mutex_unlock(&s->lock);
            return 0;
        }
    }
    struct stored_order *o = calloc(1, sizeof *o);
    if (o) {
        o->id = strdup(id);
        o->json = strdup(json);
    }
    if (!o || !o->id || !o->json) {
        if (o) {
            free(o->id);
            free(o->json);
        }
        free(o);
        pthread_mutex_unlock(&s->lock);
        return -1;
    }
    o->next = s->head;
    s->head = o;
    pthread_mutex_unlock(&s->lock);
    return 1;
}

/* A heap copy of the JSON of id, or NULL. */
static char *store_get(struct order_store *s, const char *id)
{
    char *copy = NULL;
    pthread_mutex_lock(&s->lock);
    for (struct stored_order *o = s->head; o; o = o->next)
        if (strcmp(o->id, id) == 0) {
            copy = strdup(o->json);
            break;
        }
    pthread_mutex_unlock(&s->lock);
    return copy;
}

static void store_free(struct order_store *s)
{
    while (s->head) {
        struct stored_order *next = s->head->next;
        free(s->head->id);
        free(s->head->json);
        free(s->head);
        s->head = next;
    }
}

/* ---- the service's state ------------------------------------------------- */

struct front {
    /* configuration */
    char instance[64];
    char amqp_url[NAME_LEN];
    char exchange[NAME_LEN];
    char queue[NAME_LEN];
    char reply_key[NAME_LEN];
    bool kafka;              /* BROKER=kafka: events come from Kafka */
    char kafka_brokers[512]; /* KAFKA_BROKERS */
    const char *reply_to;    /* sent to order-core: reply_key, or on Kafka our topic */
    char rest_core[128];     /* "" = gRPC; else order-core's REST twin (bench) */
    /* shared state */
    struct pending_table *pending;
    struct idem_table *idem;
    struct order_store store;
    atomic_uint next_number;
    atomic_bool stop;
    atomic_bool consumer_ready; /* queue declared and bound at least once */
    atomic_bool setup_refused;  /* connected, but the broker refused the set-up */
    grpc_channel *channel;
    pthread_t consumer;
};

/* ---- the consumer thread: events back from order-core --------------------- */

/* One event, whichever broker brought it: record the order and wake its
 * request. The caller acknowledges (AMQP) or commits (Kafka) after this. */
static void record_event(struct front *f, const char *data, size_t len, const char *traceparent)
{
    char body[MAX_BODY];
    size_t n = len < sizeof body - 1 ? len : sizeof body - 1;
    memcpy(body, data, n);
    body[n] = '\0';

    char trace_id[33] = "";
    if (traceparent && !trace_parse(traceparent, trace_id))
        trace_id[0] = '\0';

    json_error_t error;
    json_t *event = json_loads(body, 0, &error);
    const char *id = event ? json_string_value(json_object_get(event, "order_id")) : NULL;
    if (!id) {
        fprintf(stderr, "order-front: event without order_id dropped: %.200s\n", body);
    } else {
        hop_log("broker", "order-front", f->kafka ? "kafka" : "amqp", trace_id, id,
                "deliver order.confirmed");
        if (store_put(&f->store, id, body) < 0)
            fprintf(stderr, "order-front: out of memory recording %s\n", id);
        /* 0 = nobody waits: a duplicate, or a late event whose request
         * already answered 504. The order is recorded either way. */
        pending_complete(f->pending, id, body);
    }
    json_decref(event);
}

/* One AMQP delivery: record the order, wake its request, then ack. */
static void handle_delivery(struct front *f, struct amqp_link *link, amqp_envelope_t *env)
{
    char header[64] = "";
    amqp_basic_properties_t *p = &env->message.properties;
    if (p->_flags & AMQP_BASIC_HEADERS_FLAG) {
        for (int i = 0; i < p->headers.num_entries; i++) {
            amqp_table_entry_t *e = &p->headers.entries[i];
            if (e->key.len == 11 && memcmp(e->key.bytes, "traceparent", 11) == 0 &&
                e->value.kind == AMQP_FIELD_KIND_UTF8 && e->value.value.bytes.len < 64) {
                memcpy(header, e->value.value.bytes.bytes, e->value.value.bytes.len);
                header[e->value.value.bytes.len] = '\0';
            }
        }
    }
    record_event(f, env->message.body.bytes, env->message.body.len, header[0] ? header : NULL);
    if (reliable_ack(link, env->delivery_tag) != 0)
        fprintf(stderr, "order-front: ack failed: %s\n", link->error);
}

/* Connects, declares and consumes until stop; reconnects after any broker
 * failure (a restart drops every connection). */
static void consume_amqp(struct front *f)
{
    while (!atomic_load(&f->stop)) {
        struct amqp_link link;
        if (amqp_link_open(&link, f->amqp_url, 2000) != 0) {
            fprintf(stderr, "order-front: broker: %s (retrying)\n", link.error);
            usleep(200 * 1000);
            continue;
        }
        if (reliable_consumer_setup(&link, f->exchange, f->queue, f->reply_key) != 0) {
            fprintf(stderr, "order-front: reliable_consumer_setup: %s (retrying)\n", link.error);
            if (!atomic_load(&f->consumer_ready))
                atomic_store(&f->setup_refused, true); /* a start-up that cannot work */
            amqp_link_close(&link);
            usleep(200 * 1000);
            continue;
        }
        atomic_store(&f->consumer_ready, true);
        while (!atomic_load(&f->stop)) {
            amqp_envelope_t env;
            struct timeval tv = {.tv_sec = 0, .tv_usec = 200 * 1000};
            amqp_maybe_release_buffers(link.conn);
            amqp_rpc_reply_t r = amqp_consume_message(link.conn, &env, &tv, 0);
            if (r.reply_type == AMQP_RESPONSE_NORMAL) {
                handle_delivery(f, &link, &env);
                amqp_destroy_envelope(&env);
                continue;
            }
            if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
                r.library_error == AMQP_STATUS_TIMEOUT)
                continue;
            fprintf(stderr, "order-front: consuming stopped (%s); reconnecting\n",
                    r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION
                        ? amqp_error_string2(r.library_error)
                        : "broker closed the channel");
            break;
        }
        amqp_link_close(&link);
    }
}

/* True once the group gave this consumer its partitions: from then on an
 * event produced to our topic will be read (the twin of "queue bound"). */
static bool kafka_assigned(rd_kafka_t *consumer)
{
    rd_kafka_topic_partition_list_t *parts = NULL;
    if (rd_kafka_assignment(consumer, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || !parts)
        return false;
    bool assigned = parts->cnt > 0;
    rd_kafka_topic_partition_list_destroy(parts);
    return assigned;
}

/* Reads our topic in our group until stop. librdkafka reconnects by itself
 * after a broker restart; errors it reports on the way are only logged. */
static void consume_kafka(struct front *f)
{
    char err[512] = "";
    if (kafka_link_ensure_topic(f->kafka_brokers, f->queue, 20000, err, sizeof err) != 0) {
        fprintf(stderr, "order-front: %s\n", err);
        atomic_store(&f->setup_refused, true);
        return;
    }
    rd_kafka_conf_t *conf = kafka_link_conf(f->kafka_brokers, KAFKA_LINK_CONSUMER, err, sizeof err);
    rd_kafka_t *consumer =
        conf ? kafka_events_consumer(conf, f->queue, f->queue, err, sizeof err) : NULL;
    if (!consumer) {
        fprintf(stderr, "order-front: Kafka consumer: %s\n", err);
        atomic_store(&f->setup_refused, true);
        return;
    }
    while (!atomic_load(&f->stop)) {
        rd_kafka_message_t *msg = rd_kafka_consumer_poll(consumer, 200);
        if (!atomic_load(&f->consumer_ready) && kafka_assigned(consumer))
            atomic_store(&f->consumer_ready, true);
        if (!msg)
            continue;
        if (msg->err) {
            if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                fprintf(stderr, "order-front: Kafka: %s\n", rd_kafka_message_errstr(msg));
            rd_kafka_message_destroy(msg);
            continue;
        }
        char traceparent[64];
        bool traced = kafka_link_header(msg, "traceparent", traceparent, sizeof traceparent);
        record_event(f, msg->payload, msg->len, traced ? traceparent : NULL);
        if (kafka_events_commit(consumer, msg, err, sizeof err) != 0)
            fprintf(stderr, "order-front: commit failed: %s\n", err);
        rd_kafka_message_destroy(msg);
    }
    rd_kafka_resp_err_t rc = rd_kafka_consumer_close(consumer);
    if (rc != RD_KAFKA_RESP_ERR_NO_ERROR)
        fprintf(stderr, "order-front: rd_kafka_consumer_close: %s\n", rd_kafka_err2str(rc));
    rd_kafka_destroy(consumer);
}

static void *consume_events(void *arg)
{
    struct front *f = arg;
    if (f->kafka)
        consume_kafka(f);
    else
        consume_amqp(f);
    return NULL;
}

/* ---- the gRPC call to order-core ----------------------------------------- */

/* Calls Place with a deadline of deadline_ms (pending_now_ms clock) and the
 * traceparent as metadata. Returns the call's status; *details (heap) says
 * why when not OK. */
static grpc_status_code place_order(struct front *f, const char *id, const char *item, int quantity,
                                    const char *traceparent, int64_t deadline_ms,
                                    char **details_out)
{
    *details_out = NULL;
    Orders__PlaceRequest req = ORDERS__PLACE_REQUEST__INIT;
    req.order_id = (char *)id;
    req.item = (char *)item;
    req.quantity = quantity;
    req.reply_to = (char *)f->reply_to;
    size_t len = orders__place_request__get_packed_size(&req);
    uint8_t *bytes = malloc(len ? len : 1);
    if (!bytes)
        return GRPC_STATUS_RESOURCE_EXHAUSTED;
    orders__place_request__pack(&req, bytes);
    grpc_byte_buffer *send = orders_bytes_to_buffer(bytes, len);
    free(bytes);

    grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
    int left = budget_remaining(deadline_ms, pending_now_ms());
    grpc_call *call =
        cq ? grpc_channel_create_call(f->channel, NULL, GRPC_PROPAGATE_DEFAULTS, cq,
                                      grpc_slice_from_static_string(ORDERS_PLACE_METHOD), NULL,
                                      orders_deadline_ms(left), NULL)
           : NULL;
    if (!call) {
        fprintf(stderr, "order-front: grpc_channel_create_call failed\n");
        grpc_byte_buffer_destroy(send);
        if (cq)
            grpc_completion_queue_destroy(cq);
        return GRPC_STATUS_INTERNAL;
    }

    grpc_metadata md[1];
    memset(md, 0, sizeof md);
    md[0].key = grpc_slice_from_static_string("traceparent");
    md[0].value = grpc_slice_from_copied_string(traceparent);
    grpc_metadata_array initial, trailing;
    grpc_metadata_array_init(&initial);
    grpc_metadata_array_init(&trailing);
    grpc_byte_buffer *received = NULL;
    grpc_status_code status = GRPC_STATUS_UNKNOWN;
    grpc_slice details = grpc_empty_slice();

    grpc_op ops[6];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[0].data.send_initial_metadata.count = traceparent[0] ? 1 : 0;
    ops[0].data.send_initial_metadata.metadata = md;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = send;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &initial;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &received;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &trailing;
    ops[5].data.recv_status_on_client.status = &status;
    ops[5].data.recv_status_on_client.status_details = &details;

    grpc_call_error err = grpc_call_start_batch(call, ops, 6, call, NULL);
    if (err != GRPC_CALL_OK) {
        fprintf(stderr, "order-front: grpc_call_start_batch failed: %d\n", (int)err);
        status = GRPC_STATUS_INTERNAL;
    } else {
        /* The call's own deadline ends the batch; this bound is a backstop. */
        grpc_event ev =
            grpc_completion_queue_pluck(cq, call, orders_deadline_ms(left + 5000), NULL);
        if (ev.type != GRPC_OP_COMPLETE) {
            grpc_call_cancel(call, NULL);
            grpc_completion_queue_pluck(cq, call, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
            status = GRPC_STATUS_DEADLINE_EXCEEDED;
        }
    }
    if (status != GRPC_STATUS_OK) {
        size_t n = GRPC_SLICE_LENGTH(details);
        *details_out = malloc(n + 1);
        if (*details_out) {
            memcpy(*details_out, GRPC_SLICE_START_PTR(details), n);
            (*details_out)[n] = '\0';
        }
    }
    if (received)
        grpc_byte_buffer_destroy(received);
    grpc_byte_buffer_destroy(send);
    grpc_slice_unref(details);
    grpc_slice_unref(md[0].value);
    grpc_metadata_array_destroy(&initial);
    grpc_metadata_array_destroy(&trailing);
    grpc_call_unref(call);
    grpc_completion_queue_shutdown(cq);
    while (grpc_completion_queue_pluck(cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
           GRPC_QUEUE_SHUTDOWN)
        ;
    grpc_completion_queue_destroy(cq);
    return status;
}

/* place_order, made once more when the first call never left this process:
 * its connection could not be made ("failed to connect to all addresses").
 * Such a call cannot have reached order-core, so repeating it is safe. It
 * happens to a core that listens too: gRPC 1.51 reads connect()'s errno
 * only after other calls, so now and then a connect fails with a stale
 * errno ("No such file or directory"). When order-core is really down the
 * second call fails too, and the client gets its 503. */
static grpc_status_code place_order_once_more(struct front *f, const char *id, const char *item,
                                              int quantity, const char *traceparent,
                                              int64_t deadline_ms, char **details_out)
{
    grpc_status_code code =
        place_order(f, id, item, quantity, traceparent, deadline_ms, details_out);
    if (code != GRPC_STATUS_UNAVAILABLE || !*details_out ||
        !strstr(*details_out, "failed to connect to all addresses") ||
        budget_remaining(deadline_ms, pending_now_ms()) < 400)
        return code;
    free(*details_out);
    /* past the channel's first reconnect backoff (100 ms, see
     * orders_channel_create), so the second call gets a fresh connect */
    usleep(300 * 1000);
    return place_order(f, id, item, quantity, traceparent, deadline_ms, details_out);
}

/* ---- the same call over REST, for the bench's comparison ----------------- */

/* One libcurl handle per HTTP thread: it keeps its connection to
 * order-core open between requests, as a gRPC channel does. (A bench-only
 * path: the handle of a connection thread is not cleaned up when the
 * thread ends.) */
static _Thread_local CURL *rest_handle;

static size_t discard(char *data, size_t size, size_t n, void *user)
{
    (void)data;
    (void)user;
    return size * n;
}

/* POST http://CORE/place with the order as JSON; maps the outcome to the
 * gRPC status the gRPC path would have given, so the rest is the same. */
static grpc_status_code place_order_rest(struct front *f, const char *id, const char *item,
                                         int quantity, const char *traceparent, int64_t deadline_ms,
                                         char **details_out)
{
    *details_out = NULL;
    if (!rest_handle && !(rest_handle = curl_easy_init()))
        return GRPC_STATUS_INTERNAL;
    json_t *req = json_pack("{s:s,s:s,s:i,s:s}", "order_id", id, "item", item, "quantity", quantity,
                            "reply_to", f->reply_to);
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    char url[192], trace_header[128];
    snprintf(url, sizeof url, "http://%s/place", f->rest_core);
    snprintf(trace_header, sizeof trace_header, "traceparent: %s", traceparent);
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (headers && traceparent[0])
        headers = curl_slist_append(headers, trace_header);
    if (!body || !headers) {
        free(body);
        curl_slist_free_all(headers);
        return GRPC_STATUS_RESOURCE_EXHAUSTED;
    }
    long left = budget_remaining(deadline_ms, pending_now_ms());
    CURL *h = rest_handle;
    CURLcode rc = CURLE_OK;
    if ((rc = curl_easy_setopt(h, CURLOPT_URL, url)) == CURLE_OK &&
        (rc = curl_easy_setopt(h, CURLOPT_POSTFIELDS, body)) == CURLE_OK &&
        (rc = curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers)) == CURLE_OK &&
        (rc = curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, left > 0 ? left : 1L)) == CURLE_OK &&
        (rc = curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L)) == CURLE_OK &&
        (rc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard)) == CURLE_OK)
        rc = curl_easy_perform(h);
    long status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    free(body);
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return GRPC_STATUS_DEADLINE_EXCEEDED;
    if (rc != CURLE_OK) {
        *details_out = strdup(curl_easy_strerror(rc));
        return GRPC_STATUS_UNAVAILABLE;
    }
    return status == 200   ? GRPC_STATUS_OK
           : status == 400 ? GRPC_STATUS_INVALID_ARGUMENT
           : status == 503 ? GRPC_STATUS_UNAVAILABLE
                           : GRPC_STATUS_INTERNAL;
}

/* ---- HTTP ------------------------------------------------------------------ */

/* Body of one POST, collected over several callbacks. */
struct upload {
    char data[MAX_BODY];
    size_t len;
    bool too_big;
};

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *body,
                                 const char *location, const char *traceparent, int retry_after)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    bool ok = MHD_add_response_header(r, "Content-Type", "application/json") == MHD_YES;
    if (location)
        ok = ok && MHD_add_response_header(r, "Location", location) == MHD_YES;
    if (traceparent && traceparent[0])
        ok = ok && MHD_add_response_header(r, "traceparent", traceparent) == MHD_YES;
    if (retry_after > 0) {
        char seconds[16];
        snprintf(seconds, sizeof seconds, "%d", retry_after);
        ok = ok && MHD_add_response_header(r, "Retry-After", seconds) == MHD_YES;
    }
    enum MHD_Result rc = ok ? MHD_queue_response(c, status, r) : MHD_NO;
    MHD_destroy_response(r);
    return rc;
}

/* {"error": why, "order_id": id} with status. */
static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *why,
                                  const char *id, const char *traceparent, int retry_after)
{
    json_t *o = json_pack("{s:s,s:s?}", "error", why, "order_id", id);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    enum MHD_Result rc = send_text(c, status, text ? text : "{\"error\":\"out of memory\"}", NULL,
                                   traceparent, retry_after);
    free(text);
    return rc;
}

/* The whole POST /orders, from parsed request to answer. */
static enum MHD_Result post_order(struct front *f, struct MHD_Connection *c, const char *body,
                                  int64_t arrival_ms)
{
    char traceparent[TRACEPARENT_LEN + 1] = "";
    char trace_id[33] = "";
    const char *incoming = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "traceparent");
    if (trace_child(incoming, traceparent) != 0 || !trace_parse(traceparent, trace_id))
        traceparent[0] = '\0';

    int budget_ms = 0;
    const char *budget_header = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Request-Timeout");
    if (budget_parse(budget_header, &budget_ms) != 0)
        return send_error(c, 400, "Request-Timeout must be a whole number of milliseconds", NULL,
                          traceparent, 0);
    int64_t deadline = budget_deadline(arrival_ms, budget_ms);

    json_error_t jerr;
    json_t *order = json_loads(body, 0, &jerr);
    json_t *item = order ? json_object_get(order, "item") : NULL;
    json_t *quantity = order ? json_object_get(order, "quantity") : NULL;
    if (!json_is_string(item) || !json_is_integer(quantity)) {
        json_decref(order);
        return send_error(c, 400, "expected {\"item\": string, \"quantity\": integer}", NULL,
                          traceparent, 0);
    }

    char id[96];
    snprintf(id, sizeof id, "o-%s-%u-%04x", f->instance, atomic_fetch_add(&f->next_number, 1) + 1,
             (unsigned)(rand() & 0xffff));
    const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    if (key) {
        char earlier[96];
        int claim = idem_claim(f->idem, key, id, earlier, sizeof earlier);
        if (claim == 0) {
            json_decref(order);
            char *known = store_get(&f->store, earlier);
            if (!known)
                return send_error(c, 409, "an order with this Idempotency-Key is in progress",
                                  earlier, traceparent, 1);
            char location[128];
            snprintf(location, sizeof location, "/orders/%s", earlier);
            enum MHD_Result rc = send_text(c, 200, known, location, traceparent, 0);
            free(known);
            return rc;
        }
        if (claim < 0) {
            json_decref(order);
            return send_error(c, 500, "out of memory", NULL, traceparent, 0);
        }
    }

    hop_log("client", "order-front", "http", trace_id, id, "POST /orders");
    if (pending_add(f->pending, id) != 0) {
        json_decref(order);
        if (key)
            idem_forget(f->idem, key);
        return send_error(c, 500, "cannot register the request (pending_add failed)", id,
                          traceparent, 0);
    }
    hop_log("order-front", "order-core", f->rest_core[0] ? "rest" : "grpc", trace_id, id, "Place");
    char *details = NULL;
    grpc_status_code code =
        f->rest_core[0]
            ? place_order_rest(f, id, json_string_value(item), (int)json_integer_value(quantity),
                               traceparent, deadline, &details)
            : place_order_once_more(f, id, json_string_value(item),
                                    (int)json_integer_value(quantity), traceparent, deadline,
                                    &details);
    json_decref(order);
    int retry_after = 0;
    const char *why = NULL;
    int status = budget_http_status(code, &retry_after, &why);
    if (status != 0) {
        pending_remove(f->pending, id);
        if (key)
            idem_forget(f->idem, key);
        char message[512];
        snprintf(message, sizeof message, "%s (order-core: %s)", why ? why : "order-core failed",
                 details && *details ? details : "no details");
        free(details);
        return send_error(c, (unsigned)status, message, NULL, traceparent, retry_after);
    }
    free(details);

    char *confirmed = pending_wait(f->pending, id, deadline);
    if (!confirmed)
        return send_error(c, 504,
                          "order-core accepted the order but its confirmation did not arrive "
                          "within the budget; GET the order later",
                          id, traceparent, 0);
    hop_log("order-front", "client", "http", trace_id, id, "201 Created");
    char location[128];
    snprintf(location, sizeof location, "/orders/%s", id);
    enum MHD_Result rc = send_text(c, 201, confirmed, location, traceparent, 0);
    free(confirmed);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    struct front *f = cls;
    if (strcmp(method, "POST") == 0 && strcmp(url, "/orders") == 0) {
        struct upload *up = *con_cls;
        if (!up) { /* first call: headers only */
            up = calloc(1, sizeof *up);
            if (!up)
                return MHD_NO;
            *con_cls = up;
            return MHD_YES;
        }
        if (*upload_size > 0) {
            if (up->len + *upload_size >= sizeof up->data)
                up->too_big = true;
            else {
                memcpy(up->data + up->len, upload_data, *upload_size);
                up->len += *upload_size;
            }
            *upload_size = 0;
            return MHD_YES;
        }
        up->data[up->len] = '\0';
        if (up->too_big)
            return send_error(c, 413, "order body too large", NULL, NULL, 0);
        return post_order(f, c, up->data, pending_now_ms());
    }
    if (strcmp(method, "GET") == 0 && strncmp(url, "/orders/", 8) == 0 && url[8]) {
        char *known = store_get(&f->store, url + 8);
        if (!known)
            return send_error(c, 404, "no confirmed order with this id", url + 8, NULL, 0);
        enum MHD_Result rc = send_text(c, 200, known, NULL, NULL, 0);
        free(known);
        return rc;
    }
    return send_error(c, 404, "only POST /orders and GET /orders/{id} exist here", NULL, NULL, 0);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

/* ---- start, run, stop ------------------------------------------------------ */

static atomic_bool signalled = false;

static void on_signal(int signo)
{
    (void)signo;
    atomic_store(&signalled, true);
}

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

int order_front_main(int argc, char *argv[])
{
    (void)argc;
    (void)argv;
    int port = atoi(env_or("ORDER_FRONT_PORT", "8080"));
    const char *core = env_or("ORDER_CORE_ADDRS", "127.0.0.1:7001");
    static struct front f; /* one service per process; static keeps it off the stack */
    memset(&f, 0, sizeof f);
    snprintf(f.instance, sizeof f.instance, "%s", env_or("ORDER_FRONT_INSTANCE", "a1"));
    snprintf(f.amqp_url, sizeof f.amqp_url, "%s",
             env_or("AMQP_ADDR", "amqp://guest:guest@127.0.0.1:5672/%2f"));
    snprintf(f.exchange, sizeof f.exchange, "%s", env_or("ORDERS_EXCHANGE", "orders"));
    snprintf(f.rest_core, sizeof f.rest_core, "%s", env_or("ORDER_CORE_REST", ""));
    if (balance_instance_queue(f.exchange, f.instance, f.queue, sizeof f.queue, f.reply_key,
                               sizeof f.reply_key) != 0) {
        fprintf(stderr, "order-front: balance_instance_queue failed for instance %s\n", f.instance);
        return 1;
    }
    if (kafka_link_choose("order-front", &f.kafka, f.kafka_brokers, sizeof f.kafka_brokers) != 0)
        return 1;
    /* On Kafka the queue name is this instance's topic (and its group). */
    f.reply_to = f.kafka ? f.queue : f.reply_key;
    char target[1024];
    if (balance_target(core, target, sizeof target) != 0) {
        fprintf(stderr, "order-front: balance_target(\"%s\") failed\n", core);
        return 1;
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGINT, &action, NULL) != 0 || sigaction(SIGTERM, &action, NULL) != 0) {
        perror("order-front: sigaction");
        return 1;
    }
    srand((unsigned)time(NULL) ^ (unsigned)getpid());

    int rc = 1;
    struct MHD_Daemon *http = NULL;
    bool consumer_started = false;
    pthread_mutex_init(&f.store.lock, NULL);
    if (f.rest_core[0] && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "order-front: curl_global_init failed\n");
        return 1;
    }
    f.pending = pending_create();
    f.idem = idem_create();
    grpc_init();
    f.channel = orders_channel_create(target, balance_service_config());
    if (!f.pending || !f.idem || !f.channel) {
        fprintf(stderr, "order-front: pending_create, idem_create or the gRPC channel failed\n");
        goto out;
    }
    if (pthread_create(&f.consumer, NULL, consume_events, &f) != 0) {
        fprintf(stderr, "order-front: pthread_create of the consumer failed\n");
        goto out;
    }
    consumer_started = true;
    /* Listen only once our queue is bound (an event published before the
     * binding existed would be dropped by the broker as unroutable), or on
     * Kafka once our partitions are assigned. */
    for (int i = 0; i < 300 && !atomic_load(&f.consumer_ready) && !atomic_load(&signalled) &&
                    !atomic_load(&f.setup_refused);
         i++)
        usleep(100 * 1000);
    if (!atomic_load(&f.consumer_ready)) {
        fprintf(stderr, "order-front: cannot consume events from %s, giving up\n",
                f.kafka ? f.kafka_brokers : f.amqp_url);
        goto out;
    }
    http = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                                MHD_USE_ERROR_LOG,
                            (uint16_t)port, NULL, NULL, on_request, &f, MHD_OPTION_NOTIFY_COMPLETED,
                            on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
    if (!http) {
        fprintf(stderr, "order-front: MHD_start_daemon on port %d failed: %s\n", port,
                strerror(errno));
        goto out;
    }
    printf("order-front %s: http://127.0.0.1:%d, order-core at %s, events from %s\n", f.instance,
           port, target, f.queue);
    fflush(stdout);
    while (!atomic_load(&signalled))
        usleep(50 * 1000);
    rc = 0;
out:
    if (http)
        MHD_stop_daemon(http);
    atomic_store(&f.stop, true);
    if (consumer_started)
        pthread_join(f.consumer, NULL);
    if (f.channel)
        grpc_channel_destroy(f.channel);
    grpc_shutdown();
    pending_destroy(f.pending);
    idem_destroy(f.idem);
    store_free(&f.store);
    pthread_mutex_destroy(&f.store.lock);
    printf("order-front %s stopped\n", f.instance);
    return rc;
}
