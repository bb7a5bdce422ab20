"""The Common Cartridge's pages in chromium: readable without JavaScript, every page passes axe-core
(WCAG 2.1 AA rules), images load from the cartridge, nothing is requested from anywhere else."""
from __future__ import annotations

import threading
import zipfile
from functools import partial
from http.server import ThreadingHTTPServer

import pytest

from scorm_builder.build import build

from .conftest import COURSES, _Handler
from .harness import AXE


@pytest.fixture(scope="module")
def cartridge(tmp_path_factory):
    out = tmp_path_factory.mktemp("cc")
    result = build(COURSES["small"], ["cc"], out / "zips")
    assert result.ok, [p.format() for p in result.problems]
    folder = out / "cartridge"
    with zipfile.ZipFile(result.packages[0]) as archive:
        archive.extractall(folder)
    handler = type("Handler", (_Handler,), {"routes": {"/cc/": folder}})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/cc", folder
    httpd.shutdown()
    httpd.server_close()


def test_every_page_reads_without_javascript_and_passes_axe(browser, cartridge):
    base, folder = cartridge
    pages = sorted(p.relative_to(folder).as_posix() for p in (folder / "wiki_content").glob("*.html"))
    assert len(pages) > 3
    plain = browser.new_context(java_script_enabled=False)
    checked = browser.new_context()
    try:
        reader, auditor = plain.new_page(), checked.new_page()
        requests: list[str] = []
        reader.on("request", lambda r: requests.append(r.url))
        for name in pages:
            reader.goto(f"{base}/{name}")
            heading = reader.locator("h1").inner_text()
            assert heading and reader.locator("main").inner_text().strip()
            styled = reader.locator("h1").evaluate("h => getComputedStyle(h).fontFamily")
            assert "system-ui" in styled, "the course styles apply"
            for image in reader.locator("img").all():
                assert image.evaluate("i => i.complete && i.naturalWidth > 0"), f"broken image on {name}"
                assert image.get_attribute("alt") is not None
            auditor.goto(f"{base}/{name}")
            auditor.add_script_tag(content=AXE.read_text(encoding="utf-8"))
            result = auditor.evaluate("axe.run(document, {resultTypes: ['violations']})")
            problems = [f"{v['id']}: {v['help']}" for v in result["violations"]]
            assert not problems, f"axe violations on {name}: {problems}"
        assert all(url.startswith(base) for url in requests), [u for u in requests if not u.startswith(base)]
        assert any(url.endswith(".png") for url in requests), "the small course's image was loaded"
    finally:
        plain.close()
        checked.close()
