/*
 * order_core.c - service B of the document's sequence diagram (given; read
 * it, your exercises plug into it).
 *
 * A gRPC server (core API, one completion queue, one thread) with one
 * method, orders.OrderCore/Place. For each call it
 *   1. reads the request and the "traceparent" metadata,
 *   2. validates the order (INVALID_ARGUMENT when it is wrong),
 *   3. publishes the order.confirmed event and waits for the broker's
 *      confirm (reliable.c; with BROKER=kafka, the event goes to a Kafka
 *      topic and the wait is for its delivery report, reliable_kafka.c) -
 *      UNAVAILABLE when the broker does not take it,
 *   4. answers OK: from now on the order is the broker's to keep.
 * Publishing inside the call keeps the code short: the completion queue
 * waits while the broker confirms, so one instance handles one call at a
 * time. Scaling out (exercise scale_out) runs several instances.
 *
 * Configuration comes from the environment (see order_core_main).
 */
#include "order_core.h"

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hops.h"
#include "kafka_link.h"
#include "orders.pb-c.h"
#include "orders_grpc.h"
#include "reliable.h"
#include "reliable_kafka.h"
#include "trace.h"

#define CONFIRM_TIMEOUT_MS 3000

struct core {
    char name[64];
    char amqp_url[256];
    char exchange[256];
    struct amqp_link link; /* link.conn is NULL while the broker is away */
    bool kafka;            /* BROKER=kafka: events go to Kafka, not RabbitMQ */
    char kafka_brokers[512];
    rd_kafka_t *producer; /* NULL until made, and after a fatal error */
    pthread_mutex_t publish_lock;
    grpc_server *server;
    grpc_completion_queue *cq;
    int shutdown_tag;
};

/* Per-call state; its address tags the call's events. */
struct call {
    enum { WAITING, READING, FINISHING } step; /* what the next event means */
    grpc_call *call;
    grpc_call_details details;
    grpc_metadata_array metadata;
    grpc_byte_buffer *request;
    grpc_byte_buffer *response;
    grpc_slice status_details;
    int cancelled;
};

static void free_call(struct call *c)
{
    if (c->call)
        grpc_call_unref(c->call);
    grpc_call_details_destroy(&c->details);
    grpc_metadata_array_destroy(&c->metadata);
    if (c->request)
        grpc_byte_buffer_destroy(c->request);
    if (c->response)
        grpc_byte_buffer_destroy(c->response);
    grpc_slice_unref(c->status_details);
    free(c);
}

static int request_call(struct core *core)
{
    struct call *c = calloc(1, sizeof *c);
    if (!c) {
        fprintf(stderr, "order-core: calloc failed\n");
        return -1;
    }
    c->status_details = grpc_empty_slice();
    grpc_call_details_init(&c->details);
    grpc_metadata_array_init(&c->metadata);
    if (grpc_server_request_call(core->server, &c->call, &c->details, &c->metadata, core->cq,
                                 core->cq, c) != GRPC_CALL_OK) {
        fprintf(stderr, "order-core: grpc_server_request_call failed\n");
        free_call(c);
        return -1;
    }
    return 0;
}

/* Last batch of a call: [reply,] status, wait for close. */
static int finish(struct call *c, bool send_metadata, grpc_status_code code, const char *why)
{
    grpc_op ops[4];
    size_t n = 0;
    memset(ops, 0, sizeof ops);
    if (send_metadata)
        ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
    if (c->response) {
        ops[n].op = GRPC_OP_SEND_MESSAGE;
        ops[n++].data.send_message.send_message = c->response;
    }
    grpc_slice_unref(c->status_details);
    c->status_details = grpc_slice_from_copied_string(why);
    ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[n].data.send_status_from_server.status = code;
    ops[n++].data.send_status_from_server.status_details = &c->status_details;
    ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    ops[n++].data.recv_close_on_server.cancelled = &c->cancelled;
    c->step = FINISHING;
    if (grpc_call_start_batch(c->call, ops, n, c, NULL) != GRPC_CALL_OK) {
        fprintf(stderr, "order-core: grpc_call_start_batch (finish) failed\n");
        return -1;
    }
    return 1; /* finishing: the next event of this tag frees it */
}

