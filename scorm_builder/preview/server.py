"""The preview server: one build folder, one simulator page, a poll endpoint, a watcher."""
from __future__ import annotations

import http.server
import json
import shutil
import tempfile
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import unquote

from ..errors import Problem, has_errors
from ..load import load_course
from ..render.content import shared_files
from ..standards import STANDARDS
from ..textsafe import escape

HERE = Path(__file__).resolve().parent
SIMULATOR_FILES = {"/": "simulator.html", "/simulator.js": "simulator.js", "/simulator.css": "simulator.css"}


@dataclass
class Preview:
    """The state shared between the watcher thread and the request handlers."""

    course_dir: Path
    standard: str
    root: Path  # the built course is served from here
    generation: int = 0  # bumps on every successful rebuild; the simulator polls it
    problems: list[Problem] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def rebuild(self) -> bool:
        course, problems = load_course(self.course_dir)
        with self.lock:
            self.problems = problems
        if course is None or has_errors(problems):
            return False
        standard = STANDARDS[self.standard]
        files = standard.files(course, shared_files(course, standard.name))
        fresh = Path(tempfile.mkdtemp(prefix="build-", dir=self.root.parent))
        for name, data in files.items():
            target = fresh / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        with self.lock:  # swap the folder in one step, so a request never sees half a build
            old = self.root.with_name(self.root.name + "-old")
            if self.root.exists():
                self.root.rename(old)
            fresh.rename(self.root)
            shutil.rmtree(old, ignore_errors=True)
            self.generation += 1
        return True

    def status(self) -> dict:
        with self.lock:
            return {"generation": self.generation, "standard": self.standard,
                    "problems": [p.format() for p in self.problems]}


def source_stamp(course_dir: Path) -> tuple:
    """Changes whenever a file under the course folder is added, removed or edited."""
    entries = []
    for path in sorted(course_dir.rglob("*")):
        if path.is_file():
            stat = path.stat()
            entries.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(entries)


def watch(preview: Preview, stop: threading.Event, interval: float = 0.5, log=print) -> None:
    stamp = source_stamp(preview.course_dir)
    while not stop.wait(interval):
        current = source_stamp(preview.course_dir)
        if current == stamp:
            continue
        stamp = current
        ok = preview.rebuild()
        log("rebuilt" if ok else "source has problems; still serving the last good build:\n  "
            + "\n  ".join(p.format() for p in preview.problems if p.is_error))


def request_problem(host_headers: list[str], target: str, port: int) -> tuple[int, str] | None:
    """Why a request must not be served, as (HTTP status, explanation), or None.

    Only Host 127.0.0.1:PORT or localhost:PORT is answered (421 otherwise): a page on another
    site whose name was re-pointed at 127.0.0.1 (DNS rebinding) sends its own name as Host, so
    it cannot read the simulator's status or the course. A target that is not a path, is not
    UTF-8 once %-decoded, or holds a control character (%00, CR, LF...) gets 400."""
    if len(host_headers) != 1:
        return 400, "the request needs exactly one Host header"
    host = host_headers[0].strip().lower()
    allowed = (f"127.0.0.1:{port}", f"localhost:{port}")
    if host not in allowed:
        return 421, (f"this preview answers only to http://{allowed[0]}/ and http://{allowed[1]}/, "
                     f"not to Host '{escape(host_headers[0])}' (a page of another site cannot read it)")
    if not target.startswith("/"):
        return 400, "the request target must be a path starting with '/'"
    try:
        path = unquote(target.split("?", 1)[0].split("#", 1)[0], errors="strict")
    except UnicodeDecodeError:
        return 400, "the URL path is not UTF-8 once %-escapes are decoded"
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in path):
        return 400, "the URL path holds a control character (such as %00, %0d or %0a)"
    return None


class Handler(http.server.SimpleHTTPRequestHandler):
    preview: Preview

    def __init__(self, *args, preview: Preview, **kwargs):
        self.preview = preview
        super().__init__(*args, directory=str(preview.root), **kwargs)

    def parse_request(self) -> bool:
        """http.server's parsing, then the Host and URL checks of `request_problem` for every method."""
        if not super().parse_request():
            return False
        refused = request_problem(self.headers.get_all("Host") or [], self.path, self.server.server_address[1])
        if refused:
            self.close_connection = True
            self.send_error(refused[0], explain=refused[1])
            return False
        return True

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0]
        if path == "/favicon.ico":  # browsers ask; answering keeps the console clean
            self.send_response(204)
            self.end_headers()
            return None
        if path == "/__status":
            return self._send(json.dumps(self.preview.status()).encode(), "application/json")
        if path in SIMULATOR_FILES:
            name = SIMULATOR_FILES[path]
            kind = {"html": "text/html", "js": "text/javascript", "css": "text/css"}[name.rsplit(".", 1)[1]]
            return self._send((HERE / name).read_bytes(), f"{kind}; charset=utf-8")
        if path.startswith("/course/"):
            self.path = self.path[len("/course"):]
            with self.preview.lock:
                self.directory = str(self.preview.root)
            return super().do_GET()
        self.send_error(404)

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # quiet: the terminal shows rebuilds only
        pass


def serve(course_dir: Path, standard: str = "scorm2004", port: int = 8000, log=print,
          ready: threading.Event | None = None, stop: threading.Event | None = None) -> int:
    """Serve until interrupted (or `stop` is set). Returns an exit code."""
    with tempfile.TemporaryDirectory(prefix="scorm-builder-preview-") as temp:
        preview = Preview(course_dir, standard, Path(temp) / "course")
        if not preview.rebuild():
            for problem in preview.problems:
                log(problem.format())
            log(f"{course_dir}: fix the problems above, then run preview again")
            return 1
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), partial(Handler, preview=preview))
        stop = stop or threading.Event()
        watcher = threading.Thread(target=watch, args=(preview, stop), kwargs={"log": log}, daemon=True)
        watcher.start()
        threading.Thread(target=lambda: (stop.wait(), server.shutdown()), daemon=True).start()
        log(f"previewing {course_dir} as {STANDARDS[standard].title} at http://127.0.0.1:{server.server_port}/ "
            "(Ctrl+C to stop; edits rebuild automatically)")
        if ready:
            ready.port = server.server_port  # type: ignore[attr-defined]
            ready.set()
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            log("stopped")
        finally:
            stop.set()
            server.server_close()
        return 0
