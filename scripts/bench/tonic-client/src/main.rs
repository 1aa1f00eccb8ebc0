//! greeter-tonic-client - sequential unary SayHello calls over one channel,
//! written like the lesson's tonic client, for `make bench`.
//!
//!     greeter-tonic-client CALLS http://127.0.0.1:PORT
//!
//! After a warm-up of CALLS/10 calls (at least 100) it makes CALLS calls one
//! after another and prints the same two lines as greeter_bench:
//!     CALLS calls in S s = R calls/s
//!     latency: p50 A us, p99 B us
//! One task calls in sequence, so a single-threaded runtime is enough.
use std::time::Instant;

use example::greeter_client::GreeterClient;
use example::HelloRequest;

pub mod example {
    tonic::include_proto!("example");
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        return Err("usage: greeter-tonic-client CALLS http://HOST:PORT".into());
    }
    let calls: usize = args[1]
        .parse()
        .map_err(|_| format!("CALLS must be a number, got {:?}", args[1]))?;
    if calls == 0 {
        return Err("CALLS must be at least 1".into());
    }
    let mut client = GreeterClient::connect(args[2].clone()).await?;
    let request = || HelloRequest {
        name: "bench".into(),
    };

    for _ in 0..(calls / 10).max(100) {
        client.say_hello(request()).await?;
    }
    let mut latencies_us = Vec::with_capacity(calls);
    let start = Instant::now();
    for _ in 0..calls {
        let sent = Instant::now();
        let reply = client.say_hello(request()).await?.into_inner();
        latencies_us.push(sent.elapsed().as_micros());
        if reply.message != "Hello, bench!" {
            return Err(format!("unexpected reply {:?}", reply.message).into());
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    latencies_us.sort_unstable();
    let percentile =
        |p: usize| latencies_us[(latencies_us.len() * p / 100).min(latencies_us.len() - 1)];
    println!(
        "{} calls in {:.2} s = {:.0} calls/s",
        calls,
        seconds,
        calls as f64 / seconds
    );
    println!(
        "latency: p50 {} us, p99 {} us",
        percentile(50),
        percentile(99)
    );
    Ok(())
}
