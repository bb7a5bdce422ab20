"""Statement delivery benchmark: the player's queue against a local LRS (Ralph) in a burst.

The empathy course's Tin Can package runs in headless chromium, launched with endpoint, auth,
actor and registration; Ralph (file-system backend, as in the tests) listens on 127.0.0.1. In the
page, the player records 1,000 answers to the final assessment's questions in one go (each an
`answered` statement with its interaction definition, queued in localStorage at once), and the
queue sends them in batches of 50. Measured, for each of several runs:

(a) statements per second from the first answer to the last statement acknowledged by the LRS,
    and the time to queue the 1,000 (stamping, storing) on its own;
(b) the queue's memory at its peak, right after the burst: bytes in localStorage (its keys and
    values, UTF-16 as the browser counts them) and the JS heap (CDP Runtime.getHeapUsage, after a
    garbage collection) compared with before the burst, then after delivery.

(c) against the reference LRS (ADL LRS, tests/reference/: own venv, PostgreSQL, strict
    validation), the same burst of ADL_ANSWERS answers: statements per second to the last one stored;
(d) the time from pressing Exit (after a full walk and a passed final) to the last statement
    (`terminated`) stored in the ADL LRS.

Run: python benchmarks/statements.py   (needs node_modules and the test extra: pip install -e '.[test]';
(c) and (d) need ../shared/third_party, prepared by ./dev test; skipped with a note otherwise)
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from lrs import LrsClient, RalphLRS, free_port  # noqa: E402

from scorm_builder.build import build_course  # noqa: E402
from tests.browser import conftest as browser  # noqa: E402
from tests.browser.cmi5_lms.site import site_for  # noqa: E402

ANSWERS = 1000
ADL_ANSWERS = 300
RUNS = 3

BURST = r"""async (count) => {
  const SB = window.ScormBuilder, player = SB.player, queue = player.tracker.queue;
  const questions = player.data.final.sections.flatMap(s => s.questions);
  const value = q => ({ "single-choice": 0, "multiple-response": [0], "true-false": true,
    matching: q.pairs ? q.pairs.map((p, i) => i) : [], ordering: q.items ? q.items.map((it, i) => i) : [],
    "fill-in": "an answer", reflection: "a reflection, recorded as it was typed" })[q.type];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const q = questions[i % questions.length];
    player.record(q, value(q), true, 1200);
  }
  const queued = performance.now() - start;
  const keys = Object.keys(localStorage).filter(k => k.startsWith("sb-xapi"));
  const stored = keys.reduce((n, k) => n + k.length + localStorage.getItem(k).length, 0);
  window.__burst = { start, queued, stored, pending: queue.size() };
  return window.__burst;
}"""

DRAIN = r"""async () => {
  const queue = window.ScormBuilder.player.tracker.queue;
  while (queue.size()) await new Promise(r => setTimeout(r, 2));
  return performance.now() - window.__burst.start;
}"""


def heap(cdp) -> int:
    cdp.send("HeapProfiler.collectGarbage")
    return int(cdp.send("Runtime.getHeapUsage")["usedSize"])


def main() -> None:
    from playwright.sync_api import sync_playwright

    browser._ensure_node_modules()
    with tempfile.TemporaryDirectory() as temp:
        temp = Path(temp)
        origin = f"http://127.0.0.1:{free_port()}"
        (temp / "ralph").mkdir()
        lrs = RalphLRS(temp / "ralph", origins=(origin,))
        lrs.start()
        try:
            site = site_for(origin, lrs)
            for zip_path in build_course(browser.COURSES["empathy"], ["xapi"], temp / "zips"):
                with zipfile.ZipFile(zip_path) as archive:
                    archive.extractall(temp / "xapi")
            site.serve("/pkg/empathy/xapi/", temp / "xapi")
            client = LrsClient(lrs.endpoint, lrs.admin.authorization)
            results = []
            with sync_playwright() as playwright:
                chromium = playwright.chromium.launch(executable_path=browser.CHROMIUM, args=browser.CHROMIUM_ARGS)
                for run in range(RUNS + 1):  # the first run warms up and is not counted
                    registration = str(uuid.uuid4())
                    actor = {"objectType": "Agent", "account": {"homePage": "https://lms.example.org/", "name": "bench"}}
                    query = urlencode({"endpoint": lrs.endpoint, "auth": lrs.writer.authorization,
                                       "actor": json.dumps(actor), "registration": registration})
                    context = chromium.new_context()
                    page = context.new_page()
                    page.goto(site.url(f"/pkg/empathy/xapi/index.html?{query}"))
                    page.locator("html[data-sb-ready]").wait_for(state="attached")
                    page.evaluate("window.ScormBuilder.player.tracker.queue.drain(10000)")
                    cdp = context.new_cdp_session(page)
                    before = heap(cdp)
                    burst = page.evaluate(BURST, ANSWERS)
                    peak = int(cdp.send("Runtime.getHeapUsage")["usedSize"])
                    total_ms = page.evaluate(DRAIN)
                    after = heap(cdp)
                    answered = [s for s in client.all_statements(registration=registration)
                                if s["verb"]["id"].endswith("/answered")]
                    assert len(answered) == ANSWERS, f"the LRS holds {len(answered)} answered statements"
                    context.close()
                    if run:
                        results.append({"rate": ANSWERS / (total_ms / 1000), "total": total_ms, "queued": burst["queued"],
                                        "stored": burst["stored"], "heap": peak - before, "left": after - before})
                chromium.close()
        finally:
            lrs.stop()
    rate = statistics.median(r["rate"] for r in results)
    rates = ", ".join(f"{r['rate']:.0f}" for r in results)
    print(f"(a) {ANSWERS} answers -> {ANSWERS} `answered` statements delivered to Ralph (fs backend) on 127.0.0.1: "
          f"median {rate:.0f} statements/s (runs: {rates}); "
          f"{statistics.median(r['total'] for r in results):.0f} ms from the first answer to the last acknowledgement, "
          f"of which {statistics.median(r['queued'] for r in results):.0f} ms to stamp and queue them all (timestamps "
          f"strictly increase, so a burst queues at most one statement per millisecond)")
    stored = statistics.median(r["stored"] for r in results)
    print(f"(b) queue at its peak: {stored / 1000:.0f} K UTF-16 characters in localStorage "
          f"(~{2 * stored / 1024 / 1024:.1f} MiB as the browser counts it; {stored / ANSWERS:.0f} per statement); "
          f"JS heap +{statistics.median(r['heap'] for r in results) / 1024 / 1024:.1f} MiB over the page before the burst, "
          f"+{statistics.median(r['left'] for r in results) / 1024 / 1024:.2f} MiB once delivered (after GC)")


def adl() -> None:
    """(c) and (d) against the ADL LRS."""
    import time

    from playwright.sync_api import sync_playwright

    from reference import stack as reference
    from tests.browser.cmi5_lms.runs import LaunchRun, pass_final, walk
    from tests.browser.harness import Learner

    reason = reference.unavailable()
    if reason:
        print(f"(c), (d) skipped: {reason}")
        return
    from scorm_builder.load import load_course

    course, _ = load_course(browser.COURSES["empathy"])
    started = time.monotonic()
    ref = reference.Stack(Path(tempfile.mkdtemp(prefix="sb-bench-")))
    reference.prepare()
    try:
        ref.start_lrs()
        startup = time.monotonic() - started
        lrs = ref.lrs
        with tempfile.TemporaryDirectory() as temp:
            temp = Path(temp)
            for zip_path in build_course(browser.COURSES["empathy"], ["xapi"], temp / "zips"):
                with zipfile.ZipFile(zip_path) as archive:
                    archive.extractall(temp / "xapi")
            import threading
            from functools import partial
            from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

            class Quiet(SimpleHTTPRequestHandler):
                def log_message(self, *args):
                    pass

            httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(temp / "xapi")))
            threading.Thread(target=httpd.serve_forever, daemon=True).start()
            index = f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
            rates, exits = [], []
            with sync_playwright() as playwright:
                chromium = playwright.chromium.launch(executable_path=browser.CHROMIUM, args=browser.CHROMIUM_ARGS)
                for run in range(RUNS + 1):
                    registration = str(uuid.uuid4())
                    actor = {"objectType": "Agent", "account": {"homePage": "https://lms.example.org/",
                                                                "name": f"bench-{run}"}}
                    query = urlencode({"endpoint": lrs.endpoint, "auth": lrs.auth, "actor": json.dumps(actor),
                                       "registration": registration})
                    context = chromium.new_context()
                    page = context.new_page()
                    page.goto(f"{index}?{query}")
                    page.locator("html[data-sb-ready]").wait_for(state="attached")
                    page.evaluate("window.ScormBuilder.player.tracker.queue.drain(10000)")
                    page.evaluate(BURST, ADL_ANSWERS)
                    total_ms = page.evaluate(DRAIN)
                    answered = [s for s in lrs.statements(registration=registration)
                                if s["verb"]["id"].endswith("/answered")]
                    assert len(answered) == ADL_ANSWERS, f"the ADL LRS holds {len(answered)} answered statements"
                    context.close()
                    # (d) a learner's whole run, then Exit: until terminated is stored
                    registration = str(uuid.uuid4())
                    query = urlencode({"endpoint": lrs.endpoint, "auth": lrs.auth, "actor": json.dumps(actor),
                                       "registration": registration})
                    launched = LaunchRun(chromium, f"{index}?{query}")
                    learner = Learner(launched, course)
                    walk(learner, launched)
                    pass_final(learner)
                    launched.wait_delivered()
                    pressed = time.monotonic()
                    learner.press(learner.button("Exit"))
                    while not lrs.statements(registration=registration, verb="http://adlnet.gov/expapi/verbs/terminated"):
                        time.sleep(0.02)
                    exit_s = time.monotonic() - pressed
                    launched.close()
                    if run:
                        rates.append(ADL_ANSWERS / (total_ms / 1000))
                        exits.append(exit_s)
                chromium.close()
            httpd.shutdown()
    finally:
        ref.stop()
    print(f"(c) {ADL_ANSWERS} answers -> `answered` statements to the ADL LRS (PostgreSQL) on 127.0.0.1: median "
          f"{statistics.median(rates):.0f} statements/s (runs: {', '.join(f'{r:.0f}' for r in rates)}); "
          f"the LRS started in {startup:.1f} s")
    print(f"(d) Exit pressed -> `terminated` stored in the ADL LRS: median {statistics.median(exits) * 1000:.0f} ms "
          f"(runs: {', '.join(f'{e * 1000:.0f}' for e in exits)}; polled every 20 ms, so up to ~20 ms + one GET late)")


if __name__ == "__main__":
    main()
    adl()
