"""Shared fixtures: the embedded default scenario (built once), the repository root, and the
CLI binary when the workspace has built one (tests that compare with it skip with a note
otherwise)."""

import os
import pathlib
import shutil

import pytest

import liqcascade as lc

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def default_scenario():
    return lc.Scenario.default()


@pytest.fixture(scope="session")
def root():
    return ROOT


def cli_binary():
    """The `liqcascade` binary: $LIQ_CLI, else the workspace's target/{release,debug}."""
    env = os.environ.get("LIQ_CLI")
    if env:
        return env
    for profile in ("release", "debug"):
        p = ROOT / "target" / profile / "liqcascade"
        if p.exists():
            return str(p)
    return shutil.which("liqcascade")


@pytest.fixture(scope="session")
def cli():
    b = cli_binary()
    if b is None:
        if os.environ.get("LIQ_REQUIRE_CLI") == "1":
            pytest.fail("LIQ_REQUIRE_CLI=1 but no liqcascade binary was found")
        print("note: no liqcascade binary (build it with cargo build -p liqcascade); skipping")
        pytest.skip("no liqcascade binary")
    return b
