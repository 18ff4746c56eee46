//! ABM throughput: scheduler events per second on the default configuration.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use liq_abm::{default_config, run_abm};

fn abm_events(c: &mut Criterion) {
    let cfg = default_config();
    const DURATION_S: f64 = 600.0;
    let events = run_abm(&cfg, 7, DURATION_S).expect("default config is valid").summary.sim_events;
    let mut g = c.benchmark_group("abm_events");
    g.throughput(Throughput::Elements(events));
    g.sample_size(10);
    g.bench_function("default_600s", |b| {
        b.iter(|| run_abm(&cfg, 7, DURATION_S).map(|o| o.summary.sim_events))
    });
    g.finish();
}

criterion_group!(benches, abm_events);
criterion_main!(benches);
