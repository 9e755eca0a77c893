"""The examples in the docstrings of the models and jobs run, by pytest's --doctest-modules.

They run in a pytest of their own over src/cvm, so that the examples are collected as
documentation modules and the tests' conftest files stay out of it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "cvm"


def test_every_docstring_example_runs():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--doctest-modules",
            str(SRC),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=SRC.parents[1],
    )
    assert done.returncode == 0, done.stdout[-4000:]
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed and int(passed.group(1)) >= 40, done.stdout[-2000:]
