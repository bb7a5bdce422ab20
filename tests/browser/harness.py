"""Driving a package in the test LMS: the LMS page, a keyboard-only learner, axe, and CMI checks."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import urlencode

from scorm_builder.model import Course, Question, QuestionType

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
READY = "html[data-sb-ready]"


def plain(fragment: str) -> str:
    """The text of an HTML fragment, whitespace collapsed (what a learner reads)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


class LmsRun:
    """One browser context: the test LMS page with a package in its iframe."""

    def __init__(self, browser, base: str, course: str, standard: str, preload: dict | None = None, delay: int = 0,
                 direct: bool = False, **context_options):
        self.base = base
        self.standard = standard
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        if preload is not None:
            self.page.add_init_script(f"window.LMS_PRELOAD = {json.dumps(preload)};")
        if direct:  # the package on its own, no LMS around it
            self.page.goto(f"{base}/pkg/{course}/{standard}/index.html")
            self.course = self.page.main_frame
        else:
            query = urlencode({"standard": standard, "pkg": f"/pkg/{course}/{standard}/index.html", "delay": delay})
            self.page.goto(f"{base}/lms/lms.html?{query}")
            self.course = self.page.frame_locator("#sco")
        self.course.locator(READY).wait_for(state="attached")
        self.direct = direct

    @property
    def frame(self):
        """The course document's Frame (for evaluate / axe)."""
        return self.page.main_frame if self.direct else self.page.main_frame.child_frames[0]

    def close(self) -> None:
        self.context.close()

    # ---- the LMS side ----

    def cmi(self) -> dict:
        return self.page.evaluate("lmsState()")["cmi"]

    def calls(self) -> list[dict]:
        return self.page.evaluate("lmsCalls")

    def log(self) -> list[dict]:
        return self.page.evaluate("lmsLog")

    def sets(self) -> list[tuple[str, str]]:
        """Every (element, value) the content set, in order."""
        return [(c["args"][0], c["args"][1]) for c in self.calls() if c["method"] in ("LMSSetValue", "SetValue")]

    def last_set(self) -> dict[str, str]:
        return dict(self.sets())

    def unload_course(self) -> None:
        """Remove the course frame, as an LMS does when the learner leaves: the content gets pagehide."""
        self.page.evaluate("document.getElementById('sco').remove()")

    # ---- checks every run must pass ----

    def assert_clean(self) -> None:
        outside = [url for url in self.requests if not url.startswith("http://127.0.0.1:")]
        assert not outside, f"requests left 127.0.0.1: {outside}"
        assert not self.console_errors, f"console errors: {self.console_errors}"
        if self.direct:
            return
        errors = [entry["message"] for entry in self.log() if entry["level"] >= 4]
        assert not errors, f"scorm-again logged errors: {errors}"
        for call in self.calls():
            method, error = call["method"], call["error"]
            if method in ("LMSSetValue", "SetValue", "LMSCommit", "Commit", "LMSInitialize", "Initialize",
                          "LMSFinish", "Terminate"):
                assert call["result"] == "true" and error == "0", f"failed call: {call}"
            elif method in ("LMSGetValue", "GetValue"):
                # SCORM 2004: reading an element the LMS never set answers 403, which is not an error
                assert error == "0" or (error == "403" and self.standard == "scorm2004"), f"failed call: {call}"
        warnings = [e["message"] for e in self.log() if e["level"] == 3 and "403" not in e["message"]]
        assert not warnings, f"scorm-again warnings: {warnings}"
        methods = [c["method"] for c in self.calls()]
        assert methods.count("LMSInitialize") + methods.count("Initialize") == 1
        assert methods.count("LMSFinish") + methods.count("Terminate") <= 1

    def assert_accessible(self, label: str) -> None:
        """axe-core (from node_modules, injected inline: no request) finds no violation."""
        frame = self.frame
        if not frame.evaluate("typeof window.axe !== 'undefined'"):
            frame.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        result = frame.evaluate("axe.run(document, {resultTypes: ['violations']})")
        problems = [
            f"{v['id']} ({v['impact']}): {v['help']} -> " + "; ".join(n["html"][:120] for n in v["nodes"][:3])
            for v in result["violations"]
        ]
        assert not problems, f"axe violations on {label}:\n" + "\n".join(problems)

    def assert_no_horizontal_scroll(self, label: str) -> None:
        widths = self.frame.evaluate(
            "({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})")
        assert widths["scroll"] <= widths["client"], f"horizontal scroll on {label}: {widths}"


