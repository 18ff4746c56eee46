"""liqcascade: second-order liquidation risk in crypto derivatives, from Python.

The engine is the Rust workspace's (crates/py builds it as the extension ``liqcascade._native``);
this package turns Python values into the CLI's options and the results into dicts (the same
JSON the CLI writes with ``--json``, one schema: docs/result.schema.json) plus Arrow tables
handed over without copying::

    import liqcascade as lc
    r = lc.run(shocks="BTC=-10%")          # the embedded default scenario
    print(r.amplification)                # r.result["summary"]["amplification"]
    df = r.events_polars()                # the event log as a polars DataFrame

Every engine call releases the GIL. Invalid input raises :class:`InputError` (a ``ValueError``)
with ``file``, ``line``, ``column``, ``field``, ``row`` and ``message``.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import pyarrow as pa

from . import _native
from ._native import ArrowBatch, InputError, Scenario, __version__

__all__ = [
    "ArrowBatch",
    "InputError",
    "Scenario",
    "RunResult",
    "StressResult",
    "run",
    "stress",
    "policies",
    "sweep",
    "network",
    "map",
    "compare",
    "__version__",
]

Shocks = Union[None, str, Sequence[str], Mapping[str, Union[str, float]]]


def _scenario_from_state(state: bytes) -> Scenario:
    """Unpickles a :class:`Scenario` (``Scenario.__reduce__``): rebuilt from its source."""
    return Scenario._from_state(state)


def _assignments(flag: str, value: Shocks) -> List[str]:
    """``"BTC=-10%"``, ``["BTC=-10%", "ETH=-5%"]`` or ``{"BTC": -0.10, "ETH": "-5%"}`` as the
    CLI's repeated ``--flag MARKET=VALUE`` strings."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        out = []
        for market, v in value.items():
            if isinstance(v, bool) or not isinstance(v, (int, float, str)):
                raise InputError(f"--{flag} {market}: expected a number or a string like -8%, got {v!r}")
            out.append(f"{market}={v!r}" if isinstance(v, float) else f"{market}={v}")
        return out
    return [str(v) for v in value]


def _duration(v: Union[None, str, int, float]) -> Optional[str]:
    """A duration as the CLI takes it: ``"60s"``, ``"15m"``, or a number of seconds."""
    if v is None:
        return None
    return v if isinstance(v, str) else f"{float(v)!r}s"


def _fraction(v: Union[None, str, float]) -> Optional[str]:
    if v is None:
        return None
    return v if isinstance(v, str) else repr(float(v))


def _scenario(s: Union[None, Scenario, str]) -> Scenario:
    if s is None:
        return Scenario.default()
    if isinstance(s, Scenario):
        return s
    return Scenario.load(str(s))


def _table(batch: ArrowBatch) -> pa.Table:
    """The batch as a pyarrow Table, imported through the Arrow C stream interface (no copy)."""
    return pa.table(batch)


class RunResult:
    """The result of :func:`run`: ``result`` is the ``run --json`` document (a dict), ``events``
    the event log (a pyarrow Table, one row per liquidation event; columns in docs/outputs.md),
    ``accounts`` the per-account risk table when asked for (``run(..., accounts=True)``; the
    columns of ``--accounts-out``, one row per position), else ``None``."""

    def __init__(self, document: str, events: ArrowBatch, accounts: Optional[ArrowBatch] = None):
        self.result: Dict[str, Any] = json.loads(document)
        self._events = events
        self.events: pa.Table = _table(events)
        self._accounts = accounts
        self.accounts: Optional[pa.Table] = None if accounts is None else _table(accounts)

    def __getitem__(self, key: str) -> Any:
        return self.result[key]

    @property
    def summary(self) -> Dict[str, Any]:
        return self.result["summary"]

    @property
    def amplification(self) -> float:
        """Total liquidated notional / first-order (what the shock alone liquidates)."""
        return float(self.result["summary"]["amplification"])

    def events_polars(self):
        """The event log as a polars DataFrame."""
        import polars as pl

        return pl.from_arrow(self.events)

    def events_pandas(self):
        """The event log as a pandas DataFrame."""
        return self.events.to_pandas()

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"RunResult(liquidated={s['liquidated_notional_usd']:.0f} USD, "
            f"amplification={s['amplification']:.3f}, events={self.events.num_rows})"
        )


