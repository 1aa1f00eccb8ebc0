/*
 * items_server.h - exercise items_server: a small REST API over JSON.
 *
 * The server keeps a collection of items in memory. An item, as clients
 * send it, is a JSON object with two fields:
 *
 *     {"name": "pencil", "price": 1.25}
 *
 *   name   string, not empty
 *   price  number (integer or decimal), 0 or more
 *
 * Other fields are ignored (a client-sent "id" too). The server gives every
 * new item an id (1, 2, 3, ... never reused) and returns items with it:
 *
 *     {"id": 1, "name": "pencil", "price": 1.25}
 *
 * The API (every body is JSON, Content-Type: application/json):
 *
 *     POST   /items       create: 201 Created, Location: /items/ID, body = stored item
 *     GET    /items       list:   200, body = array of stored items in id order
 *     GET    /items/ID    read:   200, body = the item
 *     PUT    /items/ID    replace name and price: 200, body = the stored item
 *     DELETE /items/ID    delete: 204 No Content, no body
 *
 * Errors carry a body {"error": "what went wrong"}:
 *
 *     400  malformed JSON, not an object, a missing field or a field of the
 *          wrong type (the message names the field)
 *     404  no item with that id, or a path other than /items and /items/ID
 *     405  a method the path does not support, with an Allow header:
 *          "GET, POST" on /items, "GET, PUT, DELETE" on /items/ID
 *     413  a request body longer than the server's limit
 *
 * Requests are served by several threads at once, so the store is guarded
 * by a mutex.
 */
#ifndef ITEMS_SERVER_H
#define ITEMS_SERVER_H

#include <stddef.h>
#include <stdint.h>

/* Body limit used when items_server_start gets max_body 0. */
#define ITEMS_DEFAULT_MAX_BODY 8192

struct items_server;

/* Starts the API on 127.0.0.1:port (0 = any free port). Request bodies longer
 * than max_body bytes are refused with 413 (0 = ITEMS_DEFAULT_MAX_BODY).
 * Returns NULL, after printing why to stderr, when it could not start. */
struct items_server *items_server_start(uint16_t port, size_t max_body);

/* The port the server actually listens on. */
uint16_t items_server_port(const struct items_server *server);

/* Stops the server, waits for requests in progress, frees every item.
 * NULL is allowed and does nothing. */
void items_server_stop(struct items_server *server);

#endif
