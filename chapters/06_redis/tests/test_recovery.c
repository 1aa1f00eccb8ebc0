/*
 * test_recovery.c - tests of exercise "recovery" (recovery.c, streams.c).
 * Needs a Redis server at REDIS_URL; peer: the Python peer (redis-py), which
 * plays a consumer that reads entries and dies by SIGKILL.
 */
#include "recovery.h"
#include "tests/redis_fixture.h"
#include "wb_testkit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

WB_SUITE(recovery);

/* A stream with entries item-0 .. item-(n-1) and a group at its start. */
static void make_stream(const char *stream, const char *group, int n)
{
    fx_add_items(fx_url(), stream, n);
    freeReplyObject(fx_command(fx_url(), "XGROUP CREATE %s %s 0", stream, group));
}

/* Consumer `name` reads n entries and never acks them (the fixture reads). */
static void read_without_ack(const char *stream, const char *group, const char *name, int n)
{
    redisReply *r = fx_command(fx_url(), "XREADGROUP GROUP %s %s COUNT %d STREAMS %s >", group,
                               name, n, stream);
    freeReplyObject(r);
}

/* Makes every entry pending at `dead` look idle for 10 minutes (XCLAIM with
 * IDLE keeps the owner and sets the idle time), without waiting that long. */
static void age_pending(const char *stream, const char *group, const char *dead)
{
    struct redis_link link; /* one connection for all the XCLAIMs */
    fx_connect(&link, fx_url());
    redisReply *r =
        fx_command_on(&link, "XPENDING %s %s - + %d %s", stream, group, FX_MAX_ENTRIES, dead);
    for (size_t i = 0; i < r->elements; i++)
        freeReplyObject(fx_command_on(&link, "XCLAIM %s %s %s 0 %s IDLE 600000 JUSTID", stream,
                                      group, dead, r->element[i]->element[0]->str));
    freeReplyObject(r);
    redis_link_close(&link);
}

/* recover_claim as consumer on a connection of its own; asserts it did not fail. */
static int claim(const char *stream, const char *group, const char *consumer, long min_idle_ms,
                 int count, struct fx_seen *s)
{
    struct redis_link link;
    fx_connect(&link, fx_url());
    int rc = recover_claim(&link, stream, group, consumer, min_idle_ms, count, fx_seen_handler, s);
    redis_link_close(&link);
    cr_assert(rc >= 0, "recover_claim(%s, %s, %s, min idle %ld ms) returned %d: %s", stream, group,
              consumer, min_idle_ms, rc, link.error);
    return rc;
}

/* 30 s: it starts a Python peer, slow to start on a loaded machine. */
Test(recovery, claims_entries_of_a_consumer_that_crashed, .timeout = 30,
     .description = "the Python consumer's crash, then recover_claim to take over its 6 entries")
{
    char stream[128], group[128];
    fx_name(stream, sizeof stream, "wb-jobs");
    fx_name(group, sizeof group, "workers");
    make_stream(stream, group, 10);
    /* A real process reads 6 entries as "crashed" and dies by SIGKILL. */
    const char *args[] = {"crash", fx_url(), stream, group, "crashed", "6", NULL};
    free(fx_python_crashing_peer(args));
    cr_assert_eq(fx_pending(fx_url(), stream, group), 6,
                 "the crashed peer left no pending entries");
    usleep(300 * 1000); /* idle time only grows: after this they are idle >= 300 ms */

    struct fx_seen s;
    fx_seen_init(&s);
    int rc = claim(stream, group, "rescuer", 200, 10, &s);
    cr_assert_eq(rc, 6, "recover_claim handled %d entries; the crashed consumer left 6", rc);
    for (int i = 0; i < 6; i++)
        cr_assert_eq(s.times[i], 1, "item-%d handled %d times", i, s.times[i]);
    cr_assert_eq(fx_pending(fx_url(), stream, group), 0,
                 "entries still pending after recover_claim: claimed but not XACKed?");
}

