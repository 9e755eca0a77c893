"""A file that tells whether anything opened it: a named pipe watched by a thread.

Opening a FIFO for reading blocks until a writer comes, so a reader is visible: the watcher
polls for one (a non-blocking open for writing succeeds only while a reader holds the pipe),
records it, and feeds it a secret line so that the reader goes on instead of hanging.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

SECRET = "SENTINEL-SECRET-3141"


@dataclass
class Sentinel:
    path: Path
    opened: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno != errno.ENXIO:
                    raise
                time.sleep(0.001)
                continue
            self.opened += 1
            with suppress(OSError):
                os.write(fd, f"a,b\n{SECRET},1\n".encode())
            os.close(fd)
            time.sleep(0.01)


@contextmanager
def fifo_sentinel(folder: Path) -> Iterator[Sentinel]:
    """A FIFO in ``folder``; ``opened`` counts the readers seen while the block ran."""
    path = folder / "sentinel.csv"
    os.mkfifo(path)
    sentinel = Sentinel(path)
    thread = threading.Thread(target=sentinel._watch, daemon=True)
    thread.start()
    try:
        yield sentinel
    finally:
        time.sleep(0.02)  # a reader that opened at the very end is still counted
        sentinel._stop.set()
        thread.join(timeout=5)
