"""Where Superset keeps its local state, which port it serves on, and its secrets.

Secrets come from the environment when set, else are generated once into files of the
git-ignored state folder (mode 0600), so a second start reuses them and nothing has a default.
"""

from __future__ import annotations

from pathlib import Path

from emg import settings
from emg.paths import project_dir, state_dir, stored_secret

DEFAULT_PORT = 8088
HOST = "127.0.0.1"
ADMIN_USER = "admin"
READER_ROLE = "superset_reader"


def home() -> Path:
    """`.emg/superset/`: metadata database, secret key, cache, pid file and logs."""
    path = state_dir() / "superset"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    path = home() / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_path() -> Path:
    return project_dir() / "superset" / "superset_config.py"


def metadata_uri() -> str:
    return f"sqlite:///{home() / 'superset.db'}?check_same_thread=false"


def port() -> int:
    return settings.port("EMG_SUPERSET_PORT", DEFAULT_PORT)


def base_url() -> str:
    return f"http://{HOST}:{port()}"


def secret_key() -> str:
    return settings.get("SUPERSET_SECRET_KEY") or stored_secret(home() / "secret_key", 48)[0]


def admin_password() -> tuple[str, bool]:
    """SUPERSET_ADMIN_PASSWORD, else the generated one; (password, generated just now)."""
    configured = settings.get("SUPERSET_ADMIN_PASSWORD")
    if configured:
        return configured, False
    return stored_secret(home() / "admin_password", 12)


def admin_password_source() -> str:
    if settings.get("SUPERSET_ADMIN_PASSWORD"):
        return "$SUPERSET_ADMIN_PASSWORD"
    return str(home() / "admin_password")


def reader_password() -> str:
    return stored_secret(home() / "reader_password", 24)[0]


def credentials() -> str:
    """The line `make demo` ends with: where to go and how to log in (never the password
    itself: `make demo` runs again and again, and terminals keep their scroll-back)."""
    return (
        f"Superset running: {base_url()}/superset/dashboard/overview/ "
        f"(user {ADMIN_USER}, password in {admin_password_source()})"
    )
