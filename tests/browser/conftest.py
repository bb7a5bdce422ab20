"""Browser test fixtures: packages on disk, a 127.0.0.1 server, one headless chromium per session.

The LMS side is scorm-again from node_modules (pinned in package.json / package-lock.json), loaded by
tests/browser/lms/lms.html, which hosts a package's index.html in an iframe as an LMS does.
"""
from __future__ import annotations

import shutil
import subprocess
import threading
import urllib.parse
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from .harness import LmsRun

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
NODE_MODULES = ROOT / "node_modules"
# the example course the issue names, and a small one with every feature (image, table, pools...)
COURSES = {"empathy": ROOT / "modules" / "empathy-crs", "small": HERE / "course"}
STANDARDS = ("scorm12", "scorm2004")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


def _ensure_node_modules() -> None:
    needed = [NODE_MODULES / "scorm-again" / "dist" / "scorm-again.js", NODE_MODULES / "axe-core" / "axe.min.js",
              NODE_MODULES / "@learninglocker" / "xapi-validation" / "dist" / "index.js"]
    if all(p.is_file() for p in needed):
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("node_modules is missing and npm is not installed: run `npm ci` in the repository root")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        pytest.fail(f"npm ci did not install {', '.join(missing)}")


def _standard_of(zip_path: Path) -> str:
    with zipfile.ZipFile(zip_path) as archive:
        manifest = archive.read("imsmanifest.xml").decode("utf-8")
    return "scorm12" if "<schemaversion>1.2</schemaversion>" in manifest else "scorm2004"


def build_packages(course_dir: Path, out: Path) -> dict[str, Path]:
    """One extracted package folder per standard. Uses the real build when it exists; until then the
    player files plus media, which is what a package holds besides its manifest."""
    try:
        from scorm_builder.build import build_course
    except ImportError:
        build_course = None
    folders: dict[str, Path] = {}
    if build_course is not None:
        for zip_path in build_course(course_dir, list(STANDARDS), out / "zips"):
            standard = _standard_of(Path(zip_path))
            target = out / standard
            with zipfile.ZipFile(zip_path) as archive:
                archive.extractall(target)
            folders[standard] = target
        return folders
    from scorm_builder.load import load_course
    from scorm_builder.render.data import course_data
    from scorm_builder.render.player import player_files

    course, problems = load_course(course_dir)
    errors = [p for p in problems if getattr(p.severity, "value", "") == "error"]
    assert course is not None and not errors, errors
    for standard in STANDARDS:
        target = out / standard
        for name, content in player_files(course, course_data(course, standard)).items():
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        for media in course.media:
            path = target / media.href
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(media.source, path)
        folders[standard] = target
    return folders


def _load(name: str):
    from scorm_builder.load import load_course

    loaded, problems = load_course(COURSES[name])
    assert loaded is not None, [p.format() for p in problems]
    return loaded


@pytest.fixture(scope="session")
def empathy():
    return _load("empathy")


@pytest.fixture(scope="session")
def small():
    return _load("small")


# copies of a course with a few texts changed: name -> (course, [(file, old text, new text), ...])
VARIANTS = {
    "small-last": ("small", [("course.yaml", "\ncompletion:\n", "\ncompletion:\n  score: last\n")]),
    "small-completed": ("small", [("course.yaml", "\ncompletion:\n", "\ncompletion:\n  report_as: completed-failed\n")]),
    # author texts that already carry every label and verdict the player adds
    "small-labelled": ("small", [
        ("lessons/01-listening.md", "title: What listening is", "title: 'Lesson 1: What listening is'"),
        ("assessments/check-listening.yaml", "title: Check your understanding", "title: 'Knowledge check: listening'"),
        ("assessments/check-listening.yaml", "feedback: Yes. Attention", "feedback: Correct. Attention"),
        ("assessments/check-listening.yaml", "feedback: A quick answer", "feedback: Not quite. A quick answer"),
        ("assessments/check-listening.yaml", "correct: Right, listening", "correct: Correct, listening"),
        ("assessments/check-listening.yaml", "incorrect: Hearing is", "incorrect: Incorrect, hearing is"),
    ]),
}


def _variant(course: str, edits: list[tuple[str, str, str]], out: Path) -> Path:
    target = out / "source"
    shutil.copytree(COURSES[course], target)
    for name, old, new in edits:
        path = target / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def packages(tmp_path_factory) -> dict[str, Path]:
    """'<course>/<standard>' -> the extracted package folder."""
    out = tmp_path_factory.mktemp("packages")
    courses = dict(COURSES)
    for name, (course, edits) in VARIANTS.items():
        courses[name] = _variant(course, edits, out / name)
    found = {}
    for name, folder in courses.items():
        for standard, target in build_packages(folder, out / name).items():
            found[f"{name}/{standard}"] = target
    return found


class _Handler(SimpleHTTPRequestHandler):
    routes: dict[str, Path] = {}

    def translate_path(self, path: str) -> str:
        path = urllib.parse.unquote(urllib.parse.urlsplit(path).path)
        for prefix, root in self.routes.items():
            if path.startswith(prefix):
                root = root.resolve()
                target = (root / path[len(prefix):]).resolve()
                if target == root or root in target.parents:
                    return str(target)
        return str(ROOT / "nonexistent")

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args) -> None:  # keep test output quiet
        pass


@pytest.fixture(scope="session")
def server(packages):
    _ensure_node_modules()
    routes = {"/lms/": HERE / "lms", "/node_modules/": NODE_MODULES}
    routes.update({f"/pkg/{name}/": folder for name, folder in packages.items()})
    handler = type("Handler", (_Handler,), {"routes": routes})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def lms(browser, server):
    """Open a package in the test LMS: `lms(course, standard, preload=None, delay=0, direct=False, **context options)`."""
    runs: list[LmsRun] = []

    def launch(course: str, standard: str, preload: dict | None = None, delay: int = 0, **options) -> LmsRun:
        run = LmsRun(browser, server, course, standard, preload=preload, delay=delay, **options)
        runs.append(run)
        return run

    yield launch
    for run in runs:
        run.close()
