"""The player's pure JavaScript (formats, grading, draws, API discovery, adapters) run in node.

The browser tests prove the whole in chromium against scorm-again; these pin down the details
that a walk through one course cannot reach: edge values, hostile frames, odd learner text.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from scorm_builder.load import load_course
from scorm_builder.render.data import course_data

ROOT = Path(__file__).resolve().parents[1]
PLAYER = ROOT / "scorm_builder" / "player"
NODE = shutil.which("node")
FILES = ["strings.js", "model.js", "suspend.js", "tracking.js", "report.js", "adapters/scorm12.js", "adapters/scorm2004.js",
         "adapters/preview.js"]

pytestmark = pytest.mark.skipif(NODE is None, reason="node is needed to run the player's scripts")

PRELUDE = r"""
const vm = require("vm");
const fs = require("fs");
const input = JSON.parse(fs.readFileSync(0, "utf8"));
const context = { console, Date, Math, JSON, Promise, setTimeout, Intl };
context.window = context;
vm.createContext(context);
for (const file of input.files) vm.runInContext(fs.readFileSync(file, "utf8"), context, { filename: file });
const SB = context.ScormBuilder, T = SB.tracking, M = SB.model;
const data = input.data;
const out = {};
"""


def run_js(body: str, data: dict | None = None) -> dict:
    script = PRELUDE + body + "\nprocess.stdout.write(JSON.stringify(out));"
    payload = {"files": [str(PLAYER / f) for f in FILES], "data": data}
    done = subprocess.run([NODE, "-e", script], input=json.dumps(payload), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def data():
    course, problems = load_course(ROOT / "tests" / "browser" / "course")
    assert course is not None, problems
    return course_data(course, "scorm2004")


def test_time_formats():
    out = run_js(r"""
      out.timespan = [0, 3250, 3723456, 36000000000].map(T.timespan);
      out.duration = [0, 3200, 3250, 60000, 3723456, 5].map(T.duration);
      out.timestamp = T.timestamp(new Date(Date.UTC(2026, 10, 26, 20, 30, 14, 512)));
      out.clock = T.clockTime(new Date());
      out.decimal = [T.decimal(85.5, 2), T.decimal(100 / 3, 2), T.decimal(0.8, 4), T.decimal(1e-9, 4), T.decimal(-0.0001, 2)];
    """)
    assert out["timespan"] == ["0000:00:00.00", "0000:00:03.25", "0001:02:03.46", "9999:59:59.99"]
    assert out["duration"] == ["PT0S", "PT3.2S", "PT3.25S", "PT1M0S", "PT1H2M3.46S", "PT0.01S"]
    assert out["timestamp"] == "2026-11-26T20:30:14.5Z"
    assert re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d:[0-5]\d", out["clock"])
    assert out["decimal"] == ["85.5", "33.33", "0.8", "0", "0"]


def test_clip_never_splits_a_character():
    out = run_js(r"""out.clipped = T.clip("ab\u{1F642}", 3); out.whole = T.clip("abc", 3);""")
    assert out == {"clipped": "ab", "whole": "abc"}


def test_grading_every_question_type(data):
    out = run_js(r"""
      const qs = {};
      data.final.sections.forEach(s => s.questions.forEach(q => { qs[q.id] = q; }));
      const g = (id, v) => M.grade(qs[id], v);
      out.single = [g("f-single", 1), g("f-single", 0)];
      out.multi = [g("f-multi", [0, 2]), g("f-multi", [0]), g("f-multi", [0, 1, 2])];
      out.tf = [g("f-tf", true), g("f-tf", false)];
      out.match = [g("f-match", [0, 1, 2]), g("f-match", [1, 0, 2]), M.isAnswered(qs["f-match"], [0, null, 2])];
      out.order = [g("f-order", [0, 1, 2, 3]), g("f-order", [1, 0, 2, 3])];
      out.fill = [g("f-fill", "  Attention "), g("f-fill", "FOCUS"), g("f-fill", "attentive")];
      out.reflection = [g("f-reflect", "anything"), M.isGraded(qs["f-reflect"])];
      out.lost = g("f-fill", { lost: true, result: "correct" });
      const drawn = [qs["f-single"], qs["f-tf"], qs["f-reflect"]];
      out.score = M.score(drawn, [1, false, "text"]);
    """, data)
    assert out["single"] == ["correct", "incorrect"]
    assert out["multi"] == ["correct", "incorrect", "incorrect"]
    assert out["tf"] == ["correct", "incorrect"]
    assert out["match"] == ["correct", "incorrect", False]
    assert out["order"] == ["correct", "incorrect"]
    assert out["fill"] == ["correct", "correct", "incorrect"]
    assert out["reflection"] == ["neutral", False]
    assert out["lost"] == "correct"
    assert out["score"] == {"score": 50, "objectives": {"define-listening": 50}}


def test_draws_are_seeded_per_attempt_and_orderings_never_start_solved(data):
    out = run_js(r"""
      const a = data.final;
      const ids = (seed, attempt) => M.draw(a, seed, attempt).map(q => q.id);
      out.same = JSON.stringify(ids(42, 0)) === JSON.stringify(ids(42, 0));
      out.sizes = [0, 1, 2, 3].map(n => ids(7, n).length);
      out.pool = new Set(M.range(40).map(n => ids(n, 0).filter(id => id.startsWith("f-pool"))[0])).size;
      const order = data.lessons[1].check.sections[0].questions[1];
      out.solved = M.range(200).some(seed => M.arrange(order, seed, "x", 0).items.every((v, i) => v === i));
    """, data)
    assert out["same"] is True
    assert out["sizes"] == [8, 8, 8, 8]
    assert out["pool"] == 2, "both pool questions get drawn across learners"
    assert out["solved"] is False


def test_api_discovery_climbs_past_cross_origin_frames_then_tries_the_opener():
    out = run_js(r"""
      const api = { LMSInitialize() {}, LMSSetValue() {} };
      const hostile = { get API() { throw new Error("cross-origin"); } };
      const top = { API: api }; top.parent = top;
      hostile.parent = top;
      context.parent = hostile;
      out.found = T.findApi("API", 7, a => typeof a.LMSInitialize === "function") === api;
      out.missing = T.findApi("API_1484_11", 500, () => true);
      const openerTop = { API_1484_11: { Initialize() {}, SetValue() {} } }; openerTop.parent = openerTop;
      context.opener = { parent: openerTop };
      out.opener = T.findApi("API_1484_11", 500, a => typeof a.Initialize === "function") === openerTop.API_1484_11;
      out.fake = T.findApi("API", 7, a => typeof a.Nope === "function");
    """)
    assert out == {"found": True, "missing": None, "opener": True, "fake": None}


ADAPTER_RUN = r"""
  function fakeApi(names) {
    const calls = [];
    const store = {};
    const api = {};
    api[names[0]] = () => "true";
    api[names[1]] = () => "true";
    const count = (prefix) => String(Object.keys(store).filter(k => new RegExp("^" + prefix + "\\d+\\.id$").test(k)).length);
    api[names[2]] = (el) => {
      calls.push(["get", el]);
      if (el.endsWith("._count")) return count(el.replace("_count", "").replace(/\./g, "\\."));
      return store[el] !== undefined ? store[el] : "";
    };
    api[names[3]] = (el, v) => { calls.push(["set", el, v]); store[el] = v; return "true"; };
    api[names[4]] = () => "true";
    api[names[5]] = () => "0";
    return { api, calls, store };
  }
  const standard = input.data.standard;
  const names = standard === "scorm12"
    ? ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSGetLastError"]
    : ["Initialize", "Terminate", "GetValue", "SetValue", "Commit", "GetLastError"];
  const fake = fakeApi(names);
  const tracker = T.adapters[standard].create(input.data, fake.api);
  tracker.start().then((info) => {
    out.info = info;
    const when = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 600));
    tracker.record({ id: "q1", type: "fill-in", objective: "o1", weight: 2, response: "{x} one[,]two\nthree",
      correct: ["{x}", "b"], caseSensitive: true, result: "incorrect", latency: 1500, time: when, description: "{Why?}" });
    tracker.record({ id: "q2", type: "long-fill-in", objective: null, weight: 0, response: "line one\nline two " + "z".repeat(300),
      correct: null, result: "neutral", latency: 0, time: when, description: "Reflect" });
    tracker.record({ id: "q3", type: "matching", objective: "o1", weight: 1, response: [["1", "b"], ["2", "a"]],
      correct: [["1", "a"], ["2", "b"]], result: "incorrect", latency: 10, time: when, description: "Match" });
    const snapshot = { location: "p1", suspendData: "1abc", completion: "completed", success: "passed", score: 87.5,
      progress: 1, finished: true, objectives: [{ id: "o1", completion: "completed", success: "passed", score: 87.5 }] };
    tracker.save(snapshot);
    tracker.save(Object.assign({}, snapshot, { completion: "incomplete", success: "unknown" }));  // never goes back
    tracker.finish(snapshot);
    tracker.finish(snapshot);
    out.sets = fake.calls.filter(c => c[0] === "set").map(c => [c[1], c[2]]);
    out.store = fake.store;
    process.stdout.write(JSON.stringify(out));
    process.exit(0);
  });
  return;
