#!/usr/bin/env bash
# Whole-process measurement of issue 15: `liqcascade run` on 1,000,000 isolated positions over
# BTC/ETH/SOL with 60,000 explicit book levels a side per market, from CSV and from Parquet.
#
#   scripts/bench_whole_process.sh [RUNS]        (default 10 runs each)
#
# Generates the inputs into a temporary directory (removed on exit; nothing is committed):
# accounts.csv (≈58 MB), accounts.parquet, SYMBOL.book.csv (60,000 levels a side each),
# scenario_csv.toml / scenario_parquet.toml (reading those), scenario_csv_inline_books.toml
# (the same levels inline: ≈5.5 MB of TOML). Times each run from outside with `farm-bench` (wall, cpu, peak
# memory per run; quote the median, and the minimum when the machine is shared) and reports peak
# RSS from `/usr/bin/time -v`. Targets: CSV ≤ 0.25 s and ≤ 250 MB; Parquet ≤ 0.12 s.
# The machine's load is printed first: figures from a loaded machine are upper bounds.
# Session-7 figures (before/after the map-free merge, user CPU and peak RSS): DESIGN.md
# § Loading a million accounts.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-10}"
cargo build --release -q -p liqcascade
cargo build --release -q -p liq-io --example gen_bench_inputs
DIR="$(mktemp -d)"
trap 'rm -rf "$DIR"' EXIT
target/release/examples/gen_bench_inputs "$DIR"
ls -l "$DIR"
BIN="$PWD/target/release/liqcascade"
echo "load: $(uptime)"
for input in csv parquet csv_inline_books; do
    echo "== liqcascade run scenario_${input}.toml"
    farm-bench -n "$RUNS" --timeout 600 -- "$BIN" run "$DIR/scenario_${input}.toml"
    /usr/bin/time -v "$BIN" run "$DIR/scenario_${input}.toml" >/dev/null 2>"$DIR/time_${input}.txt"
    grep -E "Elapsed|Maximum resident" "$DIR/time_${input}.txt"
done
echo "load: $(uptime)"
