"""`stress` from Python equals the CLI's; the Ray fan-out equals one local run bit for bit."""

import json
import subprocess

import numpy as np
import pyarrow as pa
import pytest

import liqcascade as lc

OPTS = dict(paths=24, horizon="3m", seed=7)


def bits(table: pa.Table):
    """Every column's values as raw 64-bit patterns (floats compared bit for bit, NaN included)."""
    return {n: np.asarray(table.column(n).to_numpy()).view(np.uint64).tolist() for n in table.column_names}


@pytest.fixture(scope="module")
def local(default_scenario):
    return lc.stress(default_scenario, **OPTS)


def test_stress_matches_the_cli_json(local, cli):
    out = subprocess.run([cli, "stress", "--paths", "24", "--horizon", "3m", "--seed", "7", "--json", "--quiet"],
                         check=True, capture_output=True, text=True).stdout
    assert local.result == json.loads(out)
    assert local.paths.num_rows == 24
    assert local.paths.column("path").to_pylist() == list(range(24))


def test_shards_merged_locally_equal_one_run(default_scenario, local, tmp_path):
    files = []
    for i in range(3):
        f = tmp_path / f"s{i}.parquet"
        f.write_bytes(lc._native.stress_shard(default_scenario, f"{i}/3", **{**OPTS, "seed": 7}))
        files.append(str(f))
    doc, rows = lc._native.merge(files)
    assert json.loads(doc) == local.result
    assert bits(pa.table(rows)) == bits(local.paths)


@pytest.fixture(scope="module")
def ray_local():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


@pytest.mark.parametrize("shards", [1, 3, 8])
def test_ray_stress_is_bit_identical_to_one_run(ray_local, default_scenario, local, shards):
    import liqcascade.ray

    r = liqcascade.ray.stress(default_scenario, shards=shards, **OPTS)
    assert r.result == local.result
    assert bits(r.paths) == bits(local.paths)
