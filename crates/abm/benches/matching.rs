//! Matching-engine throughput on the realistic add/cancel/marketable mix (messages per second).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use liq_abm::book::workload::{realistic_mix, replay, workload_config};
use liq_abm::book::{Book, MatchRule};

fn matching(c: &mut Criterion) {
    const N: usize = 1_000_000;
    let mut g = c.benchmark_group("matching");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(20);
    for (name, rule) in [("price_time", MatchRule::PriceTime), ("pro_rata", MatchRule::ProRata)] {
        let cfg = workload_config(rule);
        let msgs = realistic_mix(N, 42, cfg);
        g.bench_function(name, |b| {
            b.iter_batched_ref(
                || (Book::new(cfg).expect("valid"), Vec::with_capacity(1024)),
                |(book, ev)| replay(book, &msgs, ev),
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, matching);
criterion_main!(benches);
