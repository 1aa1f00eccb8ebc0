/*
 * producer_main.c - the lesson's first example as a program.
 *
 * Sends "Hello, Kafka!" with key "key" to the topic test-topic (or argv[1])
 * on the brokers in KAFKA_BROKERS (default localhost:9092), waits up to
 * 10 s for its delivery report and says how it went.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 build/bin/04_kafka/producer [topic]
 */
#include "producer.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char *argv[])
{
    const char *brokers = getenv("KAFKA_BROKERS");
    const char *topic = argc > 1 ? argv[1] : "test-topic";
    if (!brokers || !*brokers)
        brokers = "localhost:9092";

    /* One short call, bounded by its timeout: Ctrl-C's default action
     * (ending the program) is already a clean enough shutdown here. */
    if (send_hello(brokers, topic, 10000) != 0) {
        fprintf(stderr, "producer: \"Hello, Kafka!\" was not delivered to %s on %s\n", topic,
                brokers);
        return 1;
    }
    printf("delivered \"Hello, Kafka!\" (key \"key\") to %s on %s\n", topic, brokers);
    return 0;
}
