"""Files replaced whole: erasure rewrites files in place, and a crash must leave the old file or
the new one, never half of either."""

from __future__ import annotations

import os
from pathlib import Path


def replace_whole(path: Path, data: bytes) -> None:
    """Write ``data`` beside ``path``, force it to disk, then rename it over ``path``."""
    tmp = path.with_name(f".{path.name}.erasing")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
