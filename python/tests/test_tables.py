"""Scenarios from pandas/polars/pyarrow tables, and bad input named by column and row."""

import math
import pickle

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import liqcascade as lc

EXAMPLE = "examples/cross-margin-multi-market.toml"
EXAMPLE_CSV = "examples/cross-margin-multi-market.accounts.csv"


def test_accounts_table_gives_the_scenario_the_csv_gives(root):
    # The example's own accounts CSV read by pandas and handed over as a table: the scenario is
    # identical to the file's (same hash: every number converted exactly, nothing reordered).
    sc = lc.Scenario.load(str(root / EXAMPLE))
    df = pd.read_csv(root / EXAMPLE_CSV, dtype={"collateral": str, "mode": str})
    for table in (df, pl.from_pandas(df), pa.Table.from_pandas(df, preserve_index=False)):
        built = lc.Scenario.from_tables(table, base=sc)
        assert built.hash == sc.hash
        assert built.n_accounts == sc.n_accounts
        assert lc.run(built).result == lc.run(sc).result


def accounts(**over):
    cols = {
        "account": ["a", "b", "c", "d"],
        "market": ["BTCUSDT", "ETHUSDT", "BTCUSDT", "SOLUSDT"],
        "size": [0.5, -2.0, 0.25, 10.0],
        "entry_price": [60000.0, 3000.0, 61000.0, 150.0],
        "wallet_usd": [10000.0, 5000.0, 2000.0, 1000.0],
    }
    cols.update(over)
    return cols


def test_missing_column_names_the_column(default_scenario):
    cols = accounts()
    del cols["entry_price"]
    for table in (pd.DataFrame(cols), pl.DataFrame(cols)):
        with pytest.raises(lc.InputError) as e:
            lc.Scenario.from_tables(table, base=default_scenario)
        assert e.value.field == "entry_price"
        assert e.value.row is None
        assert "missing column" in str(e.value)


def test_nan_size_names_column_and_row(default_scenario):
    cols = accounts(size=[0.5, -2.0, 0.25, math.nan])
    for table in (pd.DataFrame(cols), pl.DataFrame(cols, nan_to_null=False)):
        with pytest.raises(lc.InputError) as e:
            lc.Scenario.from_tables(table, base=default_scenario)
        assert (e.value.field, e.value.row) == ("size", 3)
        assert e.value.file == "<accounts table>"
        assert "row 3" in str(e.value) and "NaN" in str(e.value)
    # A polars null is refused the same way.
    with pytest.raises(lc.InputError) as e:
        lc.Scenario.from_tables(pl.DataFrame(accounts(size=[0.5, None, 0.25, 10.0])), base=default_scenario)
    assert (e.value.field, e.value.row) == ("size", 1)


def test_engine_validation_error_maps_back_to_the_row(default_scenario):
    # 0.0105 BTC is off the 0.001 lot grid: refused by the engine's CSV reader, whose line maps
    # back to the table's row 2.
    with pytest.raises(lc.InputError) as e:
        lc.Scenario.from_tables(pd.DataFrame(accounts(size=[0.5, -2.0, 0.0105, 10.0])), base=default_scenario)
    assert (e.value.field, e.value.row, e.value.line) == ("size", 2, 4)
    # An unknown market, row 1.
    with pytest.raises(lc.InputError) as e:
        lc.Scenario.from_tables(pd.DataFrame(accounts(market=["BTCUSDT", "DOGEUSDT", "BTCUSDT", "SOLUSDT"])),
                                base=default_scenario)
    assert (e.value.field, e.value.row) == ("market", 1)


def test_bad_markets_row_is_named():
    markets = pd.DataFrame({
        "symbol": ["BTCUSDT", "ETHUSDT"], "tick_size": [0.1, -0.01], "lot_size": [0.001, 0.001],
        "index_price": [60000.0, 3000.0], "liquidation_fee_rate": [0.0125, 0.0125],
        "taker_fee_rate": [0.0005, 0.0005], "tiers": ["binance:BTCUSDT", "binance:ETHUSDT"],
    })
    books = pd.DataFrame({"market": ["BTCUSDT", "BTCUSDT", "ETHUSDT", "ETHUSDT"], "side": ["bid", "ask"] * 2,
                          "price": [59999.9, 60000.0, 2999.99, 3000.0], "qty": [1.0, 1.0, 1.0, 1.0]})
    acc = pd.DataFrame({"account": ["a"], "market": ["BTCUSDT"], "size": [0.5], "entry_price": [60000.0]})
    with pytest.raises(lc.InputError) as e:
        lc.Scenario.from_tables(acc, markets, books)
    assert e.value.file == "<markets table>"
    assert e.value.row == 1 and "tick_size" in e.value.field


def test_scenarios_pickle_by_source(default_scenario, root):
    df = pd.read_csv(root / EXAMPLE_CSV, dtype={"collateral": str, "mode": str})
    built = lc.Scenario.from_tables(df, base=lc.Scenario.load(str(root / EXAMPLE)))
    for sc in (default_scenario, built, lc.Scenario.default(venue="hyperliquid")):
        back = pickle.loads(pickle.dumps(sc))
        assert back.hash == sc.hash and back.venue == sc.venue
