/*
 * test_producer.c - tests of exercise "producer" (producer.c).
 * Needs a RabbitMQ broker at AMQP_ADDR (make test starts one).
 */
#include "producer.h"
#include "tests/amqp_fixture.h"
#include "wb_testkit.h"

#include <stdio.h>
#include <string.h>

WB_SUITE(producer);

Test(producer, send_puts_message_in_durable_queue)
{
    char queue[128], err[512] = "";
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-producer"));
    int rc = producer_send(fx_url(), queue, "Hello, world!", err, sizeof err);
    cr_assert_eq(rc, 0, "producer_send(url, \"%s\", \"Hello, world!\") returned %d: %s", queue, rc,
                 err);
    struct fx_message m;
    cr_assert(fx_get(queue, &m, 2000), "producer_send returned 0 but queue '%s' is empty", queue);
    cr_assert_str_eq(m.body, "Hello, world!", "queue '%s' holds \"%s\", expected \"Hello, world!\"",
                     queue, m.body);
    /* Re-declaring with durable=1 fails (406) unless producer_send made it durable. */
    fx_declare(queue, true);
    fx_delete(queue);
}

Test(producer, message_is_persistent)
{
    char queue[128], err[512] = "";
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-producer"));
    cr_assert_eq(producer_send(fx_url(), queue, "keep me", err, sizeof err), 0,
                 "producer_send failed: %s", err);
    struct fx_message m;
    cr_assert(fx_get(queue, &m, 2000), "queue '%s' is empty after producer_send", queue);
    cr_assert_eq(m.delivery_mode, 2,
                 "message has delivery_mode %d, expected 2 (persistent): set "
                 "props.delivery_mode = AMQP_DELIVERY_PERSISTENT and its _flags bit",
                 m.delivery_mode);
    fx_delete(queue);
}

Test(producer, unroutable_message_is_an_error)
{
    char queue[128];
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-nobody-here"));
    struct producer p;
    cr_assert_eq(producer_open(&p, fx_url()), 0, "producer_open failed: %s", p.link.error);
    int rc = producer_publish(&p, "", queue, "lost?", 5);
    char error[sizeof p.link.error] = "";
    snprintf(error, sizeof error, "%s", p.link.error);
    producer_close(&p);
    cr_assert_eq(rc, -1,
                 "publishing to queue '%s' that does not exist returned %d, expected -1: a "
                 "mandatory message no queue takes comes back as basic.return",
                 queue, rc);
    cr_assert(strstr(error, "NO_ROUTE") != NULL,
              "error for a returned message is \"%s\"; expected it to name the broker's reply "
              "(312 NO_ROUTE)",
              error);
}

Test(producer, missing_exchange_is_an_error)
{
    char exchange[128];
    snprintf(exchange, sizeof exchange, "%s", wb_unique_name("wb-no-exchange"));
    struct producer p;
    cr_assert_eq(producer_open(&p, fx_url()), 0, "producer_open failed: %s", p.link.error);
    int64_t start = wb_now_ms();
    int rc = producer_publish(&p, exchange, "key", "x", 1);
    int64_t took = wb_now_ms() - start;
    char error[sizeof p.link.error] = "";
    snprintf(error, sizeof error, "%s", p.link.error);
    producer_close(&p);
    cr_assert_eq(rc, -1, "publishing to missing exchange '%s' returned %d, expected -1", exchange,
                 rc);
    cr_assert(strstr(error, "NOT_FOUND") != NULL,
              "error is \"%s\"; expected the broker's channel.close reason (404 NOT_FOUND)", error);
    cr_assert(took < 4000,
              "producer_publish took %lld ms to notice the closed channel; read "
              "channel.close while waiting for the confirm",
              (long long)took);
}

Test(producer, refused_port_gives_clear_error)
{
    char url[128], err[512] = "";
    snprintf(url, sizeof url, "amqp://guest:guest@127.0.0.1:%u/%%2f", wb_refusing_port());
    int rc = producer_send(url, "hello", "Hello, world!", err, sizeof err);
    cr_assert_eq(rc, -1, "producer_send to %s (nothing listens) returned %d, expected -1", url, rc);
    cr_assert(strstr(err, "refused") != NULL || strstr(err, "connect") != NULL,
              "error for a refused connection is \"%s\"; expected it to say the connection "
              "was refused",
              err);
}

Test(producer, bad_credentials_give_clear_error)
{
    const char *url = fx_bad_password_url();
    char err[512] = "";
    int rc = producer_send(url, "hello", "Hello, world!", err, sizeof err);
    cr_assert_eq(rc, -1, "producer_send with a wrong password returned %d, expected -1", rc);
    cr_assert(strstr(err, "ACCESS_REFUSED") != NULL || strstr(err, "login") != NULL,
              "error for a wrong password is \"%s\"; expected it to mention the refused login",
              err);
}

Test(producer, amqp_consume_receives_it)
{
    char queue[128], err[512] = "";
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-producer-tools"));
    cr_assert_eq(producer_send(fx_url(), queue, "Hello, world!", err, sizeof err), 0,
                 "producer_send failed: %s", err);
    char url_arg[600];
    snprintf(url_arg, sizeof url_arg, "--url=%s", fx_url());
    char *argv[] = {"amqp-consume", url_arg, "-q", queue, "-c", "1", "cat", NULL};
    struct wb_run_result r;
    cr_assert_eq(wb_run(argv, NULL, 8000, &r), 0, "cannot run amqp-consume: %s", r.output);
    cr_assert(!r.timed_out, "amqp-consume -q %s -c 1 got no message within 8 s", queue);
    cr_assert(strstr(r.output, "Hello, world!") != NULL,
              "amqp-consume printed \"%s\", expected \"Hello, world!\"", r.output);
    wb_run_result_free(&r);
    fx_delete(queue);
}

Test(producer, pika_receives_it)
{
    char queue[128], err[512] = "";
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-producer-pika"));
    cr_assert_eq(producer_send(fx_url(), queue, "Hello, world!", err, sizeof err), 0,
                 "producer_send failed: %s", err);
    char *argv[] = {"/usr/bin/python3", (char *)wb_chapter_path("peers/pika_get.py"),
                    (char *)fx_url(), queue, NULL};
    struct wb_run_result r;
    cr_assert_eq(wb_run(argv, NULL, 8000, &r), 0, "cannot run pika_get.py: %s", r.output);
    cr_assert(strstr(r.output, "body=Hello, world! delivery_mode=2") != NULL,
              "the Python (pika) peer printed \"%s\"; expected the body and delivery_mode=2",
              r.output);
    wb_run_result_free(&r);
    fx_delete(queue);
}
