"""Where the reporting API keeps its state, which port it serves on, and its secrets.

The bearer token is EMG_API_TOKEN when set, else generated once into `.emg/api/token` (0600);
the API's warehouse login (`api_reader`, a member of `reporting_reader`) has its password
generated once into `.emg/api/reader_password`. Neither is ever logged or returned.
"""

from __future__ import annotations

from pathlib import Path

from emg import settings
from emg.paths import state_dir, stored_secret

DEFAULT_PORT = 8000
HOST = "127.0.0.1"
READER_ROLE = "api_reader"
GROUP_ROLES = ("reporting_reader",)  # the marts and nothing else, as analysts read them


def home() -> Path:
    path = state_dir() / "api"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def port() -> int:
    return settings.port("EMG_API_PORT", DEFAULT_PORT)


def base_url() -> str:
    return f"http://{HOST}:{port()}"


def token() -> str:
    return settings.get("EMG_API_TOKEN") or stored_secret(home() / "token", 32)[0]


def token_source() -> str:
    if settings.get("EMG_API_TOKEN"):
        return "$EMG_API_TOKEN"
    return str(home() / "token")


def reader_password() -> str:
    return stored_secret(home() / "reader_password", 24)[0]
