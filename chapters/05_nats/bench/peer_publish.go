// peer_publish.go - the peer of nats_bench.c for `make bench`: the same three
// publish runs with nats.go, the NATS maintainers' Go client (Debian's
// golang-github-nats-io-go-nats-dev), on the same server:
//   - core: Publish for all, one flush at the end;
//   - JetStream, PubAck each: js.Publish waits for the stream's answer;
//   - JetStream, async: js.PublishAsync for all, then wait for every PubAck.
//
// The stream is file-backed, created for the run and deleted afterwards. It
// prints the same lines as nats_bench, so one parser reads both.
//
//	NATS_URL=... peer_publish [N [SIZE]]   (default 20000 x 100 B)
//
// chapters/05_nats/bench/run.sh builds it once into build/tools, offline,
// against Debian's copy of the sources (GO111MODULE=off GOPATH=/usr/share/gocode).
package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
)

func report(what string, n int, elapsed time.Duration) {
	s := elapsed.Seconds()
	fmt.Printf("  %-28s %8d msgs in %6.3f s  %10.0f msgs/s\n", what, n, s, float64(n)/s)
}

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "peer_publish: %s: %v\n", what, err)
	os.Exit(1)
}

func argInt(i, def int) int {
	if len(os.Args) <= i {
		return def
	}
	v, err := strconv.Atoi(os.Args[i])
	if err != nil || v <= 0 || v > 1000000 {
		fmt.Fprintln(os.Stderr, "usage: peer_publish [N [SIZE]]   (N > 0, 0 < SIZE <= 1000000)")
		os.Exit(2)
	}
	return v
}

func main() {
	n := argInt(1, 20000)
	size := argInt(2, 100)
	url := os.Getenv("NATS_URL")
	if url == "" {
		url = nats.DefaultURL
	}
	payload := bytes.Repeat([]byte("x"), size)

	nc, err := nats.Connect(url, nats.Timeout(2*time.Second))
	if err != nil {
		fail("nats.Connect", err)
	}
	defer nc.Close()
	// No cap on PubAcks in flight, like libnats with default jsOptions
	// (nats.go's default cap of 4000 would stall, then fail, a loaded run).
	js, err := nc.JetStream(nats.PublishAsyncMaxPending(n))
	if err != nil {
		fail("JetStream", err)
	}
	stream := fmt.Sprintf("PEER_%d", os.Getpid())
	subject := fmt.Sprintf("peer.%d", os.Getpid())
	_, err = js.AddStream(&nats.StreamConfig{Name: stream, Subjects: []string{subject},
		Storage: nats.FileStorage})
	if err != nil {
		fail("AddStream", err)
	}
	defer func() {
		if err := js.DeleteStream(stream); err != nil {
			fmt.Fprintf(os.Stderr, "peer_publish: DeleteStream %s: %v\n", stream, err)
		}
	}()
	fmt.Printf("  %d x %d B to %s (file-backed stream %s)\n", n, size, url, stream)

	start := time.Now()
	for i := 0; i < n; i++ {
		if err := nc.Publish("peer.core", payload); err != nil {
			fail("Publish", err)
		}
	}
	if err := nc.FlushTimeout(30 * time.Second); err != nil {
		fail("FlushTimeout", err)
	}
	report("core publish + 1 flush", n, time.Since(start))

	start = time.Now()
	for i := 0; i < n; i++ {
		if _, err := js.Publish(subject, payload); err != nil {
			fail("js.Publish", err)
		}
	}
	report("JetStream, PubAck each", n, time.Since(start))

	start = time.Now()
	for i := 0; i < n; i++ {
		if _, err := js.PublishAsync(subject, payload); err != nil {
			fail("js.PublishAsync", err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(60 * time.Second):
		fail("PublishAsyncComplete", fmt.Errorf("not every PubAck came within 60 s"))
	}
	report("JetStream, async + wait all", n, time.Since(start))
}
