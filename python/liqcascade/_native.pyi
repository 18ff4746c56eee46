"""Type stubs of the extension module ``liqcascade._native`` (crates/py)."""

from typing import Any, List, Optional, Tuple

__version__: str

class InputError(ValueError):
    """Invalid input; says where."""

    file: Optional[str]
    line: Optional[int]
    column: Optional[int]
    field: str
    row: Optional[int]
    message: str

class ArrowBatch:
    """A record batch owned by Rust; exported through the Arrow PyCapsule interface."""

    @property
    def num_rows(self) -> int: ...
    @property
    def column_names(self) -> List[str]: ...
    def _values_address(self, column: str) -> int: ...
    def __arrow_c_array__(self, requested_schema: Optional[Any] = None) -> Tuple[Any, Any]: ...
    def __arrow_c_stream__(self, requested_schema: Optional[Any] = None) -> Any: ...
    def __arrow_c_schema__(self) -> Any: ...
    def __len__(self) -> int: ...

class Scenario:
    """A validated scenario and the source it was built from."""

    @staticmethod
    def load(path: str, venue: Optional[str] = None) -> "Scenario": ...
    @staticmethod
    def default(venue: Optional[str] = None) -> "Scenario": ...
    @staticmethod
    def from_json(text: str, origin: str = "<scenario>") -> "Scenario": ...
    @staticmethod
    def from_tables(
        accounts: Any,
        markets: Any = None,
        books: Any = None,
        *,
        base: Optional["Scenario"] = None,
        name: str = "tables",
        venue: str = "binance",
        seed: int = 0,
        insurance_fund_usd: float = 0.0,
        shock: Optional[Any] = None,
        extra: Optional[Any] = None,
    ) -> "Scenario": ...
    def with_accounts_csv(self, csv: str, origin: str = "<accounts table>") -> "Scenario": ...
    def on_venue(self, venue: str) -> "Scenario": ...
    @property
    def name(self) -> str: ...
    @property
    def venue(self) -> str: ...
    @property
    def markets(self) -> List[str]: ...
    @property
    def n_accounts(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def hash(self) -> str: ...
    def to_json(self) -> str: ...

def run(
    scenario: Scenario,
    shocks: List[str] = ...,
    book_shocks: List[str] = ...,
    crash_over: Optional[str] = None,
    rebound: Optional[str] = None,
    rebound_over: Optional[str] = None,
    step: str = "1s",
    throughput: Optional[int] = None,
    replay: Optional[str] = None,
    accounts: bool = False,
) -> Tuple[str, ArrowBatch, Optional[ArrowBatch]]: ...
def compare(
    scenario: Scenario,
    venues: List[str],
    shocks: List[str] = ...,
    book_shocks: List[str] = ...,
    crash_over: Optional[str] = None,
    rebound: Optional[str] = None,
    rebound_over: Optional[str] = None,
    step: str = "1s",
    throughput: Optional[int] = None,
) -> List[Tuple[str, str, ArrowBatch]]: ...
def stress(
    scenario: Scenario,
    paths: int = 1000,
    horizon: str = "15m",
    step: str = "1s",
    copula: str = "t",
    df: float = 4.0,
    seed: Optional[int] = None,
    vols: List[str] = ...,
    corr: Optional[float] = None,
    corr_file: Optional[str] = None,
    portfolio: str = "aggregate",
    throughput: Optional[int] = None,
    hedge: Optional[str] = None,
) -> Tuple[str, ArrowBatch]: ...
def policies(
    scenario: Scenario,
    policies: List[str],
    paths: int = 1000,
    horizon: str = "15m",
    step: str = "1s",
    copula: str = "t",
    df: float = 4.0,
    seed: Optional[int] = None,
    vols: List[str] = ...,
    corr: Optional[float] = None,
    corr_file: Optional[str] = None,
    throughput: Optional[int] = None,
) -> str: ...
def stress_shard(
    scenario: Scenario,
    shard: str,
    paths: int = 1000,
    horizon: str = "15m",
    step: str = "1s",
    copula: str = "t",
    df: float = 4.0,
    seed: Optional[int] = None,
    vols: List[str] = ...,
    corr: Optional[float] = None,
    corr_file: Optional[str] = None,
    portfolio: str = "aggregate",
    throughput: Optional[int] = None,
) -> bytes: ...
def merge(files: List[str]) -> Tuple[str, ArrowBatch]: ...
def sweep(
    scenario: Scenario,
    market: str = "BTC",
    from_: str = "-1%",
    to: str = "-30%",
    points: int = 30,
    threshold: float = 2.0,
) -> str: ...
def network(scenario: Scenario) -> str: ...
def liquidation_map(
    scenario: Scenario, market: str = "BTC", range: str = "20%", bin: str = "1%", cascade: bool = True
) -> str: ...
