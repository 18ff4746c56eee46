"""`liqcascade.stress(..., hedge="delta:30s")` from Python: the same document as
`liqcascade stress --hedge ... --json` (one parser, one runner), and the refusals of the CLI."""

import json
import subprocess

import pytest

import liqcascade as lc

ARGS = dict(paths=6, horizon="60s", step="5s")


@pytest.fixture()
def desk(tmp_path):
    p = tmp_path / "desk.csv"
    p.write_text("market,size\nBTCUSDT,5\n")
    return str(p)


def test_hedged_stress_matches_the_cli_json(default_scenario, cli, desk):
    r = lc.stress(default_scenario, portfolio=desk, hedge="delta:15s,band=1%", **ARGS)
    out = subprocess.run([cli, "stress", "--paths", "6", "--horizon", "60s", "--step", "5s",
                          "--portfolio", desk, "--hedge", "delta:15s,band=1%", "--json", "--quiet"],
                         check=True, capture_output=True, text=True).stdout
    assert r.result == json.loads(out)
    assert r.result["hedge"]["settings"] == {"interval_s": 15.0, "band": 0.01, "ratio": 1.0}


def test_bad_hedges_are_refused(default_scenario, desk):
    with pytest.raises(lc.InputError, match="unknown hedge 'gamma'"):
        lc.stress(default_scenario, portfolio=desk, hedge="gamma:30s", **ARGS)
    with pytest.raises(lc.InputError, match="needs --portfolio FILE"):
        lc.stress(default_scenario, hedge="delta:30s", **ARGS)
