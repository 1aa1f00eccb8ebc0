/*
 * hops.h - structured hop events: one JSON line per message that crosses a
 * process boundary, appended to the file named by $HOP_LOG (nothing when
 * unset). scripts/wirebook-trace.sh turns a run's lines into the sequence
 * diagram of what really happened.
 *
 *   {"ts_us":1700000000123456,"who":"order-front","to":"order-core",
 *    "protocol":"grpc","trace_id":"4bf9...","order_id":"o-a-1","what":"Place"}
 */
#ifndef HOPS_H
#define HOPS_H

/* Appends one hop event (one write(2), so lines of several processes do not
 * interleave). trace_id and order_id may be NULL. Errors are reported on
 * stderr once and otherwise ignored: tracing must never break the service. */
void hop_log(const char *who, const char *to, const char *protocol, const char *trace_id,
             const char *order_id, const char *what);

#endif
