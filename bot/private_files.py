"""Files that carry personal data (exports, backups): readable and writable by their owner only,
whatever the umask, and even when a file of that name existed with wider rights."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def private_folder(folder: Path) -> Path:
    """Create `folder` (owner only) if it is missing; an existing folder keeps its rights."""
    folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    return folder


def create_private(path: Path) -> Path:
    """Create `path` empty with mode 0600 (truncating a file that was there)."""
    write_private(path, b"")
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write `data` to `path` with mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as out:
        # open() applies the mode only to a new file: narrow an old one too.
        os.fchmod(out.fileno(), PRIVATE_FILE)
        out.write(data)
    return path
