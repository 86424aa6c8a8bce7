"""Where Superset keeps its local state, which port it serves on, and its secrets.

Secrets come from the environment when set, else are generated once into files of the
git-ignored state folder (mode 0600), so a second start reuses them and nothing has a default.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from orchestration import services
from orchestration.paths import project_dir, state_dir

DEFAULT_PORT = 8088
HOST = "127.0.0.1"
ADMIN_USER = "admin"
READER_ROLE = "superset_reader"


def home() -> Path:
    """`.emg/superset/`: metadata database, secret key, cache, pid file and logs."""
    path = state_dir() / "superset"
    path.mkdir(parents=True, exist_ok=True)
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
    return services.env_port("EMG_SUPERSET_PORT", DEFAULT_PORT)


def base_url() -> str:
    return f"http://{HOST}:{port()}"


def stored_secret(name: str, nbytes: int = 32) -> tuple[str, bool]:
    """The secret in `home()/name`, created once (0600, race-safe); (value, created now)."""
    path = home() / name
    value = secrets.token_urlsafe(nbytes)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        existing = path.read_text().strip()
        if existing:
            return existing, False
        path.write_text(value + "\n")  # an empty file left by an interrupted write
        return value, True
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value, True


def secret_key() -> str:
    return os.environ.get("SUPERSET_SECRET_KEY") or stored_secret("secret_key", 48)[0]


def admin_password() -> tuple[str, bool]:
    """SUPERSET_ADMIN_PASSWORD, else the generated one; (password, generated just now)."""
    configured = os.environ.get("SUPERSET_ADMIN_PASSWORD")
    if configured:
        return configured, False
    return stored_secret("admin_password", 12)


def admin_password_source() -> str:
    if os.environ.get("SUPERSET_ADMIN_PASSWORD"):
        return "$SUPERSET_ADMIN_PASSWORD"
    return str(home() / "admin_password")


def reader_password() -> str:
    return stored_secret("reader_password", 24)[0]


def credentials() -> str:
    """The line `make demo` ends with: where to go and how to log in."""
    if os.environ.get("SUPERSET_ADMIN_PASSWORD"):
        password = "from $SUPERSET_ADMIN_PASSWORD"
    else:
        password = admin_password()[0]
    return (
        f"Superset running: {base_url()}/superset/dashboard/overview/ "
        f"(user {ADMIN_USER}, password {password})"
    )
