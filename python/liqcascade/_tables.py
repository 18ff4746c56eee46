"""Scenarios built from tables (pandas, polars, pyarrow, or a list of row dicts).

``Scenario.from_tables(accounts, markets=None, books=None, ...)``:

* ``accounts``: one row per position, the columns of the accounts CSV
  (docs/scenario-format.md, *Accounts CSV*): ``account``, ``market``, ``size``, ``entry_price``
  required; ``mode``, ``margin_usd``, ``wallet_usd``, ``collateral`` optional (a missing
  optional column is empty on every row; a null/NaN in one is empty on that row).
* ``markets`` (optional; without it the accounts replace those of ``base``, the embedded
  default when not given): ``symbol``, ``tick_size``, ``lot_size``, ``index_price``,
  ``liquidation_fee_rate``, ``taker_fee_rate`` required; ``mark_price``, ``tiers`` (a built-in
  table name such as ``"binance:BTCUSDT"``, default ``"preset"``) optional.
* ``books`` (with ``markets``): ``market``, ``side`` (``bid``/``ask``), ``price``, ``qty``.

The accounts are written as accounts-CSV text and read by the engine's own CSV reader, the
markets and books as scenario JSON read by the engine's own loader: the same validation as a
file, nothing re-implemented. A missing column, a null or NaN in a required column, and any
value the loader refuses raise :class:`liqcascade.InputError` with ``field`` (the column) and
``row`` (0-based row of the table).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from typing import Any, Dict, List, Mapping, Optional, Union

import pyarrow as pa

from ._native import InputError, Scenario

ACCOUNTS_TABLE = "<accounts table>"
MARKETS_TABLE = "<markets table>"
BOOKS_TABLE = "<books table>"

ACCOUNT_REQUIRED = ["account", "market", "size", "entry_price"]
ACCOUNT_OPTIONAL = ["mode", "margin_usd", "wallet_usd", "collateral"]
MARKET_REQUIRED = ["symbol", "tick_size", "lot_size", "index_price", "liquidation_fee_rate", "taker_fee_rate"]
MARKET_OPTIONAL = ["mark_price", "tiers"]
BOOK_REQUIRED = ["market", "side", "price", "qty"]


def table_error(table: str, column: Optional[str], row: Optional[int], message: str) -> InputError:
    """An InputError about a Python table: ``file`` is the table, ``field`` the column, ``row``
    the 0-based row."""
    where = table
    if row is not None:
        where += f" row {row}"
    text = f"{where}: {column}: {message}" if column else f"{where}: {message}"
    e = InputError(text)
    e.file, e.line, e.column, e.field, e.row, e.message = table, None, None, column or "", row, message
    return e


def to_arrow(t: Any, what: str) -> pa.Table:
    """pandas / polars / pyarrow / anything with ``__arrow_c_stream__`` / a list of dicts."""
    if isinstance(t, pa.Table):
        return t
    if isinstance(t, pa.RecordBatch):
        return pa.Table.from_batches([t])
    mod = type(t).__module__.split(".")[0]
    if mod == "pandas":
        return pa.Table.from_pandas(t, preserve_index=False)
    if mod == "polars":
        return t.to_arrow()
    if hasattr(t, "__arrow_c_stream__"):
        return pa.table(t)
    if isinstance(t, list):
        return pa.Table.from_pylist(t)
    raise TypeError(f"{what}: expected a pandas/polars DataFrame, a pyarrow Table or a list of dicts, got {type(t)!r}")


def _columns(t: pa.Table, table: str, required: List[str], optional: List[str]) -> Dict[str, List[Any]]:
    names = t.column_names
    for c in required:
        if c not in names:
            raise table_error(table, c, None, f"missing column (required: {', '.join(required)})")
    for c in names:
        if c not in required and c not in optional:
            raise table_error(table, c, None, f"unknown column (known: {', '.join(required + optional)})")
    return {c: t.column(c).to_pylist() for c in names}


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _number(table: str, column: str, row: int, v: Any, required: bool) -> str:
    """A number as exact text (``repr`` is the shortest string that parses back to the same
    float), empty when missing and allowed."""
    if _missing(v):
        if required:
            # pandas and pyarrow turn NaN into null on conversion: either way the value is absent.
            raise table_error(table, column, row, "NaN" if v is not None else "NaN or missing value (null)")
        return ""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise table_error(table, column, row, f"expected a number, got {v!r}")
    if isinstance(v, float) and math.isinf(v):
        raise table_error(table, column, row, f"not finite: {v!r}")
    return repr(v) if isinstance(v, float) else str(v)


def _text(table: str, column: str, row: int, v: Any, required: bool) -> str:
    if _missing(v):
        if required:
            raise table_error(table, column, row, "missing value (null)")
        return ""
    s = str(v)
    if "\n" in s or "\r" in s:
        raise table_error(table, column, row, "a line break inside a value")
    return s


def accounts_csv(accounts: Any) -> str:
    """The accounts table as accounts-CSV text: line ``row + 2`` holds table row ``row``."""
    t = to_arrow(accounts, "accounts")
    cols = _columns(t, ACCOUNTS_TABLE, ACCOUNT_REQUIRED, ACCOUNT_OPTIONAL)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    header = ACCOUNT_REQUIRED + ACCOUNT_OPTIONAL
    w.writerow(header)
    n = t.num_rows
    get = lambda c, i: cols[c][i] if c in cols else None  # noqa: E731
    for i in range(n):
        acct = _text(ACCOUNTS_TABLE, "account", i, get("account", i), True)
        if acct.startswith("#"):
            raise table_error(ACCOUNTS_TABLE, "account", i, f"an account id cannot start with '#': {acct!r}")
        market = _text(ACCOUNTS_TABLE, "market", i, get("market", i), False)
        # A row without a market is an account-only row (wallet/collateral, no position); any
        # row with a market needs its size and entry price.
        has_pos = market != "" or not (_missing(get("size", i)) and _missing(get("entry_price", i)))
        row = [
            acct,
            market,
            _number(ACCOUNTS_TABLE, "size", i, get("size", i), has_pos),
            _number(ACCOUNTS_TABLE, "entry_price", i, get("entry_price", i), has_pos),
            _text(ACCOUNTS_TABLE, "mode", i, get("mode", i), False),
            _number(ACCOUNTS_TABLE, "margin_usd", i, get("margin_usd", i), False),
            _number(ACCOUNTS_TABLE, "wallet_usd", i, get("wallet_usd", i), False),
            _text(ACCOUNTS_TABLE, "collateral", i, get("collateral", i), False),
        ]
        w.writerow(row)
    return out.getvalue()


def _move(v: Union[str, float]) -> float:
    if isinstance(v, str):
        t = v.strip()
        return float(t[:-1]) / 100.0 if t.endswith("%") else float(t)
    return float(v)


def scenario_json(
    markets: Any,
    books: Any,
    *,
    name: str,
    venue: str,
    seed: int,
    insurance_fund_usd: float,
    shock: Optional[Mapping[str, Union[str, float]]],
    extra: Optional[Mapping[str, Any]],
) -> tuple:
    """Scenario JSON from the markets and books tables, and where each book level came from
    (``(market index, "bids"|"asks", level) → books row``)."""
    mt = to_arrow(markets, "markets")
    mc = _columns(mt, MARKETS_TABLE, MARKET_REQUIRED, MARKET_OPTIONAL)
    out_markets: List[Dict[str, Any]] = []
    index: Dict[str, int] = {}
    for i in range(mt.num_rows):
        m: Dict[str, Any] = {"symbol": _text(MARKETS_TABLE, "symbol", i, mc["symbol"][i], True)}
        for c in MARKET_REQUIRED[1:]:
            m[c] = float(_number(MARKETS_TABLE, c, i, mc[c][i], True))
        if "mark_price" in mc and not _missing(mc["mark_price"][i]):
            m["mark_price"] = float(_number(MARKETS_TABLE, "mark_price", i, mc["mark_price"][i], True))
        m["tiers"] = _text(MARKETS_TABLE, "tiers", i, mc["tiers"][i], False) if "tiers" in mc else ""
        if m["tiers"] == "":
            m["tiers"] = "preset"
        index[m["symbol"].upper()] = i
        out_markets.append(m)
    origin: Dict[tuple, int] = {}
    if books is not None:
        bt = to_arrow(books, "books")
        bc = _columns(bt, BOOKS_TABLE, BOOK_REQUIRED, [])
        levels: Dict[tuple, List[tuple]] = {}
        for r in range(bt.num_rows):
            market = _text(BOOKS_TABLE, "market", r, bc["market"][r], True)
            k = index.get(market.upper())
            if k is None:
                raise table_error(BOOKS_TABLE, "market", r, f"unknown market {market!r} (markets: {', '.join(index)})")
            side = _text(BOOKS_TABLE, "side", r, bc["side"][r], True).lower()
            sides = {"bid": "bids", "bids": "bids", "buy": "bids", "ask": "asks", "asks": "asks", "sell": "asks"}
            if side not in sides:
                raise table_error(BOOKS_TABLE, "side", r, f"expected bid or ask, got {side!r}")
            price = float(_number(BOOKS_TABLE, "price", r, bc["price"][r], True))
            qty = float(_number(BOOKS_TABLE, "qty", r, bc["qty"][r], True))
            levels.setdefault((k, sides[side]), []).append((price, qty, r))
        for (k, side), lv in levels.items():
            # The format wants bids descending and asks ascending; the table's row order is not
            # data, so it is sorted here (a repeated price stays and is refused by the loader).
            lv.sort(key=lambda x: -x[0] if side == "bids" else x[0])
            out_markets[k].setdefault("book", {})[side] = [[p, q] for p, q, _ in lv]
            for j, (_, _, r) in enumerate(lv):
                origin[(k, side, j)] = r
    doc: Dict[str, Any] = {
        "name": name,
        "seed": int(seed),
        "venue": venue,
        "insurance_fund_usd": float(insurance_fund_usd),
        "markets": out_markets,
    }
    if shock:
        doc["shock"] = {"moves": {k: _move(v) for k, v in shock.items()}}
    if extra:
        doc.update(extra)
    return json.dumps(doc, allow_nan=False), origin


_BOOK_FIELD = re.compile(r"^markets\[(\d+)\]\.book\.(bids|asks)\[(\d+)\]")


def from_tables(
    accounts: Any,
    markets: Any = None,
    books: Any = None,
    *,
    base: Optional[Scenario] = None,
    name: str = "tables",
    venue: str = "binance",
    seed: int = 0,
    insurance_fund_usd: float = 0.0,
    shock: Optional[Mapping[str, Union[str, float]]] = None,
    extra: Optional[Mapping[str, Any]] = None,
) -> Scenario:
    """A scenario from tables; see the module documentation for the columns. ``extra``: more
    scenario keys in the scenario format (``engine``, ``impact``, ``assets``, ...)."""
    csv_text = accounts_csv(accounts)
    if markets is None:
        if books is not None:
            raise table_error(BOOKS_TABLE, None, None, "books need a markets table")
        sc = base if base is not None else Scenario.default()
    else:
        if base is not None:
            raise TypeError("give either base or markets, not both")
        text, origin = scenario_json(
            markets, books, name=name, venue=venue, seed=seed,
            insurance_fund_usd=insurance_fund_usd, shock=shock, extra=extra,
        )
        try:
            sc = Scenario.from_json(text, MARKETS_TABLE)
        except InputError as e:
            m = _BOOK_FIELD.match(getattr(e, "field", "") or "")
            if m and (int(m.group(1)), m.group(2), int(m.group(3))) in origin:
                r = origin[(int(m.group(1)), m.group(2), int(m.group(3)))]
                raise table_error(BOOKS_TABLE, "price", r, f"{e.field}: {e.message}") from e
            raise
    return sc.with_accounts_csv(csv_text, ACCOUNTS_TABLE)
