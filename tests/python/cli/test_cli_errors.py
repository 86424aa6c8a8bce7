"""Every user error of the `emg` command is one line on stderr, never a traceback."""

from __future__ import annotations

import pytest
from conftest import run_emg


def assert_one_line(result, *fragments: str) -> None:
    assert result.returncode in (1, 2), result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert lines[0].startswith("emg: error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize("hours", ["nan", "inf", "1e20", "-1", "many"])
def test_reminder_hours_that_are_no_number_of_hours_are_one_line(hours):
    result = run_emg("alerts", "send", "--dry-run", "--reminder-hours", hours, check=False)
    assert_one_line(result, "--reminder-hours")


def test_an_unknown_reporting_timezone_is_one_line(warehouse):
    result = run_emg("alerts", "send", "--dry-run", env={"EMG_TIMEZONE": "Mars/Base"}, check=False)
    assert_one_line(result, "Mars/Base", "IANA")


@pytest.mark.parametrize("as_of", ["9999-12-31T23:00:00Z", "0026-01-01T00:00:00Z", "yesterday"])
def test_an_as_of_outside_the_plausible_window_is_one_line(as_of):
    result = run_emg("crm", "generate", "--as-of", as_of, check=False)
    assert_one_line(result, "--as-of")


@pytest.mark.parametrize("port", ["99999", "0", "http"])
def test_a_port_that_is_no_port_is_one_line(port, tmp_path):
    result = run_emg(
        "warehouse", "start", env={"EMG_STATE_DIR": str(tmp_path), "EMG_PG_PORT": port}, check=False
    )
    assert_one_line(result, "EMG_PG_PORT", "1-65535")


def test_build_with_the_warehouse_down_says_how_to_start_it(tmp_path):
    env = {"EMG_STATE_DIR": str(tmp_path), "EMG_PG_PORT": "54352"}
    result = run_emg("build", env=env, check=False)
    assert_one_line(result, "cannot reach the warehouse", "emg warehouse start")


def test_an_unknown_option_is_one_line():
    result = run_emg("build", "--selekt", "x", check=False)
    assert_one_line(result, "--selekt", "emg build --help")


def test_emg_docs_on_a_taken_port_is_one_line():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run_emg("docs", "--port", str(taken.getsockname()[1]), check=False)
    assert_one_line(result, "is taken", "EMG_DOCS_PORT")
