"""One crawl per ARCHIVE_DIR at a time, for cron: a second run exits at once. `archive reindex`
takes the same lock before it replaces ARCHIVE_DIR/reports.db under a running crawl.

The lock is an flock(2) on ARCHIVE_DIR/.nianbao.lock: the kernel drops it when the holder dies,
so a lock left by a killed run never blocks the next one.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path


class LockHeld(RuntimeError):
    """Another crawl (or `archive reindex`) holds the archive directory: ``holder`` is its pid
    as the lock file says it, ``directory`` the directory."""

    def __init__(self, message: str, holder: str = "unknown", directory: Path | None = None):
        super().__init__(message)
        self.holder, self.directory = holder, directory


class RunLock:
    """Exclusive, crash-safe lock on an archive directory."""

    def __init__(self, archive_dir: str | Path):
        self.path = Path(archive_dir) / ".nianbao.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise LockHeld naming the running process."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise LockHeld(f"another crawl or reindex (pid {holder}) is running on {self.path.parent}; "
                           "this run exits without crawling", holder, self.path.parent) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "RunLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