"""


def adapter_run(standard: str) -> dict:
    body = "(function () {" + ADAPTER_RUN + "})();"
    script = PRELUDE + body
    payload = {"files": [str(PLAYER / f) for f in FILES],
               "data": {"standard": standard, "course": {"language": "en"}, "completion": {"score": "best"}}}
    done = subprocess.run([NODE, "-e", script], input=json.dumps(payload), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_scorm12_adapter_writes_valid_values():
    out = adapter_run("scorm12")
    store = out["store"]
    assert store["cmi.interactions.0.type"] == "fill-in"
    assert re.fullmatch(r"\d\d:\d\d:\d\d", store["cmi.interactions.0.time"])
    assert store["cmi.interactions.0.latency"] == "0000:00:01.50"
    assert store["cmi.interactions.0.result"] == "wrong"
    assert store["cmi.interactions.0.correct_responses.1.pattern"] == "b"
    assert store["cmi.interactions.1.type"] == "fill-in"  # a reflection: 1.2 has no long-fill-in
    assert len(store["cmi.interactions.1.student_response"]) == 255
    assert store["cmi.interactions.1.result"] == "neutral"
    assert "cmi.interactions.1.correct_responses.0.pattern" not in store
    assert store["cmi.interactions.2.student_response"] == "1.b,2.a"
    assert store["cmi.core.lesson_status"] == "passed"
    assert store["cmi.core.score.raw"] == "87.5"
    assert store["cmi.core.exit"] == ""
    assert store["cmi.objectives.0.status"] == "passed"
    sets = [element for element, _ in out["sets"]]
    assert sets.index("cmi.interactions.0.id") < sets.index("cmi.interactions.0.type") < sets.index(
        "cmi.interactions.0.student_response")
    assert sets.index("cmi.core.score.raw") < sets.index("cmi.core.lesson_status")
    assert [e for e, v in out["sets"] if e == "cmi.core.lesson_status"] == ["cmi.core.lesson_status"], \
        "passed is never taken back"


def test_scorm2004_adapter_writes_valid_values():
    out = adapter_run("scorm2004")
    store = out["store"]
    assert store["cmi.interactions.0.learner_response"] == " {x} one, two three"
    assert store["cmi.interactions.0.correct_responses.0.pattern"] == "{case_matters=true} {x}"
    assert store["cmi.interactions.0.correct_responses.1.pattern"] == "{case_matters=true}b"
    assert store["cmi.interactions.0.timestamp"] == "2026-01-02T03:04:05.6Z"
    assert store["cmi.interactions.0.latency"] == "PT1.5S"
    assert store["cmi.interactions.0.description"] == "{lang=en} {Why?}"
    assert store["cmi.interactions.0.weighting"] == "2"
    assert store["cmi.interactions.1.type"] == "long-fill-in"
    assert "\n" not in store["cmi.interactions.1.learner_response"]
    assert store["cmi.interactions.1.result"] == "neutral"
    assert store["cmi.interactions.2.learner_response"] == "1[.]b[,]2[.]a"
    assert store["cmi.interactions.2.correct_responses.0.pattern"] == "1[.]a[,]2[.]b"
    assert (store["cmi.completion_status"], store["cmi.success_status"]) == ("completed", "passed")
    assert (store["cmi.score.scaled"], store["cmi.score.raw"]) == ("0.875", "87.5")
    assert store["cmi.progress_measure"] == "1"
    assert store["cmi.exit"] == "normal"
    assert re.fullmatch(r"PT(\d+H)?(\d+M)?\d+(\.\d{1,2})?S", store["cmi.session_time"])
    assert store["cmi.objectives.0.score.scaled"] == "0.875"
    assert not any(element.startswith("adl.nav") for element, _ in out["sets"])
    assert [v for e, v in out["sets"] if e == "cmi.completion_status"] == ["completed"]


# held: what the LMS holds; now: what the player would report; passed: the status being stored
KEEP_SCORE = [
    # held, now, rule, passed, kept
    (None, None, "best", False, None),
    (None, 40, "best", False, 40),
    (60, None, "best", False, 60),  # never erased
    (60, 40, "best", False, 60),
    (60, 40, "last", False, 40),  # last: the newer, while not passed
    (40, 60, "last", False, 60),
    (100, 0, "best", True, 100),  # once passed, never lower, whatever the rule
    (100, 0, "last", True, 100),
    (80, 95, "last", True, 95),
]


@pytest.mark.parametrize(("held", "now", "rule", "passed", "kept"), KEEP_SCORE)
def test_a_stored_score_never_regresses_once_passed(held, now, rule, passed, kept):
    out = run_js(f"out.kept = T.keep.score({json.dumps(held)}, {json.dumps(now)}, {json.dumps(rule)}, "
                 f"{json.dumps(passed)});")
    assert out["kept"] == kept


KEEP_STATUS = [
    # keeper, before (held), now, kept
    ("lessonStatus", "passed", "failed", "passed"),
    ("lessonStatus", "passed", "incomplete", "passed"),
    ("lessonStatus", "completed", "incomplete", "completed"),
    ("lessonStatus", "failed", "incomplete", "failed"),
    ("lessonStatus", "completed", "failed", "completed"),  # a pass reported as completed (report_as)
    ("lessonStatus", "failed", "passed", "passed"),
    ("lessonStatus", "not attempted", "incomplete", "incomplete"),
    ("completion", "completed", "incomplete", "completed"),
    ("completion", "incomplete", "completed", "completed"),
    ("success", "passed", "failed", "passed"),
    ("success", "passed", "unknown", "passed"),
    ("success", "failed", "unknown", "failed"),
    ("success", "failed", "passed", "passed"),
]


@pytest.mark.parametrize(("keeper", "before", "now", "kept"), KEEP_STATUS)
def test_a_stored_status_never_regresses(keeper, before, now, kept):
    out = run_js(f"out.kept = T.keep.{keeper}({json.dumps(before)}, {json.dumps(now)});")
    assert out["kept"] == kept


@pytest.mark.parametrize(("rule", "reported"), [("best", 70), ("last", 30)])
def test_reported_score_follows_the_rule(rule, reported):
    out = run_js(f"out.score = T.reportedScore({{lastScore: 30, bestScore: 70}}, {json.dumps(rule)});"
                 "out.old = T.reportedScore({lastScore: 30, bestScore: null}, 'best');")
    assert out["score"] == reported
    assert out["old"] == 30, "state from suspend data without a best score: the last is the best known"


def test_suspend_data_of_format_1_still_resumes(data):
    """Format 2 added the best score; a learner's format-1 data (no best score) is still read."""
    out = run_js(r"""
      const S = SB.suspend, layout = M.layout(data);
      const state = S.empty(layout, 12345);
      state.viewed[0] = true;
      Object.assign(state.final, { attempts: 2, phase: 2, outcome: 0, lastScore: 40, bestScore: 70 });
      state.final.answers = M.draw(layout.final, state.seed, 1).map(() => null);
      const text = S.encode(data, layout, state, 4096);
      const at = 1 + 4 + 4 + Math.ceil(layout.pages.length / 6) + 2 + 1 + 1 + 3;
      const old = "1" + text.slice(1, at) + text.slice(at + 3);
      const now = S.decode(data, layout, text), before = S.decode(data, layout, old);
      out.now = [now.final.lastScore, now.final.bestScore];
      out.before = [before.final.lastScore, before.final.bestScore, before.viewed[0]];
      out.version = text.charAt(0);
    """, data)
    assert out["version"] == "2"
    assert out["now"] == [40, 70]
    assert out["before"] == [40, 40, True]


