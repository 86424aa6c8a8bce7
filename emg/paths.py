"""Where the project lives on disk, and its git-ignored local state."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from emg import settings


def project_dir() -> Path:
    """The repository root: `EMG_PROJECT_DIR`, else the checkout this package sits in."""
    configured = settings.get("EMG_PROJECT_DIR")
    if configured:
        return Path(configured).resolve()
    here = Path(__file__).resolve().parent.parent
    if (here / "dbt_project.yml").exists():
        return here
    return Path.cwd().resolve()


def state_dir() -> Path:
    """Project-local, git-ignored folder for the embedded warehouse and other local state.

    `EMG_STATE_DIR` moves it (the test suite runs its own warehouse this way).
    """
    configured = settings.get("EMG_STATE_DIR")
    path = Path(configured).resolve() if configured else project_dir() / ".emg"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def make_private(root: Path) -> None:
    """Nothing under `root` readable or writable by other users (group and other bits off).

    The embedded warehouse's data folder `pgdata` is skipped (PostgreSQL keeps it 0700
    itself); when its server runs as a system user of its own (we are root), `root` stays
    searchable (0711), not listable, so that user can reach it.
    """
    data = root / "pgdata"
    server_is_other_user = data.exists() and data.stat().st_uid != os.getuid()
    root.chmod(0o711 if server_is_other_user else 0o700)
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if name != "pgdata"]
        for name in [*subfolders, *files]:
            path = Path(folder) / name
            try:
                mode = path.lstat().st_mode
                if not stat.S_ISLNK(mode) and mode & 0o077:
                    path.chmod(stat.S_IMODE(mode) & 0o700)
            except OSError:
                continue  # a file that went away meanwhile (logs, caches)


def stored_secret(path: Path, nbytes: int = 32) -> tuple[str, bool]:
    """The secret kept in `path`, generated once (0600, race-safe); (value, created now)."""
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