class StressResult:
    """The result of :func:`stress` (or of a Ray fan-out): ``result`` is the ``stress --json``
    document, ``paths`` the per-path rows (a pyarrow Table, the columns of ``stress --parquet``)."""

    def __init__(self, document: str, rows: ArrowBatch):
        self.result: Dict[str, Any] = json.loads(document)
        self._rows = rows
        self.paths: pa.Table = _table(rows)

    def __getitem__(self, key: str) -> Any:
        return self.result[key]

    @property
    def summary(self) -> Dict[str, Any]:
        return self.result["summary"]

    def paths_polars(self):
        import polars as pl

        return pl.from_arrow(self.paths)

    def __repr__(self) -> str:
        m = self.result["meta"]
        return f"StressResult(paths={m['paths']}, seed={m['seed']}, scenario={m['scenario']!r})"


def run(
    scenario: Union[None, Scenario, str] = None,
    *,
    shocks: Shocks = None,
    book_shocks: Shocks = None,
    crash_over: Union[None, str, float] = None,
    rebound: Union[None, str, float] = None,
    rebound_over: Union[None, str, float] = None,
    step: Union[str, float] = "1s",
    throughput: Optional[int] = None,
    replay: Optional[str] = None,
    venue: Optional[str] = None,
    accounts: bool = False,
) -> RunResult:
    """``liqcascade run``: an instant shock through the round-based cascade, or a shock path
    (``crash_over``, ``rebound``, ``replay``). ``scenario``: a :class:`Scenario`, a file path or
    ``None`` (the embedded default); ``venue`` reloads it on another venue preset; ``accounts``
    also returns the per-account risk table (``RunResult.accounts``)."""
    sc = _scenario(scenario)
    if venue is not None:
        sc = sc.on_venue(venue)
    doc, ev, acc = _native.run(
        sc,
        _assignments("shock", shocks),
        _assignments("shock-book", book_shocks),
        _duration(crash_over),
        _fraction(rebound),
        _duration(rebound_over),
        _duration(step),
        throughput,
        None if replay is None else str(replay),
        accounts,
    )
    return RunResult(doc, ev, acc)


def compare(
    scenario: Union[None, Scenario, str] = None,
    *,
    venues: Iterable[str] = ("binance", "bybit", "hyperliquid", "dydx"),
    shocks: Shocks = None,
    book_shocks: Shocks = None,
    crash_over: Union[None, str, float] = None,
    rebound: Union[None, str, float] = None,
    rebound_over: Union[None, str, float] = None,
    step: Union[str, float] = "1s",
    throughput: Optional[int] = None,
) -> Dict[str, RunResult]:
    """The same book under each venue preset: a dict venue → :class:`RunResult`, in the order
    given. The scenario is rebuilt from its source on each venue (rulebook, mark rule, index
    and "preset" tier tables switch), then run with the same options."""
    sc = _scenario(scenario)
    out = _native.compare(
        sc,
        list(venues),
        _assignments("shock", shocks),
        _assignments("shock-book", book_shocks),
        _duration(crash_over),
        _fraction(rebound),
        _duration(rebound_over),
        _duration(step),
        throughput,
    )
    return {name: RunResult(doc, ev) for name, doc, ev in out}


