/*
 * trace.h - exercise "one_trace": one W3C trace context across HTTP, gRPC
 * and AMQP (you write trace.c).
 *
 * A traceparent (https://www.w3.org/TR/trace-context/) is 55 characters:
 *
 *     00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
 *     version trace-id (32 hex)            parent-id (16 hex) flags
 *
 * lowercase hex, fields separated by '-'; a trace id or parent id of all
 * zeros is invalid. Every hop keeps the trace id and puts its own span id
 * in the parent-id field before passing the header on:
 *
 *   client --HTTP traceparent--> order-front --gRPC metadata "traceparent"-->
 *   order-core --AMQP header "traceparent"--> broker --> order-front
 *   --HTTP response header traceparent--> client
 */
#ifndef TRACE_H
#define TRACE_H

#include <stdbool.h>

#define TRACEPARENT_LEN 55

/* True when header is a valid version-00 traceparent; then copies its trace
 * id (32 hex + NUL) into trace_id when trace_id is not NULL. */
bool trace_parse(const char *header, char trace_id[33]);

/* The traceparent to send on: same trace id as incoming with a new random
 * span id as parent-id and the incoming flags; a new trace (random trace id,
 * flags 01) when incoming is NULL or invalid. out holds TRACEPARENT_LEN + 1.
 * Returns 0, or -1 when no randomness is available. */
int trace_child(const char *incoming, char out[TRACEPARENT_LEN + 1]);

#endif