/* Publishes to RabbitMQ, reconnecting once when the link is broken (broker restarted). */
static int publish_amqp(struct core *core, const char *key, const char *id, const char *traceparent,
                        const char *body)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!core->link.conn) {
            if (amqp_link_open(&core->link, core->amqp_url, 1000) != 0 ||
                reliable_publisher_setup(&core->link, core->exchange) != 0) {
                fprintf(stderr, "order-core %s: broker: %s\n", core->name, core->link.error);
                amqp_link_close(&core->link);
                continue;
            }
        }
        if (reliable_publish(&core->link, core->exchange, key, id, traceparent, body,
                             CONFIRM_TIMEOUT_MS) == 0)
            return 0;
        fprintf(stderr, "order-core %s: publish of %s failed: %s\n", core->name, id,
                core->link.error);
        amqp_link_close(&core->link);
    }
    return -1;
}

/* Makes order-core's Kafka producer (reliable_kafka.c). Returns 0, or -1
 * after saying why on stderr. */
static int make_producer(struct core *core)
{
    char err[512] = "";
    rd_kafka_conf_t *conf =
        kafka_link_conf(core->kafka_brokers, KAFKA_LINK_PRODUCER, err, sizeof err);
    core->producer = conf ? kafka_events_producer(conf, err, sizeof err) : NULL;
    if (!core->producer) {
        fprintf(stderr, "order-core %s: Kafka producer: %s\n", core->name, err);
        return -1;
    }
    return 0;
}

/* Produces to Kafka: the topic is reply_to, the waiting order-front's own.
 * librdkafka reconnects by itself; only a fatal error (the idempotent
 * producer lost track of its sequence) needs a new producer. */
static int publish_kafka(struct core *core, const char *topic, const char *id,
                         const char *traceparent, const char *body)
{
    char err[512] = "";
    if (!core->producer && make_producer(core) != 0)
        return -1;
    if (kafka_events_publish(core->producer, topic, id, traceparent, body, err, sizeof err) == 0)
        return 0;
    fprintf(stderr, "order-core %s: publish of %s failed: %s\n", core->name, id, err);
    char reason[256];
    if (rd_kafka_fatal_error(core->producer, reason, sizeof reason) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "order-core %s: producer failed for good (%s); making a new one\n",
                core->name, reason);
        rd_kafka_destroy(core->producer);
        core->producer = NULL;
    }
    return -1;
}

static int publish_event(struct core *core, const char *key, const char *id,
                         const char *traceparent, const char *body)
{
    return core->kafka ? publish_kafka(core, key, id, traceparent, body)
                       : publish_amqp(core, key, id, traceparent, body);
}

/* Validates an order, publishes its event and waits for the confirm: the
 * work of Place, whichever protocol it came by ("grpc", or "rest" for the
 * bench). Returns GRPC_STATUS_OK when the order is accepted, else the
 * status to answer with and *problem saying why. */
