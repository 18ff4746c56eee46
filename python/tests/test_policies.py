"""`liqcascade.policies` from Python: the same document as `liqcascade policies --json`, and the
baseline's paired differences are zero by construction (every case runs the same paths)."""

import json
import subprocess

import pytest

import liqcascade as lc

ARGS = dict(paths=8, horizon="60s", step="5s")


def test_policies_match_the_cli_json(default_scenario, cli):
    doc = lc.policies(default_scenario, policies=["fund=2", "throttle=1M"], **ARGS)
    out = subprocess.run([cli, "policies", "--paths", "8", "--horizon", "60s", "--step", "5s",
                          "--policy", "fund=2", "--policy", "throttle=1M", "--json", "--quiet"],
                         check=True, capture_output=True, text=True).stdout
    assert doc == json.loads(out)


def test_baseline_differences_are_zero_and_cases_are_named(default_scenario):
    doc = lc.policies(default_scenario, policies=["adl=pro-rata"], **ARGS)
    names = [c["policy"] for c in doc["policies"]]
    assert names == ["baseline", "adl=pro-rata"]
    for m in doc["policies"][0]["metrics"]:
        assert m["mean_diff"] == 0.0 and m["es99_diff"] == 0.0
    with pytest.raises(lc.InputError, match="unknown policy"):
        lc.policies(default_scenario, policies=["warp=9"], **ARGS)