class Learner:
    """Walks the course with the keyboard, finding everything by its accessible role and name."""

    def __init__(self, run: LmsRun, course: Course):
        self.run = run
        self.page = run.page
        self.doc = run.course
        self.questions: dict[str, Question] = {}
        for assessment in course.assessments:
            for q in assessment.questions:
                self.questions[plain(q.prompt_html)] = q

    def press(self, locator, key: str = "Enter") -> None:
        locator.focus()
        self.page.keyboard.press(key)

    def button(self, name: str, scope=None):
        return (scope or self.doc).get_by_role("button", name=name, exact=True)

    def next(self) -> None:
        self.press(self.button("Next"))

    def previous(self) -> None:
        self.press(self.button("Previous"))

    def title(self) -> str:
        return self.doc.locator("h1").inner_text()

    def focused(self) -> dict:
        return self.run.frame.evaluate(
            "({tag: document.activeElement.tagName, text: document.activeElement.textContent.trim()})")

    def open_contents_link(self, name: str) -> None:
        nav = self.doc.get_by_role("navigation", name="Contents")
        self.press(nav.get_by_role("link", name=re.compile(re.escape(name))))

    def open_contents_entry(self, index: int) -> None:
        """Follow the index-th link of the contents (one per screen, in course order)."""
        nav = self.doc.get_by_role("navigation", name="Contents")
        self.press(nav.get_by_role("link").nth(index))

    def contents_entry(self, index: int) -> str:
        nav = self.doc.get_by_role("navigation", name="Contents")
        return nav.get_by_role("link").nth(index).inner_text()

    def sections(self) -> list:
        return self.doc.locator("section.sb-question").all()

    def question_in(self, section) -> Question:
        return self.questions[" ".join(section.locator(".sb-prompt").inner_text().split())]

    # ---- answering ----

    def answer(self, section, q: Question, correct: bool = True) -> None:
        kind = q.type
        if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
            wanted = [o for o in q.options if o.correct] if correct else [next(o for o in q.options if not o.correct)]
            if kind is QuestionType.SINGLE_CHOICE:
                self.press(section.get_by_role("radio", name=plain(wanted[0].html), exact=True), "Space")
            else:
                for option in wanted:
                    self.press(section.get_by_role("checkbox", name=plain(option.html), exact=True), "Space")
        elif kind is QuestionType.TRUE_FALSE:
            value = q.answer if correct else not q.answer
            self.press(section.get_by_role("radio", name="True" if value else "False", exact=True), "Space")
        elif kind is QuestionType.MATCHING:
            for index, pair in enumerate(q.pairs):
                target = pair.match_html if correct or index else q.pairs[1].match_html
                self.choose(section.get_by_role("combobox", name=plain(pair.prompt_html), exact=True), plain(target))
        elif kind is QuestionType.ORDERING:
            if correct:
                self.put_in_order(section, [plain(item.html) for item in q.items])
        elif kind is QuestionType.FILL_IN:
            self.type_into(section.get_by_role("textbox", name="Your answer"), q.accepted[0] if correct else "no idea")
        elif kind is QuestionType.REFLECTION:
            field = section.get_by_role("textbox", name="Your reflection")
            field.focus()
            self.page.keyboard.type("They put their phone away")
            self.page.keyboard.press("Enter")
            self.page.keyboard.type("and let me finish, {really}.")
            self.page.keyboard.press("Tab")

    def type_into(self, field, text: str) -> None:
        field.focus()
        self.page.keyboard.type(text)
        self.page.keyboard.press("Tab")  # leaving the field commits the answer

    def choose(self, select, option_text: str) -> None:
        """Pick an option of a closed <select> with the arrow keys, as a keyboard user does."""
        options = select.evaluate("s => Array.from(s.options).map(o => o.text)")
        target = options.index(option_text)
        select.focus()
        self.page.keyboard.press("Home")
        for _ in range(target):
            self.page.keyboard.press("ArrowDown")
        assert select.evaluate("s => s.options[s.selectedIndex].text") == option_text

    def order_shown(self, section) -> list[str]:
        return [" ".join(t.split()) for t in section.locator(".sb-order-text").all_inner_texts()]

    def put_in_order(self, section, wanted: list[str]) -> None:
        for position, text in enumerate(wanted):
            current = self.order_shown(section).index(text)
            if current == position:
                continue
            self.doc.get_by_role("button", name=f"Move up: {text}").focus()
            for _ in range(current - position):
                self.page.keyboard.press("Enter")  # focus stays on the moved item's button
        assert self.order_shown(section) == wanted

    def answer_all(self, correct: bool = True, check: bool = False) -> list[Question]:
        answered = []
        for section in self.sections():
            q = self.question_in(section)
            self.answer(section, q, correct)
            if check:
                self.press(self.button("Check answer", section))
            answered.append(q)
        return answered

    def submit(self) -> None:
        self.press(self.button("Submit answers"))
