"""Where the project lives on disk, and its git-ignored local state."""

from __future__ import annotations

import os
from pathlib import Path


def project_dir() -> Path:
    """The repository root: `EMG_PROJECT_DIR`, else the checkout this package sits in."""
    configured = os.environ.get("EMG_PROJECT_DIR")
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
    configured = os.environ.get("EMG_STATE_DIR")
    path = Path(configured).resolve() if configured else project_dir() / ".emg"
    path.mkdir(parents=True, exist_ok=True)
    return path
