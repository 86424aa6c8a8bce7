"""`emg bench` at scale 1, repeat 1: it completes, the marts and the live computation from
crm give the same answers, the incremental build equals a full refresh, and the JSON, the
Markdown table and the plot are written. The large scales are run by hand (README)."""

from __future__ import annotations

import json

from conftest import run_emg

from orchestration.bench.questions import QUESTIONS


def test_a_small_benchmark_completes_agrees_and_writes_its_outputs(warehouse, tmp_path):
    out = tmp_path / "results.json"
    result = run_emg("bench", "--scales", "1", "--repeat", "1", "--out", str(out))

    results = json.loads(out.read_text())
    assert results["machine"]["cores"] >= 1 and results["machine"]["postgres"]
    [run] = results["scales"]
    assert run["scale"] == 1 and run["load"]["rows"] > 4000
    assert run["load"]["load_rows_per_s"] > 0 and run["load"]["copy_ceiling_rows_per_s"] > 0
    assert run["load"]["peak_rss_mib"] > 0 and run["build"]["dbt_peak_rss_mib"] > 0
    assert run["build"]["marts_equal"] is True
    assert run["build"]["mart_rows"]["fct_calls"] > 1000
    assert [q["question"] for q in run["read"]] == [q.name for q in QUESTIONS]
    assert all(q["same_answer"] and q["rows"] >= 1 for q in run["read"])

    table = out.with_suffix(".md").read_text()
    assert "| scale | rows | load rows/s | COPY ceiling rows/s |" in table
    assert "| Pipeline health | 1 | 1 |" in table
    assert out.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert table in result.stdout