def test_scorm2004_progress_never_goes_back():
    """An LMS that holds progress 0.6 (then the suspend data was lost): the player's fresh 0.2 is not
    written over it; a later 0.8 is."""
    out = run_js(r"""
      const store = { "cmi.completion_status": "incomplete", "cmi.success_status": "unknown", "cmi.progress_measure": "0.6" };
      const api = { Initialize: () => "true", Terminate: () => "true", Commit: () => "true", GetLastError: () => "0",
        GetValue: (el) => el.endsWith("._count") ? "0" : (store[el] !== undefined ? store[el] : ""),
        SetValue: (el, v) => { store[el] = v; return "true"; } };
      const tracker = T.adapters.scorm2004.create(data, api);
      tracker.start();  // reads what the LMS holds at once (the Promise only hands it back)
      const snap = { location: "p1", suspendData: "x", completion: "incomplete", success: "unknown", score: null,
        progress: 0.2, finished: false, objectives: [] };
      tracker.save(snap);
      out.first = store["cmi.progress_measure"];
      tracker.save(Object.assign({}, snap, { progress: 0.8 }));
      out.second = store["cmi.progress_measure"];
    """, {"standard": "scorm2004", "course": {"language": "en"}, "completion": {"score": "best"}})
    assert (out["first"], out["second"]) == ("0.6", "0.8")
