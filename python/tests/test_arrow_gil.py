"""Arrow tables handed over without copying, and the GIL released while the engine runs."""

import threading
import time

import pyarrow as pa

import liqcascade as lc
from liqcascade import _native


def test_event_log_is_not_copied(default_scenario):
    doc, batch, accounts = _native.run(default_scenario, ["BTC=-10%"])
    assert accounts is None  # the per-account table only when asked for
    assert batch.num_rows > 0
    # pyarrow reads the very buffer Rust filled: the C data interface moved pointers, not data.
    rb = pa.record_batch(batch)
    tb = pa.table(batch)
    for col in ("notional_usd", "generation", "lots"):
        rust = batch._values_address(col)
        assert rb.column(col).buffers()[1].address == rust
        assert tb.column(col).chunk(0).buffers()[1].address == rust
    assert rb.num_rows == batch.num_rows and rb.schema.names == batch.column_names


def test_two_threads_are_inside_the_engine_at_once(default_scenario):
    # With the GIL held for the whole call, the second thread could not even enter the engine
    # until the first returned: the engine's own counter of calls in flight would never pass 1.
    _native._engine_concurrency(reset=True)
    times = {}

    def call(name):
        t0 = time.perf_counter()
        lc.stress(default_scenario, paths=16, horizon="2m")
        times[name] = time.perf_counter() - t0

    call("warm")
    t1 = times["warm"]
    _native._engine_concurrency(reset=True)
    threads = [threading.Thread(target=call, args=(n,)) for n in ("a", "b")]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    # The main thread keeps running Python while both engine calls run: the longest pause
    # between its iterations is far shorter than one call.
    gaps, last = [], time.perf_counter()
    while any(t.is_alive() for t in threads):
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
        time.sleep(0.001)
    wall = time.perf_counter() - t0
    current, most = _native._engine_concurrency()
    print(f"one call {t1:.3f} s; two calls from two threads {wall:.3f} s wall ({wall / t1:.2f}x); "
          f"max in engine at once {most}; longest main-thread pause {max(gaps):.3f} s")
    assert current == 0
    assert most == 2
    assert max(gaps) < 0.5 * t1
