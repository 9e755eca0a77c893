"""The README's code blocks, read from the README itself, for tests/test_readme.py.

A block is skipped only when the line before its fence says why:
``<!-- readme-test: skip (starts a server) -->``. Shell blocks run their ``cvm`` lines; other
commands (``./run``, ``pip``, ``curl``...) install or start things the suite covers elsewhere.
"""

from __future__ import annotations

import glob
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"
FENCE = re.compile(r"^```(\w*)\s*$")
SKIP = re.compile(r"<!--\s*readme-test:\s*skip\s*\((?P<why>[^)]+)\)\s*-->")


@dataclass(frozen=True)
class Block:
    """One fenced block: its language, first line number in the README, text and skip reason."""

    lang: str
    line: int
    text: str
    skip: str | None

    @property
    def id(self) -> str:
        return f"{self.lang or 'text'}-L{self.line}"


def blocks(path: Path = README) -> list[Block]:
    """Every fenced block of the README, in order."""
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opened = FENCE.match(lines[i])
        if not opened:
            i += 1
            continue
        start = i
        i += 1
        body: list[str] = []
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        before = next((lines[j] for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        marked = SKIP.search(before)
        found.append(
            Block(opened.group(1), start + 2, "\n".join(body), marked["why"] if marked else None)
        )
        i += 1
    return found


def _expand(word: str) -> list[str]:
    """A shell word with its file pattern expanded, as the shell does (kept when none match)."""
    if not any(c in word for c in "*?["):
        return [word]
    return sorted(glob.glob(word)) or [word]


def commands(block: Block) -> list[list[str]]:
    """The ``cvm`` command lines of a shell block, as argument lists (continuations joined,
    comments dropped)."""
    joined = block.text.replace("\\\n", " ")
    out = []
    for raw in joined.splitlines():
        line = raw.strip()
        if line.startswith("$ "):
            line = line[2:]
        words = shlex.split(line, comments=True)
        if words and words[0] == "cvm":
            out.append([w for word in words[1:] for w in _expand(word)])
    return out
