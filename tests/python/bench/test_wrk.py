"""`emg bench --api`'s reading of wrk: the numbers come from real wrk runs' output, captured
against the reporting API (wrk_samples/), and agree with what wrk printed itself; a run whose
requests failed says so; without wrk, `emg bench --api` stops at once with one line naming
the command that installs it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_emg

from emg.bench import wrk

SAMPLES = Path(__file__).parent / "wrk_samples"


def _printed_by_wrk(output: str) -> tuple[int, float, float]:
    """wrk's own summary: requests, seconds and Requests/sec, as it rounds them."""
    requests, seconds = re.search(r"(\d+) requests in ([\d.]+)s", output).groups()
    per_second = re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)
    return int(requests), float(seconds), float(per_second)


@pytest.mark.parametrize("sample", ["cached-50-clients.txt", "uncached-1-client.txt"])
def test_a_real_run_parses_to_wrks_own_figures(sample):
    output = (SAMPLES / sample).read_text()
    run = wrk.parse(output)
    requests, seconds, per_second = _printed_by_wrk(output)
    assert run.requests == requests
    assert run.seconds == pytest.approx(seconds, abs=0.005)
    assert run.per_second == pytest.approx(per_second, abs=0.01)
    assert 0 < run.p50_ms <= run.p95_ms <= run.p99_ms <= run.max_ms
    assert run.errors == {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0}


def test_the_percentiles_are_microseconds_turned_into_milliseconds():
    run = wrk.parse((SAMPLES / "status-errors.txt").read_text())
    assert (run.p50_ms, run.p95_ms, run.p99_ms, run.max_ms) == (57.327, 157.975, 207.147, 262.627)
    # wrk's own "Max" column rounds the same figure
    assert "262.63ms" in (SAMPLES / "status-errors.txt").read_text()


def test_a_run_whose_answers_failed_counts_them():
    output = (SAMPLES / "status-errors.txt").read_text()
    run = wrk.parse(output)
    non_2xx = int(re.search(r"Non-2xx or 3xx responses: (\d+)", output).group(1))
    assert run.errors["status"] == non_2xx == 1328
    assert run.requests == 1440


def test_output_without_the_scripts_line_is_refused():
    output = (SAMPLES / "cached-50-clients.txt").read_text()
    plain = "\n".join(line for line in output.splitlines() if not line.startswith(wrk.MARKER))
    with pytest.raises(ValueError, match="0 lines"):
        wrk.parse(plain)
    with pytest.raises(ValueError, match="2 lines"):
        wrk.parse(output + output)


def test_without_wrk_the_api_bench_names_the_command_that_installs_it(tmp_path):
    result = run_emg("bench", "--api", "--scales", "1", check=False, env={"PATH": str(tmp_path)})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"emg: error: {wrk.INSTALL}"]
    assert "apt-get install -y wrk" in wrk.INSTALL
