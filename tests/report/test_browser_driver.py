"""The browser tests' driver leaves the test process as it found it.

Playwright's sync driver marks the main thread as running an event loop while it runs. It ran
for the whole process, so a test calling ``asyncio.run`` after a browser module in the same
worker failed ("cannot be called from a running event loop"), depending on which modules the
worker drew. The driver now stops with the last browser context.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from browser import chromium


def test_a_closed_browser_leaves_no_event_loop_running(tmp_path: Path) -> None:
    with chromium(tmp_path / "profile") as context:
        page = context.new_page()
        page.set_content("<p id='x'>drawn</p>")
        assert page.inner_text("#x") == "drawn"
        assert asyncio._get_running_loop() is not None  # the driver's, while it runs
    assert asyncio._get_running_loop() is None
    assert asyncio.run(asyncio.sleep(0, result=7)) == 7
