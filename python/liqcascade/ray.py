"""Monte Carlo fan-out over Ray: ``liqcascade.ray.stress(scenario, paths=N, shards=K, ...)``.

Each shard is one Ray task that runs paths ``N·i/K .. N·(i+1)/K`` (``stress --shard i/K``) and
returns the bytes of the Parquet shard file ``stress --shard i/K --parquet`` writes: its rows,
the run's context (scenario hash, seed, configuration, portfolio) and a digest of the rows. The
driver writes the K files to a temporary directory and merges them with the engine's own
``merge`` (``liqcascade merge``), which checks that they come from one run and cover every path
once. Paths are seeded by their index, so the merged result equals one local
:func:`liqcascade.stress` bit for bit, whatever K and however many workers.

The scenario travels to the workers by its source (see ``Scenario.__reduce__``): the embedded
default, a file path (which the workers must be able to read, e.g. on shared storage), JSON text
or an accounts table; each worker rebuilds it with the same loader.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any, Dict, Optional, Union

from . import _native
from . import StressResult, _scenario, _stress_args, Scenario, Shocks


def _shard(scenario: Scenario, shard: str, args: Dict[str, Any], corr_text: Optional[str]) -> bytes:
    """One Ray task: shard ``i/K`` of the run as Parquet bytes. A correlation file read on the
    driver arrives as text and is written to the worker's own temporary file."""
    if corr_text is None:
        return _native.stress_shard(scenario, shard, **args)
    with tempfile.TemporaryDirectory(prefix="liqcascade-corr-") as d:
        f = os.path.join(d, "corr.csv")
        with open(f, "w") as out:
            out.write(corr_text)
        return _native.stress_shard(scenario, shard, **{**args, "corr_file": f})


def stress(
    scenario: Union[None, Scenario, str] = None,
    *,
    paths: int = 1000,
    shards: int = 4,
    horizon: Union[str, float] = "15m",
    step: Union[str, float] = "1s",
    copula: str = "t",
    df: float = 4.0,
    seed: Optional[int] = None,
    vols: Shocks = None,
    corr: Optional[float] = None,
    corr_file: Optional[str] = None,
    portfolio: str = "aggregate",
    throughput: Optional[int] = None,
    ray_options: Optional[Dict[str, Any]] = None,
) -> StressResult:
    """:func:`liqcascade.stress` with the paths split into ``shards`` Ray tasks and merged as
    ``liqcascade merge`` merges. ``ray_options`` go to ``ray.remote(...).options`` (e.g.
    ``{"num_cpus": 2}``: each task runs its paths on the engine's own threads). Uses the Ray
    instance already initialised (``ray.init(address=...)``), else starts a local one."""
    import ray

    if int(shards) < 1:
        raise _native.InputError(f"shards: {shards}: at least one shard")
    sc = _scenario(scenario)
    args = _stress_args(paths, horizon, step, copula, df, seed, vols, corr, corr_file, portfolio, throughput)
    corr_text = None
    if args["corr_file"] is not None:
        # Workers may not see the driver's files: read it here, hand the text over.
        with open(args["corr_file"]) as f:
            corr_text = f.read()
    task = ray.remote(_shard)
    if ray_options:
        task = task.options(**ray_options)
    scenario_ref = ray.put(sc)
    refs = [task.remote(scenario_ref, f"{i}/{shards}", args, corr_text) for i in range(int(shards))]
    blobs = ray.get(refs)
    with tempfile.TemporaryDirectory(prefix="liqcascade-shards-") as d:
        files = []
        for i, blob in enumerate(blobs):
            f = os.path.join(d, f"shard-{i}-of-{shards}.parquet")
            with open(f, "wb") as out:
                out.write(blob)
            files.append(f)
        doc, rows = _native.merge(files)
    return StressResult(doc, rows)