static grpc_status_code accept_order(struct core *core, const char *protocol, const char *id,
                                     const char *item, int quantity, const char *reply_to,
                                     const char *incoming_traceparent, const char **problem)
{
    *problem = NULL;
    if (!id[0])
        *problem = "order_id must not be empty";
    else if (!item[0])
        *problem = "item must not be empty";
    else if (quantity < 1 || quantity > 1000)
        *problem = "quantity must be 1..1000";
    else if (!reply_to[0])
        *problem = "reply_to must name the routing key of the waiting order-front";
    if (*problem)
        return GRPC_STATUS_INVALID_ARGUMENT;

    char traceparent[TRACEPARENT_LEN + 1], trace_id[33] = "";
    if (trace_child(incoming_traceparent && incoming_traceparent[0] ? incoming_traceparent : NULL,
                    traceparent) != 0 ||
        !trace_parse(traceparent, trace_id))
        traceparent[0] = '\0';
    hop_log("order-front", "order-core", protocol, trace_id, id, "received Place");

    json_t *event = json_pack("{s:s,s:s,s:i,s:s,s:s}", "order_id", id, "item", item, "quantity",
                              quantity, "status", "confirmed", "confirmed_by", core->name);
    char *body = event ? json_dumps(event, JSON_COMPACT) : NULL;
    json_decref(event);
    if (!body) {
        *problem = "out of memory";
        return GRPC_STATUS_RESOURCE_EXHAUSTED;
    }
    const char *broker = core->kafka ? "kafka" : "amqp";
    hop_log("order-core", "broker", broker, trace_id, id, "publish order.confirmed");
    pthread_mutex_lock(&core->publish_lock); /* one channel, one publisher at a time */
    int published = publish_event(core, reply_to, id, traceparent[0] ? traceparent : NULL, body);
    pthread_mutex_unlock(&core->publish_lock);
    free(body);
    if (published != 0) {
        *problem = "the broker did not confirm the event; the order was not accepted";
        return GRPC_STATUS_UNAVAILABLE;
    }
    hop_log("broker", "order-core", broker, trace_id, id,
            core->kafka ? "received delivery report" : "received confirm");
    return GRPC_STATUS_OK;
}

/* The request arrived: validate, publish, answer. */
static int on_request(struct core *core, struct call *c)
{
    if (!c->request)
        return finish(c, true, GRPC_STATUS_INVALID_ARGUMENT, "request message missing");
    uint8_t *bytes = NULL;
    size_t len = 0;
    if (orders_buffer_to_bytes(c->request, &bytes, &len) != 0)
        return finish(c, true, GRPC_STATUS_INTERNAL, "cannot read the request");
    Orders__PlaceRequest *req = orders__place_request__unpack(NULL, len, bytes);
    free(bytes);
    if (!req)
        return finish(c, true, GRPC_STATUS_INVALID_ARGUMENT, "request is not a PlaceRequest");

    char received[128];
    orders_metadata_get(&c->metadata, "traceparent", received, sizeof received);
    const char *problem = NULL;
    grpc_status_code code = accept_order(core, "grpc", req->order_id, req->item, req->quantity,
                                         req->reply_to, received, &problem);
    if (code != GRPC_STATUS_OK) {
        orders__place_request__free_unpacked(req, NULL);
        return finish(c, true, code, problem);
    }
    Orders__PlaceReply reply = ORDERS__PLACE_REPLY__INIT;
    reply.order_id = req->order_id;
    reply.accepted_by = core->name;
    size_t size = orders__place_reply__get_packed_size(&reply);
    uint8_t *packed = malloc(size ? size : 1);
    if (packed) {
        orders__place_reply__pack(&reply, packed);
        c->response = orders_bytes_to_buffer(packed, size);
        free(packed);
    }
    orders__place_request__free_unpacked(req, NULL);
    return finish(c, true, c->response ? GRPC_STATUS_OK : GRPC_STATUS_RESOURCE_EXHAUSTED,
                  c->response ? "" : "out of memory");
}

/* ---- the same over REST, for the bench's comparison ----------------------- */

struct rest_upload {
    char data[4096];
    size_t len;
};

/* POST /place {"order_id", "item", "quantity", "reply_to"} (+ traceparent
 * header): 200 {"order_id", "accepted_by"}, or 400/503 {"error"}. */
