"""Running the command line in tests."""

from __future__ import annotations

from typer.testing import CliRunner

from cvm.cli import app


def cvm_ok(runner: CliRunner, *args: str) -> str:
    """Run ``cvm args``, assert it succeeded (naming the command if not), return its output."""
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, f"cvm {' '.join(args)}:\n{result.output}"
    return result.output
