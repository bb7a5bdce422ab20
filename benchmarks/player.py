"""Player benchmark: the runtime's size and how fast the first lesson page is ready.

(a) player JavaScript + CSS, gzipped as shipped (goal < 40 KB);
(b) time from navigation to the first lesson page being interactive, in headless chromium, with the
    empathy course's SCORM 2004 package in the test LMS's iframe (scorm-again as the runtime):
    the player's `scorm-builder:ready` mark, relative to the course frame's navigation start
    (goal < 150 ms locally); median and worst of several fresh page loads.

Run: python benchmarks/player.py   (needs node_modules: npm ci)
"""
from __future__ import annotations

import gzip
import statistics
import sys
import tempfile
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scorm_builder.render.player import PLAYER_DIR, SOURCES, STYLE_SOURCE, runtime_files  # noqa: E402
from tests.browser import conftest as browser  # noqa: E402

RUNS = 15


def sizes() -> tuple[int, int, int]:
    """(raw bytes, gzipped as shipped: player.js + player.css, gzipped source file by file)."""
    shipped = runtime_files().values()
    sources = [PLAYER_DIR / name for name in (*SOURCES, STYLE_SOURCE)]
    per_file = sum(len(gzip.compress(p.read_bytes(), 9)) for p in sources)
    return sum(map(len, shipped)), sum(len(gzip.compress(c, 9)) for c in shipped), per_file


def ready_times(base: str, standard: str) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=browser.CHROMIUM, args=browser.CHROMIUM_ARGS)
        query = urlencode({"standard": standard, "pkg": f"/pkg/empathy/{standard}/index.html"})
        for _ in range(RUNS + 1):  # the first load warms the browser up and is not counted
            context = chromium.new_context()
            page = context.new_page()
            page.goto(f"{base}/lms/lms.html?{query}")
            course = page.frame_locator("#sco")
            course.locator("html[data-sb-ready]").wait_for(state="attached")
            frame = page.main_frame.child_frames[0]
            times.append(frame.evaluate("performance.getEntriesByName('scorm-builder:ready')[0].startTime"))
            context.close()
        chromium.close()
    return times[1:]


def main() -> None:
    raw, gz, gz_files = sizes()
    browser._ensure_node_modules()
    with tempfile.TemporaryDirectory() as temp:
        folders = browser.build_packages(browser.COURSES["empathy"], Path(temp))
        routes = {"/lms/": browser.HERE / "lms", "/node_modules/": browser.NODE_MODULES}
        routes.update({f"/pkg/empathy/{name}/": folder for name, folder in folders.items()})
        handler = type("Handler", (browser._Handler,), {"routes": routes})
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        try:
            results = {standard: ready_times(base, standard) for standard in ("scorm12", "scorm2004")}
        finally:
            httpd.shutdown()
    print(f"(a) player JS + CSS: {raw / 1024:.1f} KB raw, {gz / 1024:.1f} KB gzipped as shipped "
          f"(player.js + player.css; {gz_files / 1024:.1f} KB if each source were gzipped alone) (goal < 40 KB)")
    for standard, times in results.items():
        print(f"(b) {standard}: navigation to first lesson page interactive: median {statistics.median(times):.0f} ms, "
              f"worst {max(times):.0f} ms over {len(times)} loads (goal < 150 ms)")


if __name__ == "__main__":
    main()
