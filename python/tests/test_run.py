"""`run`, `compare`, `sweep`, `network`, `map` from Python: the same JSON as the CLI, the event
log as a polars DataFrame, and a hand-worked liquidation through a scenario built from tables."""

import json
import subprocess

import polars as pl
import pytest

import liqcascade as lc


def test_default_run_matches_the_cli_json(default_scenario, cli):
    # One result schema: the dict is the document `liqcascade run --json` prints.
    r = lc.run(default_scenario, shocks="BTC=-10%")
    out = subprocess.run([cli, "run", "--shock", "BTC=-10%", "--json", "--quiet"], check=True,
                         capture_output=True, text=True).stdout
    assert r.result == json.loads(out)


def test_default_run_amplification_and_event_log(default_scenario):
    r = lc.run(default_scenario, shocks={"BTC": "-10%"})
    s = r.summary
    # The hash is over the scenario run, shock included: the scenario's own shock hashes as the
    # scenario does, another shock does not.
    assert lc.run(default_scenario).result["meta"]["scenario_hash"] == default_scenario.hash
    assert r.result["meta"]["scenario_hash"] != default_scenario.hash
    assert dict(map(tuple, r.result["meta"]["shock"]))["BTCUSDT"] == -0.10
    # Invariants of the summary: total = first + second order; amplification = total / first.
    assert s["liquidated_notional_usd"] == pytest.approx(
        s["first_order_notional_usd"] + s["second_order_notional_usd"], rel=1e-9)
    assert r.amplification == pytest.approx(s["liquidated_notional_usd"] / s["first_order_notional_usd"], rel=1e-12)
    assert r.amplification >= 1.0  # total liquidated includes the first order
    df = r.events_polars()
    assert isinstance(df, pl.DataFrame)
    assert df.columns[:3] == ["generation", "time_s", "account"]
    # The event log and the generation table are two views of the same events.
    counts = dict(df.group_by("generation").len().iter_rows())
    for g in r.result["generations"]:
        assert counts.get(g["generation"], 0) == g["events"]
    liquidating = df.filter(pl.col("kind").is_in(["market_fill", "fund_takeover", "backstop", "adl"]))
    assert liquidating["notional_usd"].sum() == pytest.approx(s["liquidated_notional_usd"], rel=1e-6)


def test_shock_forms_agree(default_scenario):
    a = lc.run(default_scenario, shocks="BTC=-8%")
    b = lc.run(default_scenario, shocks={"BTCUSDT": -0.08})
    assert a.result == b.result


def isolated_long(shock, **kw):
    """Hand-worked: one isolated long of 0.5 BTC at 60,000 with 600 USD margin (50x) on Binance
    BTCUSDT tier 1 (mmr 0.4% up to 50,000 USD notional, cum 0). Its liquidation mark is
    P = (entry x size - margin) / (size x (1 - mmr)) = 29,400 / 0.498 = 59,036.14 (the example in
    examples/single-market-isolated.toml): a -1.5% shock (mark 59,100) leaves it open, -1.7%
    (mark 58,980) liquidates it."""
    markets = pl.DataFrame({
        "symbol": ["BTCUSDT"], "tick_size": [0.1], "lot_size": [0.001], "index_price": [60000.0],
        "liquidation_fee_rate": [0.0125], "taker_fee_rate": [0.0005], "tiers": ["binance:BTCUSDT"],
    })
    books = pl.DataFrame({
        "market": ["BTCUSDT"] * 4, "side": ["bid", "bid", "ask", "ask"],
        "price": [59999.9, 58000.0, 60000.0, 62000.0], "qty": [50.0, 50.0, 50.0, 50.0],
    })
    accounts = pl.DataFrame({
        "account": ["alice"], "market": ["BTCUSDT"], "size": [0.5], "entry_price": [60000.0],
        "mode": ["isolated"], "margin_usd": [600.0],
    })
    sc = lc.Scenario.from_tables(accounts, markets, books, name="hand-worked", insurance_fund_usd=1e6)
    return lc.run(sc, shocks={"BTC": shock}, **kw)


def test_hand_worked_isolated_liquidation_from_tables():
    assert isolated_long("-1.5%").summary["accounts_liquidated"] == 0
    r = isolated_long("-1.7%")
    assert r.summary["accounts_liquidated"] == 1
    ev = r.events_polars()
    assert ev["account_label"].unique().to_list() == ["alice"]
    assert ev.filter(pl.col("generation") == 0)["qty"].abs().sum() == pytest.approx(0.5)


def test_per_account_risk_table():
    # The table of `--accounts-out`, handed over as Arrow: alice's liquidation price is the
    # hand-worked 29,400 / 0.498 = 59,036.14 (see isolated_long), 1.606% below the mark.
    assert isolated_long("-1.7%").accounts is None, "only when asked for"
    acc = pl.from_arrow(isolated_long("-1.7%", accounts=True).accounts)
    assert acc["account"].to_list() == ["alice"]
    row = acc.row(0, named=True)
    assert row["market"] == "BTCUSDT" and row["side"] == "long" and row["mode"] == "isolated"
    assert row["liquidation_price"] == pytest.approx(29400 / 0.498, abs=0.1)
    assert row["distance"] == pytest.approx(29400 / 0.498 / 60000 - 1, abs=2e-6)
    assert row["generation"] == 0
    assert row["liquidated_notional_usd"] > 0


def test_compare_runs_the_book_under_each_venue(default_scenario):
    out = lc.compare(default_scenario, venues=["binance", "hyperliquid"], shocks="BTC=-10%")
    assert list(out) == ["binance", "hyperliquid"]
    assert out["binance"].result["meta"]["venue"] == "binance"
    assert out["hyperliquid"].result["meta"]["venue"] == "hyperliquid"
    # The default is a Binance scenario: compare on binance is the plain run.
    assert out["binance"].result == lc.run(default_scenario, shocks="BTC=-10%").result
    assert out["hyperliquid"].result["meta"]["scenario_hash"] != out["binance"].result["meta"]["scenario_hash"]


def test_sweep_network_map(default_scenario):
    sw = lc.sweep(default_scenario, market="BTC", from_="-2%", to="-12%", points=6)
    assert [round(p["shock"], 6) for p in sw["sweep"]["curve"]] == [-0.02, -0.04, -0.06, -0.08, -0.10, -0.12]
    assert sw["meta"]["scenario_hash"] == default_scenario.hash
    net = lc.network(default_scenario)
    assert net["network"]["accounts"] == default_scenario.n_accounts
    m = lc.map(default_scenario, market="BTC", range="10%", bin="1%", cascade=False)
    assert len(m["bins"]) == 20  # 2 x 10% / 1%
