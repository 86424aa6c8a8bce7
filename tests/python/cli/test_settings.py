"""emg.settings is the one reader of the environment, and the README's table is its table."""

from __future__ import annotations

import json
import re

import pytest
from conftest import REPO

from emg import settings
from emg.dbt_runner import vars_args
from emg.errors import EmgError

# Reading the environment: os.environ / os.getenv, in any spelling a module might use.
ENV_READ = re.compile(r"\bos\.(environ|getenv)\b|\bfrom os import\b.*\b(environ|getenv)\b")


def test_no_module_but_emg_settings_reads_the_environment():
    readers = [
        f"{path.relative_to(REPO)}:{number}"
        for folder in ("emg", "orchestration", "superset")
        for path in sorted((REPO / folder).rglob("*.py"))
        if path != REPO / "emg" / "settings.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if ENV_READ.search(line)
    ]
    assert readers == []


def test_the_readme_lists_every_variable_emg_reads():
    readme = (REPO / "README.md").read_text()
    assert settings.markdown_table() in readme


def test_every_variable_asked_for_is_in_the_table(monkeypatch):
    with pytest.raises(KeyError, match="EMG_NOT_A_SETTING"):
        settings.get("EMG_NOT_A_SETTING")
    monkeypatch.setenv("EMG_PG_PORT", "")
    assert settings.get("EMG_PG_PORT") is None  # empty is unset


@pytest.mark.parametrize("raw", ["abc", "0", "70000"])
def test_a_port_that_is_not_one_is_a_one_line_error_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("EMG_DAGSTER_PORT", raw)
    with pytest.raises(EmgError) as caught:
        settings.port("EMG_DAGSTER_PORT", 3000)
    message = str(caught.value)
    assert "EMG_DAGSTER_PORT" in message and "\n" not in message


def test_dbt_vars_are_passed_only_when_their_variable_is_set(monkeypatch):
    monkeypatch.delenv("EMG_TIMEZONE", raising=False)
    assert vars_args() == []  # dbt_project.yml's vars are the defaults
    monkeypatch.setenv("EMG_TIMEZONE", "America/New_York")
    flag, value = vars_args()
    assert flag == "--vars" and json.loads(value) == {"reporting_timezone": "America/New_York"}