def _stress_args(
    paths: int,
    horizon: Union[str, float],
    step: Union[str, float],
    copula: str,
    df: float,
    seed: Optional[int],
    vols: Shocks,
    corr: Optional[float],
    corr_file: Optional[str],
    portfolio: str,
    throughput: Optional[int],
) -> Dict[str, Any]:
    return dict(
        paths=int(paths),
        horizon=_duration(horizon),
        step=_duration(step),
        copula=copula,
        df=float(df),
        seed=seed,
        vols=_assignments("vol", vols),
        corr=corr,
        corr_file=None if corr_file is None else str(corr_file),
        portfolio=str(portfolio),
        throughput=throughput,
    )


def stress(
    scenario: Union[None, Scenario, str] = None,
    *,
    paths: int = 1000,
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
    hedge: Optional[str] = None,
) -> StressResult:
    """``liqcascade stress``: Monte Carlo through the time-stepped cascade (paths seeded by path
    index, so any split into shards gives the same rows). ``liqcascade.ray.stress`` fans the
    same run out over Ray tasks. ``hedge="delta:30s[,band=2%][,ratio=0.5]"`` (with a portfolio
    file) also runs every path with the portfolio's delta hedged through the perp books, as
    ``stress --hedge``: the result's ``"hedge"`` entry compares hedged and unhedged losses on the
    same paths."""
    sc = _scenario(scenario)
    args = _stress_args(paths, horizon, step, copula, df, seed, vols, corr, corr_file, portfolio, throughput)
    if hedge is not None:
        args["hedge"] = str(hedge)
    doc, rows = _native.stress(sc, **args)
    return StressResult(doc, rows)


def policies(
    scenario: Union[None, Scenario, str] = None,
    *,
    policies: Sequence[str],
    paths: int = 1000,
    horizon: Union[str, float] = "15m",
    step: Union[str, float] = "1s",
    copula: str = "t",
    df: float = 4.0,
    seed: Optional[int] = None,
    vols: Shocks = None,
    corr: Optional[float] = None,
    corr_file: Optional[str] = None,
    throughput: Optional[int] = None,
) -> Dict[str, Any]:
    """``liqcascade policies --json``: the baseline and each policy case (``"throttle=2M"``,
    ``"breaker=5%/60s/300s"``, ``"fund=2"``, ``"adl=pro-rata"``, ``"vol-margin=2%"``,
    ``"mark-smoothing=30s"``, ``"token-cap=1M"``; ``+`` joins several) on the same Monte Carlo
    paths, with paired intervals of each case's difference from the baseline."""
    sc = _scenario(scenario)
    args = _stress_args(paths, horizon, step, copula, df, seed, vols, corr, corr_file, "aggregate", throughput)
    del args["portfolio"]
    return json.loads(_native.policies(sc, [str(p) for p in policies], **args))


def sweep(
    scenario: Union[None, Scenario, str] = None,
    *,
    market: str = "BTC",
    from_: Union[str, float] = "-1%",
    to: Union[str, float] = "-30%",
    points: int = 30,
    threshold: float = 2.0,
) -> Dict[str, Any]:
    """``liqcascade sweep --json``: the shock→loss curve of one market and its critical shock."""
    doc = _native.sweep(_scenario(scenario), market, _fraction(from_), _fraction(to), int(points), float(threshold))
    return json.loads(doc)


def network(scenario: Union[None, Scenario, str] = None) -> Dict[str, Any]:
    """``liqcascade network --json``: exposure network, contagion matrix, DebtRank."""
    return json.loads(_native.network(_scenario(scenario)))


def map(  # noqa: A001 - the CLI's command name
    scenario: Union[None, Scenario, str] = None,
    *,
    market: str = "BTC",
    range: Union[str, float] = "20%",  # noqa: A002
    bin: Union[str, float] = "1%",  # noqa: A002
    cascade: bool = True,
) -> Dict[str, Any]:
    """``liqcascade map --json``: notional liquidated at each price level of one market."""
    doc = _native.liquidation_map(_scenario(scenario), market, _fraction(range), _fraction(bin), bool(cascade))
    return json.loads(doc)
