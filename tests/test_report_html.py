"""The HTML report renders in a real headless browser (Debian's chromium), offline."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from rcakit.report import build_report

from . import _scenarios as _sc

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")) if p and Path(p).exists()), None)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium not installed (apt-get install chromium); CI installs it in .ci/run",
)


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
def test_html_renders_in_headless_chromium(tmp_path):
    sc = _sc  # the shared scenario helpers
    records, _ = sc.make_records("new_error", seed=11)
    report = build_report(records, sc.detection_for(records, "new_error"), changes=sc.make_changes("new_error"))
    page = tmp_path / "report.html"
    report.write(page)

    dom = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    # the browser built a DOM with the text and the inline SVG chart
    assert "Root-cause analysis" in html
    assert "chg-pay" in html
    assert "payment" in html
    assert "<svg" in html
    assert "<path" in html
    assert "L3 escalation" in html

    shot = tmp_path / "shot.png"
    res = _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri())
    assert res.returncode == 0, res.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a blank page compresses to a few KB