static enum MHD_Result on_rest(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_size, void **con_cls)
{
    (void)version;
    struct core *core = cls;
    struct rest_upload *up = *con_cls;
    if (!up) {
        if (!(up = calloc(1, sizeof *up)))
            return MHD_NO;
        *con_cls = up;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        size_t n = *upload_size < sizeof up->data - 1 - up->len ? *upload_size
                                                                : sizeof up->data - 1 - up->len;
        memcpy(up->data + up->len, upload_data, n);
        up->len += n;
        *upload_size = 0;
        return MHD_YES;
    }
    up->data[up->len] = '\0';
    unsigned status = 200;
    json_t *answer = NULL;
    json_t *req = json_loads(up->data, 0, NULL);
    const char *id = json_string_value(json_object_get(req, "order_id"));
    const char *item = json_string_value(json_object_get(req, "item"));
    const char *reply_to = json_string_value(json_object_get(req, "reply_to"));
    json_t *quantity = json_object_get(req, "quantity");
    if (strcmp(method, "POST") != 0 || strcmp(url, "/place") != 0) {
        status = 404;
        answer = json_pack("{s:s}", "error", "only POST /place exists");
    } else if (!id || !item || !reply_to || !json_is_integer(quantity)) {
        status = 400;
        answer = json_pack("{s:s}", "error", "expected order_id, item, quantity, reply_to");
    } else {
        const char *problem = NULL;
        grpc_status_code code = accept_order(
            core, "rest", id, item, (int)json_integer_value(quantity), reply_to,
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "traceparent"), &problem);
        status = code == GRPC_STATUS_OK ? 200 : code == GRPC_STATUS_INVALID_ARGUMENT ? 400 : 503;
        answer = code == GRPC_STATUS_OK
                     ? json_pack("{s:s,s:s}", "order_id", id, "accepted_by", core->name)
                     : json_pack("{s:s}", "error", problem);
    }
    json_decref(req);
    char *text = answer ? json_dumps(answer, JSON_COMPACT) : NULL;
    json_decref(answer);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(text ? strlen(text) : 0, text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    enum MHD_Result rc = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return rc;
}

static void on_rest_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

/* A client called: check the method, then read its request. */
static int on_new_call(struct call *c)
{
    if (grpc_slice_str_cmp(c->details.method, ORDERS_PLACE_METHOD) != 0)
        return finish(c, true, GRPC_STATUS_UNIMPLEMENTED, "only /orders.OrderCore/Place exists");
    /* Initial metadata goes out with the answer, not now: a client may
     * retry a call on another instance only while it has received nothing
     * of the response (see balance.h). */
    grpc_op ops[1];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_RECV_MESSAGE;
    ops[0].data.recv_message.recv_message = &c->request;
    c->step = READING;
    if (grpc_call_start_batch(c->call, ops, 1, c, NULL) != GRPC_CALL_OK) {
        fprintf(stderr, "order-core: grpc_call_start_batch (read) failed\n");
        return -1;
    }
    return 0;
}

/* One completion-queue event of call c; frees c when it is done. While
 * draining (queue shut down) nothing new may start. */
static void on_event(struct core *core, struct call *c, bool ok, bool draining)
{
    int rc = -1;
    if (ok && !draining) {
        switch (c->step) {
        case WAITING:
            if (request_call(core) != 0)
                fprintf(stderr, "order-core: cannot take further calls\n");
            rc = on_new_call(c);
            break;
        case READING: rc = on_request(core, c); break;
        case FINISHING: rc = -1; break;
        }
    }
    if (rc < 0)
        free_call(c);
}

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

/* The exchange must exist before anyone publishes; declaring it first also
 * proves the broker is there. */
static int open_exchange(struct core *core)
{
    for (int tries = 1; amqp_link_open(&core->link, core->amqp_url, 1000) != 0; tries++) {
        if (tries == 100 || atomic_load(&signalled)) {
            fprintf(stderr, "order-core %s: broker: %s\n", core->name, core->link.error);
            return -1;
        }
        usleep(100 * 1000);
    }
    if (reliable_publisher_setup(&core->link, core->exchange) != 0) {
        fprintf(stderr, "order-core %s: reliable_publisher_setup: %s\n", core->name,
                core->link.error);
        amqp_link_close(&core->link);
        return -1;
    }
    return 0;
}