Test(recovery, leaves_entries_of_busy_consumers_alone)
{
    char stream[128], group[128];
    fx_name(stream, sizeof stream, "wb-jobs");
    fx_name(group, sizeof group, "workers");
    make_stream(stream, group, 5);
    read_without_ack(stream, group, "busy", 5); /* pending for a moment only */
    struct fx_seen s;
    fx_seen_init(&s);
    int rc = claim(stream, group, "rescuer", 60000, 10, &s);
    cr_assert_eq(rc, 0,
                 "recover_claim with min idle 60000 ms took %d entries that a live consumer "
                 "read a moment ago; only entries idle that long may be claimed",
                 rc);
    redisReply *r = fx_command(fx_url(), "XPENDING %s %s - + 10 busy", stream, group);
    size_t still = r->elements;
    freeReplyObject(r);
    cr_assert_eq(still, 5, "%zu of 5 entries are still pending at the busy consumer", still);
}

Test(recovery, follows_the_cursor_through_many_entries)
{
    char stream[128], group[128];
    fx_name(stream, sizeof stream, "wb-jobs");
    fx_name(group, sizeof group, "workers");
    const int total = 250;
    make_stream(stream, group, total);
    read_without_ack(stream, group, "dead", total);
    age_pending(stream, group, "dead");
    struct fx_seen s;
    fx_seen_init(&s);
    int rc = claim(stream, group, "rescuer", 60000, 20, &s);
    cr_assert_eq(rc, total,
                 "recover_claim (COUNT 20) handled %d of %d dead entries: one XAUTOCLAIM call "
                 "claims at most COUNT; call again with the cursor it returns until \"0-0\"",
                 rc, total);
    cr_assert_eq(fx_pending(fx_url(), stream, group), 0, "entries still pending");
}

struct recoverer {
    pthread_t thread;
    const char *stream, *group, *name;
    struct fx_seen *seen;
    int handled;
    char err[512];
};

static void *recoverer_main(void *arg)
{
    struct recoverer *r = arg;
    struct redis_link link;
    if (redis_link_open(&link, fx_url(), 5000) != 0) {
        snprintf(r->err, sizeof r->err, "%s", link.error);
        return NULL;
    }
    r->handled =
        recover_claim(&link, r->stream, r->group, r->name, 60000, 5, fx_seen_handler, r->seen);
    if (r->handled < 0)
        snprintf(r->err, sizeof r->err, "%s", link.error);
    redis_link_close(&link);
    return NULL;
}

Test(recovery, two_rescuers_never_handle_the_same_entry, .timeout = 30,
     .description = "two rescuers calling recover_claim at once to take over 200 entries")
{
    char stream[128], group[128];
    fx_name(stream, sizeof stream, "wb-jobs");
    fx_name(group, sizeof group, "workers");
    const int total = 200;
    make_stream(stream, group, total);
    read_without_ack(stream, group, "dead", total);
    age_pending(stream, group, "dead");
    struct fx_seen s;
    fx_seen_init(&s);
    struct recoverer r[2];
    for (int i = 0; i < 2; i++) {
        r[i] = (struct recoverer){
            .stream = stream, .group = group, .name = i ? "rescuer-b" : "rescuer-a"};
        r[i].seen = &s;
        cr_assert_eq(pthread_create(&r[i].thread, NULL, recoverer_main, &r[i]), 0, "pthread");
    }
    for (int i = 0; i < 2; i++)
        pthread_join(r[i].thread, NULL);
    for (int i = 0; i < 2; i++)
        cr_assert(r[i].handled >= 0, "%s failed: %s", r[i].name, r[i].err);
    for (int i = 0; i < total; i++)
        cr_assert_eq(s.times[i], 1,
                     "item-%d was handled %d times by two rescuers claiming at once; XAUTOCLAIM "
                     "resets the idle time of what it claims, so the other must not get it",
                     i, s.times[i]);
    cr_assert_eq(r[0].handled + r[1].handled, total, "the rescuers report %d + %d handled",
                 r[0].handled, r[1].handled);
    cr_assert_eq(fx_pending(fx_url(), stream, group), 0, "entries still pending");
}

