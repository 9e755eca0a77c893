"""The report file and the live dashboard in headless Chromium, on a desktop (1400 x 900) and a
phone (390 x 844): no two visible pieces of the header, navigation, filter form and headline
cards overlap, nothing sticks out of the phone's width, and every plotly chart has a trace with
data that was drawn. Screenshots of each go to a temporary folder (printed).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser import chromium, dashboard_server
from report_workspace import full_workspace

from cvm.report import write_report
from cvm.workspace import Workspace

pytestmark = pytest.mark.browser

SCREENS = {"desktop": (1400, 900), "phone": (390, 844)}

# The pieces that must never overlap: header lines, navigation links, each filter control,
# each headline card and the offers of a later day.
BOXES = """() => {
  const sel = ['header h1', 'header p', 'nav .links a', 'form.filters label',
               'form.filters button', '#headline .card', 'main > .offer'];
  const items = [];
  for (const s of sel) {
    for (const el of document.querySelectorAll(s)) {
      const r = el.getBoundingClientRect();
      const st = getComputedStyle(el);
      if (r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none') {
        items.push([el, s, r]);
      }
    }
  }
  const overlaps = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const [a, sa, ra] = items[i], [b, sb, rb] = items[j];
      if (a.contains(b) || b.contains(a)) continue;
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (w > 1 && h > 1) {
        const ta = a.textContent.trim().slice(0, 30), tb = b.textContent.trim().slice(0, 30);
        overlaps.push(`${sa} "${ta}" x ${sb} "${tb}"`);
      }
    }
  }
  const outside = items.filter(([el, s, r]) => r.right > window.innerWidth + 1 || r.left < -1)
    .map(([el, s, r]) => `${s} "${el.textContent.trim().slice(0, 30)}" ${r.left}..${r.right}`);
  const filters = items.filter(([el, s, r]) => s.startsWith('form.filters')).length;
  // the navigation bar holds its links and the filter form (a float would stick out of it)
  const nav = document.querySelector('nav').getBoundingClientRect();
  const escaped = items.filter(([el, s, r]) => el.closest('nav') &&
      (r.top < nav.top - 1 || r.bottom > nav.bottom + 1 || r.left < nav.left - 1 ||
       r.right > nav.right + 1))
    .map(([el, s, r]) => `${s} "${el.textContent.trim().slice(0, 30)}"`);
  return {count: items.length, overlaps, outside, filters, escaped,
          scrollWidth: document.documentElement.scrollWidth, width: window.innerWidth};
}"""

# Per chart: traces holding at least one real value, and SVG/image elements drawn in its plot.
CHARTS = """() => {
  const real = v => v !== null && v !== undefined && v !== '' &&
                    !(typeof v === 'number' && !Number.isFinite(v));
  const has = arr => arr != null && typeof arr === 'object' && typeof arr.length === 'number' &&
    Array.from(arr).some(v => (v !== null && typeof v === 'object' && typeof v.length === 'number')
                              ? Array.from(v).some(real) : real(v));
  return Array.from(document.querySelectorAll('div.chart[data-chart]')).map(d => {
    const traces = (d._fullData || []).filter(t => t.visible === true && (
      (t.orientation === 'h' ? ['x'] : ['y', 'z', 'values']).some(k => has(t[k])) ||
      (t.node && has(t.node.label))));
    const drawn = d.querySelectorAll(
      '.barlayer .point, .scatterlayer path.js-line, .scatterlayer .point, .heatmaplayer image,' +
      ' .treemaplayer path.surface, .sankey .sankey-node'
    ).length;
    return [d.dataset.chart, traces.length, drawn];
  });
}"""

READY = """() => window.Plotly !== undefined &&
  Array.from(document.querySelectorAll('div.chart[data-chart]')).every(d => d._fullLayout)"""

# What a page that never got ready shows: whether plotly.js arrived and which charts are bare.
NOT_READY = """() => ({plotly: typeof window.Plotly, readyState: document.readyState,
  bare: Array.from(document.querySelectorAll('div.chart[data-chart]'))
    .filter(d => !d._fullLayout).map(d => d.dataset.chart)})"""


@pytest.fixture(scope="module")
def ws_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of its own: the dashboard's server owns its workspace, and another module's
    app (in this process or its own) may still hold the shared one (the server then answers
    503, busy, and the page never draws)."""
    target = tmp_path_factory.mktemp("screens") / "ws"
    shutil.copytree(full_workspace(tmp_path_factory), target)
    return target


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium(tmp_path_factory.mktemp("chromium-screens")) as context:
        yield context


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"\nscreenshots: {folder}")
    return folder


