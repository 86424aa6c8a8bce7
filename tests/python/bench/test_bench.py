"""`emg bench` at scale 1, repeat 1: it completes, the marts and the live computation from
crm give the same answers, the incremental build equals a full refresh, each dbt build's
wall time is cut into start-up, parse, models, seeds, tests, unit tests and a fixed rest from
dbt's own run_results.json, and the JSON, the Markdown tables and the plot are written. The
large scales are run by hand (README)."""

from __future__ import annotations

import json

import pytest
from conftest import run_emg

from emg.bench.breakdown import shared_wall
from emg.bench.questions import QUESTIONS

KINDS = ("models", "seeds", "tests", "unit_tests")


@pytest.fixture(scope="module")
def small_bench(warehouse, tmp_path_factory):
    """One real benchmark run at scale 1 (about a minute and a half): (results, out, stdout)."""
    out = tmp_path_factory.mktemp("bench") / "results.json"
    result = run_emg("bench", "--scales", "1", "--repeat", "1", "--out", str(out))
    return json.loads(out.read_text()), out, result.stdout


def test_a_small_benchmark_completes_agrees_and_writes_its_outputs(small_bench):
    results, out, stdout = small_bench
    assert results["machine"]["cores"] >= 1 and results["machine"]["postgres"]
    [run] = results["scales"]
    assert run["scale"] == 1 and run["load"]["rows"] > 4000
    assert run["load"]["load_rows_per_s"] > 0 and run["load"]["copy_ceiling_rows_per_s"] > 0
    assert run["load"]["peak_rss_mib"] > 0 and len(run["load_average"]) == 3
    assert run["build"]["marts_equal"] is True
    assert run["build"]["mart_rows"]["fct_calls"] > 1000
    assert [q["question"] for q in run["read"]] == [q.name for q in QUESTIONS]
    assert all(q["same_answer"] and q["rows"] >= 1 for q in run["read"])

    table = out.with_suffix(".md").read_text()
    assert "| scale | rows | load rows/s | COPY ceiling rows/s |" in table
    assert "| Pipeline health | 1 | 1 |" in table
    assert out.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert table in stdout


def test_each_build_s_wall_time_adds_up_from_start_up_parse_nodes_and_fixed_cost(small_bench):
    results, _, _ = small_bench
    build = results["scales"][0]["build"]
    breakdowns = build["breakdown"]
    assert list(breakdowns) == [
        "full_models", "full_build", "incremental_build", "full_refresh_after_change"
    ]  # fmt: skip
    assert breakdowns["full_build"]["wall_s"] == pytest.approx(build["full_build_s"], abs=0.01)
    assert breakdowns["incremental_build"]["command"] == (
        "dbt build --exclude-resource-type unit_test --exclude tag:nightly"
    )
    for name, b in breakdowns.items():
        nodes, fixed = b["nodes"], b["fixed_parts"]
        # every part is real time, measured by dbt, inside the process we timed
        assert b["startup_s"] > 0.1 and b["parse_s"] > 0.1, name
        assert all(seconds >= -0.01 for seconds in fixed.values()), (name, fixed)
        assert nodes["models"]["wall_s"] > 0.1, name
        # the parts add up to the wall time measured around the dbt process
        parts = b["startup_s"] + b["parse_s"] + sum(n["wall_s"] for n in nodes.values())
        assert parts + b["fixed_s"] == pytest.approx(b["wall_s"], abs=0.01), name
        assert parts + sum(fixed.values()) == pytest.approx(b["wall_s"], abs=0.05), name
        assert 0 < b["fixed_s"] < b["wall_s"] / 2, name
        # a kind's share of the wall never exceeds its nodes' summed time, and nodes run
        # within dbt's own elapsed time
        for kind in KINDS:
            assert nodes[kind]["wall_s"] <= nodes[kind]["sum_s"] + 0.01, (name, kind)
        assert sum(n["wall_s"] for n in nodes.values()) <= b["dbt_elapsed_s"], name
        assert b["threads"] >= 1, name
        slowest = [node["s"] for node in b["slowest"]]
        assert len(slowest) == 5 and slowest == sorted(slowest, reverse=True), name
        assert slowest[0] <= max(n["sum_s"] for n in nodes.values()), name


def test_each_build_counts_the_nodes_it_ran_by_kind(small_bench):
    results, _, _ = small_bench
    counts = {
        name: {kind: b["nodes"][kind]["count"] for kind in KINDS}
        for name, b in results["scales"][0]["build"]["breakdown"].items()
    }
    assert all(count > 0 for count in counts["full_build"].values()), counts
    # the hourly job leaves the unit tests to the nightly build
    hourly = counts["incremental_build"]
    assert hourly["unit_tests"] == 0 and hourly["models"] > 0 and hourly["tests"] > 0, counts
    # the models and seeds without a test
    models_only = counts["full_models"]
    assert models_only["models"] == counts["full_build"]["models"], counts
    assert models_only["seeds"] == counts["full_build"]["seeds"], counts
    assert models_only["tests"] == models_only["unit_tests"] == 0, counts
    assert counts["full_refresh_after_change"] == counts["full_build"]


def test_where_the_time_goes_is_a_table_of_its_own_in_the_markdown(small_bench):
    results, out, _ = small_bench
    table = out.with_suffix(".md").read_text()
    assert (
        "| scale | build | wall | start-up | parse | models | seeds | tests | unit tests "
        "| fixed | nodes run: models / seeds / tests / unit tests |"
    ) in table
    full = results["scales"][0]["build"]["breakdown"]["full_build"]
    counts = " / ".join(f"{full['nodes'][kind]['count']:,}" for kind in KINDS)
    assert f"| 1 | full build | {full['wall_s']:.1f} |" in table
    assert f"| {counts} |" in table
    assert "| 1 | hourly build |" in table and "| 1 | full refresh after the hour |" in table
    slowest = results["scales"][0]["build"]["breakdown"]["incremental_build"]["slowest"][0]
    assert f"- scale 1: `{slowest['node'].split('.')[-1]}` {slowest['s']:.1f}" in table


def test_concurrent_nodes_share_the_wall_clock_so_kinds_add_up_to_the_busy_time():
    # 0-4 s: a model alone; 4-6 s: that model and a test; 6-8 s: nothing; 8-9 s: a test
    shares = shared_wall([(0.0, 6.0, "models"), (4.0, 6.0, "tests"), (8.0, 9.0, "tests")])
    assert shares == pytest.approx({"models": 5.0, "tests": 2.0})
    assert sum(shares.values()) == pytest.approx(7.0)  # the union, not the 9 s summed
