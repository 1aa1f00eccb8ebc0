/*
 * orders_fixture.h - what chapter 07's tests use to run the two services and
 * to look at the broker from the outside.
 *
 * The services are built from your files into the test binary itself; a
 * test starts them as separate processes by running its own binary with
 * `--wb-program order-core` or `--wb-program order-front` (see
 * orders_programs.c), each on a free port, in its own process group, with
 * its output in a log file the failure messages point at. A test can stop
 * (SIGTERM), kill (SIGKILL), pause (SIGSTOP) and resume (SIGCONT) each one.
 *
 * Every name on the broker (exchange, queues) is unique per test, so tests
 * can run side by side on one broker.
 *
 * The broker is RabbitMQ (AMQP_ADDR), or Kafka when BROKER=kafka: then each
 * test hosts a mock Kafka cluster of its own (librdkafka's rdkafka_mock) and
 * hands its address to the services, or uses KAFKA_BROKERS when that is set
 * (a real node). The broker helpers below have a Kafka form each: a "queue"
 * is then an order-front instance's topic, read by its consumer group.
 */
#ifndef ORDERS_FIXTURE_H
#define ORDERS_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wb_http.h"
#include "wb_kafka.h"
#include "wb_testkit.h"

struct svc {
    int pid;           /* process group, -1 when not running */
    uint16_t port;     /* gRPC (order-core) or HTTP (order-front) port */
    char name[64];     /* instance name */
    char log[256];     /* its output */
    char addr[64];     /* "127.0.0.1:port" */
    char hop_log[256]; /* HOP_LOG it writes to ("" = none) */
};

/* One test's world: unique exchange, one HOP_LOG file, its broker. */
struct world {
    char exchange[128];
    char hop_log[256];
    bool kafka;        /* events go through Kafka, not RabbitMQ */
    struct wb_kafka k; /* the cluster (mock, or KAFKA_BROKERS) when kafka */
};

/* A fresh world on the broker BROKER selects (rabbitmq, the default, or
 * kafka); asserts that the broker is there (AMQP_ADDR set, or the mock
 * cluster started). */
void world_init(struct world *w);

/* A fresh world on Kafka, whatever BROKER says (exercise kafka_path). */
void world_init_kafka(struct world *w);

/* Starts order-core NAME on port (0 = a free one) and waits until it
 * serves. Asserts on failure with the end of its log. */
void core_start(struct svc *s, const struct world *w, const char *name, uint16_t port);

/* Starts order-front NAME talking to core_addrs ("127.0.0.1:P[,...]") and
 * waits until it serves HTTP. */
void front_start(struct svc *s, const struct world *w, const char *name, const char *core_addrs);

/* Like front_start but reports failure instead of asserting (false). */
bool front_try_start(struct svc *s, const struct world *w, const char *name,
                     const char *core_addrs);

/* Starts tests/peers/grpc_tap.py, a gRPC proxy of the test's own in front
 * of upstream ("127.0.0.1:P"); s->addr is where to point order-front. Its
 * log has one line "traceparent VALUE" per call it forwarded. */
void grpc_tap_start(struct svc *s, const struct world *w, const char *upstream);

void svc_stop(struct svc *s);   /* SIGTERM, then SIGKILL after 2 s */
void svc_kill(struct svc *s);   /* SIGKILL at once, like a crash */
void svc_pause(struct svc *s);  /* SIGSTOP: alive, silent */
void svc_resume(struct svc *s); /* SIGCONT */

/* The last lines of a service's log (static buffer), for messages. */
const char *svc_tail(const struct svc *s);

/* POST /orders to front with body and extra headers (NULL-terminated, may be
 * NULL), timeout_ms for the whole request. */
int post_order(const struct svc *front, const char *body, const char *const headers[],
               long timeout_ms, struct wb_http_response *res);

/* GET /orders/ID. */
int get_order(const struct svc *front, const char *id, struct wb_http_response *res);
/* GET /orders/{id} until it answers 200 or within_ms passed; res holds the
 * last answer (free it). */
void get_order_within(const struct svc *front, const char *id, int within_ms,
                      struct wb_http_response *res);

/* The "order_id" of a JSON body (static buffer), "" when there is none. */
const char *json_order_id(const char *body);

/* The queue and the routing key of order-front instance `instance` in this
 * world, as the services built into this test binary name them
 * (balance_instance_queue). On Kafka the queue is the instance's topic and
 * group, and its "key" (what it sends as reply_to) is that topic too.
 * Static buffers, overwritten by the next call. */
const char *front_queue(const struct world *w, const char *instance);
const char *front_key(const struct world *w, const char *instance);

/* Calls order-core's Place directly, as order-front would (the test plays
 * service A). traceparent may be NULL. Returns the gRPC status code; the
 * status details go into details (may be NULL). */
int core_place(const struct svc *core, const char *order_id, const char *item, int quantity,
               const char *reply_to, const char *traceparent, char *details, size_t len);

/* ---- the broker, from the outside --------------------------------------- */

/* A tap: a queue of the test's own bound to the world's exchange with
 * "order.confirmed.#", so it receives a copy of every event. The exchange
 * must exist (start an order-core first). On Kafka the tap reads the topic
 * of instance "a1" from its beginning (a log keeps what it was sent). */
void tap_open(const struct world *w, char *queue, size_t len);

struct tapped {
    char body[2048];
    char routing_key[256];
    char message_id[128];
    char traceparent[128];
    int delivery_mode; /* AMQP only */
};

/* Takes the next message from the tap, waiting up to timeout_ms. */
bool tap_get(const char *queue, struct tapped *out, int timeout_ms);

/* Messages waiting in a queue, -1 when it does not exist. On Kafka: events
 * of the topic after the offsets its group committed. */
long queue_count(const char *queue);

/* Deletes a queue (best effort). */
void queue_delete(const char *queue);

/* Publishes body to the world's exchange with routing_key, as order-core
 * would (a duplicate or late event). */
void publish_event(const struct world *w, const char *routing_key, const char *message_id,
                   const char *body);

/* Restarts the broker (scripts/broker-rabbitmq.sh restart; on Kafka every
 * mock broker down and up again, or scripts/broker-kafka.sh restart);
 * asserts. */
void broker_restart(void);

/* The test "accepted_orders_survive_a_broker_restart" in either form: an
 * order-front joins and leaves, order-core accepts orders for it, the broker
 * restarts, its events are still waiting, and a restarted order-front gets
 * them all and can take new orders. */
void check_orders_survive_broker_restart(struct world *w);

/* Counts the lines of the world's HOP_LOG that contain every needle. */
int hop_lines(const struct world *w, const char *needle1, const char *needle2);

#endif