int order_core_main(int argc, char *argv[])
{
    (void)argc;
    (void)argv;
    static struct core core; /* one service per process */
    memset(&core, 0, sizeof core);
    const char *listen = env_or("ORDER_CORE_LISTEN", "127.0.0.1:7001");
    snprintf(core.name, sizeof core.name, "%s", env_or("ORDER_CORE_NAME", "b1"));
    snprintf(core.amqp_url, sizeof core.amqp_url, "%s",
             env_or("AMQP_ADDR", "amqp://guest:guest@127.0.0.1:5672/%2f"));
    snprintf(core.exchange, sizeof core.exchange, "%s", env_or("ORDERS_EXCHANGE", "orders"));

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGINT, &action, NULL) != 0 || sigaction(SIGTERM, &action, NULL) != 0) {
        perror("order-core: sigaction");
        return 1;
    }
    if (kafka_link_choose("order-core", &core.kafka, core.kafka_brokers,
                          sizeof core.kafka_brokers) != 0)
        return 1;
    /* Kafka: a topic needs no declaring; making the producer checks the
     * settings. RabbitMQ: the exchange is declared before anything else. */
    if (core.kafka ? make_producer(&core) != 0 : open_exchange(&core) != 0)
        return 1;

    grpc_init();
    int rc = 1;
    struct MHD_Daemon *rest = NULL;
    pthread_mutex_init(&core.publish_lock, NULL);
    core.server = grpc_server_create(NULL, NULL);
    core.cq = grpc_completion_queue_create_for_next(NULL);
    if (!core.server || !core.cq) {
        fprintf(stderr, "order-core: grpc_server_create or the completion queue failed\n");
        goto out;
    }
    grpc_server_register_completion_queue(core.server, core.cq, NULL);
    if (orders_server_add_port(core.server, listen) == 0) {
        fprintf(stderr, "order-core: cannot listen on %s (taken?)\n", listen);
        goto out;
    }
    grpc_server_start(core.server);
    if (request_call(&core) != 0)
        goto out;
    /* The same method over REST on 127.0.0.1:ORDER_CORE_REST_PORT, for the
     * bench's gRPC-or-REST comparison (bench/orders_bench.sh). */
    int rest_port = atoi(env_or("ORDER_CORE_REST_PORT", "0"));
    if (rest_port > 0) {
        rest = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
                                (uint16_t)rest_port, NULL, NULL, on_rest, &core,
                                MHD_OPTION_NOTIFY_COMPLETED, on_rest_done, NULL, MHD_OPTION_END);
        if (!rest) {
            fprintf(stderr, "order-core: MHD_start_daemon on port %d failed\n", rest_port);
            goto out;
        }
    }
    printf("order-core %s: gRPC on %s, events to %s %s\n", core.name, listen,
           core.kafka ? "Kafka at" : "exchange", core.kafka ? core.kafka_brokers : core.exchange);
    fflush(stdout);
    while (!atomic_load(&signalled)) {
        grpc_event ev = grpc_completion_queue_next(core.cq, orders_deadline_ms(100), NULL);
        if (ev.type == GRPC_OP_COMPLETE)
            on_event(&core, ev.tag, ev.success, false);
    }
    rc = 0;
    grpc_server_shutdown_and_notify(core.server, core.cq, &core.shutdown_tag);
    grpc_server_cancel_all_calls(core.server);
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(core.cq, orders_deadline_ms(1000), NULL);
        if (ev.type == GRPC_OP_COMPLETE && ev.tag == &core.shutdown_tag)
            break;
        if (ev.type == GRPC_OP_COMPLETE)
            on_event(&core, ev.tag, ev.success, true);
        else if (ev.type == GRPC_QUEUE_SHUTDOWN)
            break;
    }
out:
    if (rest)
        MHD_stop_daemon(rest);
    if (core.server)
        grpc_server_destroy(core.server);
    if (core.cq) {
        grpc_completion_queue_shutdown(core.cq);
        for (;;) {
            grpc_event ev =
                grpc_completion_queue_next(core.cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
            if (ev.type == GRPC_QUEUE_SHUTDOWN)
                break;
            if (ev.type == GRPC_OP_COMPLETE && ev.tag != &core.shutdown_tag)
                on_event(&core, ev.tag, ev.success, true);
        }
        grpc_completion_queue_destroy(core.cq);
    }
    grpc_shutdown();
    amqp_link_close(&core.link);
    if (core.producer) {
        rd_kafka_flush(core.producer, 2000); /* every event was reported already */
        rd_kafka_destroy(core.producer);
    }
    pthread_mutex_destroy(&core.publish_lock);
    printf("order-core %s stopped\n", core.name);
    return rc;
}