def _check(context: Any, url: str, screen: str, shot: Path) -> dict[str, Any]:
    """Open ``url`` at the screen's size; the layout and chart facts, with a screenshot."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    width, height = SCREENS[screen]
    page = context.new_page()
    errors: list[str] = []
    failed: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
    page.on("response", lambda r: r.ok or failed.append(f"{r.url}: HTTP {r.status}"))
    try:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url, wait_until="load")
        # polled on a timer: a headless page that draws no frames never runs rAF callbacks
        try:
            page.wait_for_function(READY, timeout=60_000, polling=250)
        except PlaywrightTimeout:
            state = page.evaluate(NOT_READY)
            pytest.fail(f"{url} not drawn in 60 s: {state}, errors {errors}, failed {failed}")
        page.wait_for_timeout(300)
        facts = {"boxes": page.evaluate(BOXES), "charts": page.evaluate(CHARTS), "errors": errors}
        page.screenshot(path=str(shot), full_page=True)
    finally:
        page.close()
    return facts


def _assert_clean(facts: dict[str, Any], screen: str) -> None:
    boxes = facts["boxes"]
    assert facts["errors"] == []
    assert boxes["count"] >= 10  # header, links, filters or cards were found
    assert boxes["overlaps"] == [], f"{screen}: overlapping elements"
    assert boxes["outside"] == [], f"{screen}: elements beyond the window's width"
    assert boxes["escaped"] == [], f"{screen}: links or filters outside the navigation bar"
    if screen == "phone":
        assert boxes["scrollWidth"] <= boxes["width"], "the page scrolls sideways on a phone"
    charts = facts["charts"]
    assert len(charts) >= 8
    assert [key for key, traces, _ in charts if traces == 0] == [], "charts without data"
    assert [key for key, _, drawn in charts if drawn == 0] == [], "charts not drawn"


@pytest.fixture(scope="module")
def report_file(ws_path: Path, shots: Path) -> Path:
    with Workspace.open(ws_path, read_only=True) as ws:
        return write_report(ws, shots / "report.html", evaluate=False)


@pytest.fixture(scope="module")
def dashboard(ws_path: Path, report_file: Path) -> Iterator[tuple[str, threading.Thread]]:
    """The server (started once the report file is written: it then owns the workspace) and
    a first request already building the page while the report file is checked."""
    with dashboard_server(ws_path) as base:
        warm = threading.Thread(
            target=lambda: httpx.get(f"{base}/dashboard", timeout=300), daemon=True
        )
        warm.start()
        yield base, warm
        warm.join(timeout=300)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_report_file_lays_out_on_desktop_and_phone(
    browser: Any,
    report_file: Path,
    dashboard: tuple[str, threading.Thread],
    shots: Path,
    screen: str,
) -> None:
    facts = _check(browser, report_file.resolve().as_uri(), screen, shots / f"report-{screen}.png")
    _assert_clean(facts, screen)


def test_dashboard_lays_out_on_desktop_and_phone(
    browser: Any, dashboard: tuple[str, threading.Thread], shots: Path
) -> None:
    base, warm = dashboard
    warm.join(timeout=300)
    for screen in SCREENS:
        facts = _check(browser, f"{base}/dashboard", screen, shots / f"dashboard-{screen}.png")
        _assert_clean(facts, screen)
        assert facts["boxes"]["filters"] >= 3  # the filter form was there and checked