Test(recovery, deleted_entries_are_skipped)
{
    char stream[128], group[128];
    fx_name(stream, sizeof stream, "wb-jobs");
    fx_name(group, sizeof group, "workers");
    make_stream(stream, group, 3);
    redisReply *r =
        fx_command(fx_url(), "XREADGROUP GROUP %s dead COUNT 3 STREAMS %s >", group, stream);
    char middle[64];
    snprintf(middle, sizeof middle, "%s", r->element[0]->element[1]->element[1]->element[0]->str);
    freeReplyObject(r);
    fx_integer(fx_url(), "XDEL %s %s", stream, middle);
    age_pending(stream, group, "dead");
    struct fx_seen s;
    fx_seen_init(&s);
    int rc = claim(stream, group, "rescuer", 60000, 10, &s);
    cr_assert_eq(rc, 2,
                 "recover_claim handled %d entries; 3 were pending and 1 of them was deleted "
                 "from the stream (XAUTOCLAIM lists it in its third element): expected 2",
                 rc);
    cr_assert(s.times[0] == 1 && s.times[2] == 1 && s.times[1] == 0,
              "handled item-0/1/2 %d/%d/%d times; expected 1/0/1", s.times[0], s.times[1],
              s.times[2]);
}

Test(recovery, restarted_consumer_rereads_its_own_pending)
{
    char stream[128], group[128];
    fx_name(stream, sizeof stream, "wb-jobs");
    fx_name(group, sizeof group, "workers");
    make_stream(stream, group, 8);
    read_without_ack(stream, group, "worker-1", 5); /* then it "restarts" */
    struct fx_seen s;
    fx_seen_init(&s);
    struct redis_link link;
    fx_connect(&link, fx_url());
    int rc = recover_own(&link, stream, group, "worker-1", 2, fx_seen_handler, &s);
    redis_link_close(&link);
    cr_assert_eq(rc, 5,
                 "recover_own (COUNT 2) handled %d entries; worker-1 had 5 pending. Read with "
                 "id \"0\" (not \">\"), and keep reading after the last id until none come (%s)",
                 rc, link.error);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(s.times[i], 1, "item-%d handled %d times", i, s.times[i]);
    cr_assert_eq(s.times[5] + s.times[6] + s.times[7], 0,
                 "recover_own handled entries nobody had read yet: it must only re-read "
                 "pending ones");
    cr_assert_eq(fx_pending(fx_url(), stream, group), 0, "entries still pending");
}

Test(recovery, missing_group_is_a_clear_error)
{
    char stream[128];
    fx_name(stream, sizeof stream, "wb-nothing");
    struct fx_seen s;
    fx_seen_init(&s);
    struct redis_link link;
    fx_connect(&link, fx_url());
    int rc =
        recover_claim(&link, stream, "no-such-group", "rescuer", 1000, 10, fx_seen_handler, &s);
    redis_link_close(&link);
    cr_assert_eq(rc, -1, "recover_claim on a stream that does not exist returned %d", rc);
    cr_assert(strstr(link.error, stream) != NULL || strstr(link.error, "NOGROUP") != NULL,
              "error is \"%s\"; expected it to name the stream %s (the server's NOGROUP answer)",
              link.error, stream);
}

Test(recovery, malformed_claim_reply_is_an_error)
{
    /* [5, []]: the cursor is an integer */
    const char *bad_cursor[] = {"*3\r\n:5\r\n*0\r\n*0\r\n", NULL};
    const char *url = fx_fake_start(bad_cursor);
    struct fx_seen s;
    fx_seen_init(&s);
    struct redis_link link;
    fx_connect(&link, url);
    int rc = recover_claim(&link, "s", "g", "c", 1000, 10, fx_seen_handler, &s);
    redis_link_close(&link);
    fx_fake_stop();
    cr_assert_eq(rc, -1, "recover_claim accepted a reply whose cursor is an integer (returned %d)",
                 rc);
    fx_assert_unexpected(link.error);

    /* ["0-0"]: no entries array */
    const char *short_reply[] = {"*1\r\n$3\r\n0-0\r\n", NULL};
    url = fx_fake_start(short_reply);
    fx_connect(&link, url);
    rc = recover_claim(&link, "s", "g", "c", 1000, 10, fx_seen_handler, &s);
    redis_link_close(&link);
    fx_fake_stop();
    cr_assert_eq(rc, -1, "recover_claim accepted [\"0-0\"] (no entries), returned %d", rc);
    fx_assert_unexpected(link.error);
}
