"""The field x target table (scorm_builder/check/targets.py): every author value that `check`
accepts is taken by every target's validator and runtime, and every value a target would
refuse is reported by `check` at the author's file:line.

Runtimes are the real ones: scorm-again (the SCORM reference of this project) run in node,
driven by the player's own adapter scripts; packages are built and validated for real.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from support import ROOT, line_of

from scorm_builder.build import build
from scorm_builder.check import targets as targets_module
from scorm_builder.check.language import language_problem
from scorm_builder.check.targets import LOADER, REFUSE, TABLE, TRUNCATE, check_targets, limits_for
from scorm_builder.cli import main
from scorm_builder.load import load_course
from scorm_builder.standards import STANDARDS
from scorm_builder.standards.scorm2004 import delimiter_language

NODE = shutil.which("node")
PLAYER = ROOT / "scorm_builder" / "player"
RUNTIMES = {"scorm12": ("scorm12.js", "Scorm12API"), "scorm2004": ("scorm2004.js", "Scorm2004API")}
PLAYER_FILES = ["strings.js", "model.js", "suspend.js", "tracking.js", "report.js", "adapters/scorm12.js", "adapters/scorm2004.js"]

# the player's own answer records (app.js P.record), every question answered correctly, played
# through the player's adapter into scorm-again; every SetValue that scorm-again refuses is listed
HARNESS = r"""
const vm = require("vm"), fs = require("fs");
const input = JSON.parse(fs.readFileSync(0, "utf8"));
const context = { console: { log() {}, warn() {}, error() {}, info() {}, debug() {} }, Date, Math, JSON, Promise,
                  setTimeout, clearTimeout, setInterval, clearInterval, Intl };
context.window = context; context.self = context;
vm.createContext(context);
vm.runInContext(fs.readFileSync(input.runtime, "utf8"), context);
for (const file of input.files) vm.runInContext(fs.readFileSync(file, "utf8"), context, { filename: file });
const SB = context.ScormBuilder, T = SB.tracking, M = SB.model, data = input.data;
const api = new context[input.api]({ logLevel: 5, autocommit: false });
const refused = [];
for (const name of ["LMSSetValue", "SetValue"]) {
  if (typeof api[name] !== "function") continue;
  const set = api[name].bind(api);
  api[name] = function (element, value) {
    const ok = set(element, value);
    if (String(ok) !== "true") refused.push([element, value, String(api.GetLastError ? api.GetLastError() : api.LMSGetLastError())]);
    return ok;
  };
}
const tracker = T.adapters[data.standard].create(data, api);
const sent = [];
tracker.start().then(function () {
  const questions = [];
  (data.lessons || []).forEach(function (l) { if (l.check) l.check.sections.forEach(function (s) { questions.push(...s.questions); }); });
  if (data.final) data.final.sections.forEach(function (s) { questions.push(...s.questions); });
  questions.forEach(function (q) {
    let type, response, correct = null;
    switch (q.type) {
      case "single-choice": case "multiple-response":
        type = "choice"; correct = q.options.filter(o => o.correct).map(o => o.id); response = correct; break;
      case "true-false": type = "true-false"; response = correct = q.answer; break;
      case "matching": type = "matching"; response = correct = q.pairs.map(p => [p.id, p.target]); break;
      case "ordering": type = "sequencing"; response = correct = q.items.map(i => i.id); break;
      case "fill-in": type = "fill-in"; correct = q.accepted; response = q.accepted[0]; break;
      default: type = "long-fill-in"; response = "A reflection.";
    }
    tracker.record({ id: q.id, type: type, objective: q.objective || null, weight: q.weight, response: response,
                     correct: correct, caseSensitive: !!q.caseSensitive, result: q.type === "reflection" ? "neutral" : "correct",
                     latency: 1500, time: new Date(), description: M.plainText(q.promptHtml) });
  });
  const descriptions = [];
  for (let n = 0; n < questions.length; n++) {
    const got = api.GetValue ? api.GetValue("cmi.interactions." + n + ".description") : "";
    if (got) descriptions.push(got);
  }
  process.stdout.write(JSON.stringify({ refused: refused, descriptions: descriptions, recorded: questions.length }));
});
"""


def play(package: Path) -> dict:
    """Every question of a built SCORM package recorded through the player's adapter into
    scorm-again: {"refused": [[element, value, error code]...], "descriptions": [...]}."""
    with zipfile.ZipFile(package) as archive:
        text = archive.read("course.js").decode("utf-8")
    data = json.loads(text[text.index("{"):text.rindex("}") + 1])
    script, api = RUNTIMES[data["standard"]]
    payload = {"runtime": str(ROOT / "node_modules" / "scorm-again" / "dist" / script), "api": api,
               "files": [str(PLAYER / f) for f in PLAYER_FILES], "data": data}
    done = subprocess.run([NODE, "-e", HARNESS], input=json.dumps(payload), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["recorded"] > 0
    return result


def set_yaml(path: Path, key: str, value: str) -> int:
    """Set a top-level `key: value` (quoted) in a YAML file; the line it is on."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(key)}: .*$", re.M)
    assert pattern.search(text), key
    path.write_text(pattern.sub(lambda _: f"{key}: {json.dumps(value)}", text, count=1), encoding="utf-8")
    return line_of(path, f"{key}: ")


def set_prompt(course: Path, value: str) -> tuple[Path, int]:
    """Set the first question's prompt (q-single) of the final assessment; (file, line)."""
    final = course / "assessments" / "final.yaml"
    text = final.read_text(encoding="utf-8")
    pattern = re.compile(r"(- id: q-single\n(?:    .*\n)*?    prompt: ).*")
    assert pattern.search(text)
    final.write_text(pattern.sub(lambda m: m.group(1) + json.dumps(value), text, count=1), encoding="utf-8")
    return final, line_of(final, "prompt: " + json.dumps(value))


# value of `length` characters for a field: plain text that survives Markdown unchanged
def text_of(length: int) -> str:
    words = ("Empathy matters " * (length // 16 + 1))[:length]
    return words[:-1] + "x" if words.endswith(" ") else words


def field_edit(course: Path, field: str, length: int) -> tuple[str, int]:
    """Write a value of `length` characters into `field`; (the file shown to the author, line)."""
    value = text_of(length)
    if field == "language":  # a valid private-use tag of that length: en-x-abcdefgh-abcdefgh-...
        value = "en-x-"
        while len(value) < length:
            room = length - len(value)
            value += "abcdefgh"[:min(8, room)] if room != 9 else "abcdefg"
            if len(value) < length:
                value += "-"
        assert len(value) == length and language_problem(value) is None, value
    if field == "version":
        value = ("1." + "0" * length)[:length]
    if field == "prompt":
        path, line = set_prompt(course, value)
        return f"{course.name}/{path.relative_to(course).as_posix()}", line
    if field == "page title":  # the one `## ` heading of the second lesson
        lesson = course / "lessons" / "02-second.md"
        lesson.write_text(re.sub(r"^## .*$", "## " + value, lesson.read_text(encoding="utf-8"), count=1, flags=re.M),
                          encoding="utf-8")
        return f"{course.name}/lessons/02-second.md", line_of(lesson, "## ")
    files = {"lesson title": "lessons/02-second.md", "assessment title": "assessments/final.yaml"}
    name = files.get(field, "course.yaml")
    return f"{course.name}/{name}", set_yaml(course / name, field.split()[-1], value)


LENGTH_ROWS = [row for row in TABLE if row.maximum and row.action in (REFUSE, TRUNCATE) and row.check is None]


def test_the_table_covers_every_target_and_only_known_ones():
    assert {row.target for row in TABLE} == set(STANDARDS)
    for name in STANDARDS:
        assert any(row.field == "title" for row in limits_for([name])), name
    assert {row.action for row in TABLE} <= {"refuse", "truncate", "derive", "loader", "fits"}
    suspend = {row.target: row.maximum for row in TABLE if row.field == "suspend"}
    assert suspend == {n: s.suspend_limit for n, s in STANDARDS.items() if s.suspend_limit}
    assert "| title | scorm12 | `imsmanifest.xml <title>" in targets_module.markdown_table()


@pytest.mark.parametrize("row", LENGTH_ROWS, ids=lambda r: f"{r.field}-{r.target}-{r.maximum}")
def test_every_length_limit_at_and_over_the_maximum(row, mini, tmp_path):
    # at the limit: no problem, the package is written and validates
    field_edit(mini, row.field, row.maximum)
    course, problems = load_course(mini)
    assert course is not None, [p.format() for p in problems]
    assert [p for p in check_targets(course, [row.target]) if p.field.endswith(row.field)] == []
    result = build(mini, [row.target], tmp_path / "at")
    assert result.ok, [p.format() for p in result.problems]
    assert [o.validated for o in result.outcomes] == [True]
    if row.lands_in.startswith("cmi."):
        assert play(result.packages[0])["refused"] == []
    # one over: check reports it at the author's line, for this target only
    file, line = field_edit(mini, row.field, row.maximum + 1)
    course, problems = load_course(mini)
    found = [p for p in check_targets(course, [row.target])]
    assert len(found) == 1 and (found[0].file, found[0].line) == (file, line), [p.format() for p in found]
    assert f"at most {row.maximum}" in found[0].message
    result = build(mini, [row.target], tmp_path / "over")
    if row.action == REFUSE:
        assert found[0].is_error and result.outcomes[0].path is None and not (tmp_path / "over").exists()
    else:  # truncated by the player, conformant: the runtime takes it
        assert not found[0].is_error and result.ok
        played = play(result.packages[0])
        assert played["refused"] == []
        assert max(len(d) for d in played["descriptions"]) <= row.maximum + len("{lang=en}")


@pytest.mark.parametrize("field,target", [("title", "scorm12"), ("version", "scorm12")])
def test_without_its_row_the_validator_refuses_and_the_build_blames_the_source(field, target, mini, tmp_path,
                                                                                monkeypatch):
    """What the table prevents is real: drop the row and the package validator refuses the
    value; the build then reports that refusal at the author's line, as a checker bug."""
    row = next(r for r in TABLE if (r.field, r.target) == (field, target))
    monkeypatch.setattr(targets_module, "TABLE", tuple(r for r in TABLE if r is not row))
    file, line = field_edit(mini, field, row.maximum + 1)
    result = build(mini, [target], tmp_path / "out")
    assert result.outcomes[0].path is None and list((tmp_path / "out").iterdir()) == []
    blamed = [p for p in result.problems if p.file == file]
    assert blamed and blamed[0].line == line and "refused this value" in blamed[0].message
    assert "bug in scorm-builder" in blamed[0].hint


VALID_TAGS = ["en", "ca-ES-valencia", "x-klingon", "i-klingon", "en-GB-oed", "zh-min-nan", "qaa-x-house",
              "de-CH-1901", "zh-Hant-TW", "es-419", "en-US-x-twain", "sgn-BE-FR"]
INVALID_TAGS = ["en_US", "english", "e", "en-", "x-", "de-de-de", "xx", "en US", "i-foo"]


@pytest.mark.parametrize("tag", INVALID_TAGS)
def test_invalid_language_tags_are_refused_at_their_line(tag, mini):
    line = set_yaml(mini / "course.yaml", "language", tag)
    course, problems = load_course(mini)
    assert course is None
    assert [(p.file, p.line, p.field) for p in problems if p.is_error] == [("mini/course.yaml", line, "language")]
    assert language_problem(tag)


@pytest.mark.parametrize("tag", VALID_TAGS)
def test_every_valid_bcp47_tag_builds_for_every_target_and_scorm_again_takes_the_descriptions(tag, mini, tmp_path):
    line = set_yaml(mini / "course.yaml", "language", tag)
    course, problems = load_course(mini)
    assert course is not None, [p.format() for p in problems]
    warnings = check_targets(course, list(STANDARDS))
    derived = delimiter_language(tag)
    if derived == tag:
        assert warnings == []
    else:
        assert [(w.line, w.field, w.is_error) for w in warnings] == [(line, "language", False)]
        assert (f"{{lang={derived}}}" if derived else "no {lang=}") in warnings[0].message
    result = build(mini, ["all"], tmp_path)
    assert result.ok and all(o.validated for o in result.outcomes), [p.format() for p in result.problems]
    for package in result.packages:
        if package.name.endswith(("scorm12.zip", "scorm2004.zip")):
            played = play(package)
            assert played["refused"] == [], played["refused"]
            if package.name.endswith("scorm2004.zip"):
                prefix = f"{{lang={derived}}}" if derived else ""
                assert played["descriptions"] and all(d.startswith(prefix) for d in played["descriptions"])


def test_ca_es_valencia_in_scorm2004_before_and_after(mini, tmp_path):
    """The issue's example: the tag written as is is refused (406) by scorm-again; the derived one is taken."""
    set_yaml(mini / "course.yaml", "language", "ca-ES-valencia")
    result = build(mini, ["scorm2004"], tmp_path)
    package = result.packages[0]
    played = play(package)
    assert played["refused"] == [] and played["descriptions"][0].startswith("{lang=ca-ES}")
    # the same package with the course's own tag in the delimiter, as before the fix
    raw = tmp_path / "raw.zip"
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(raw, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "course.js":
                data = data.replace(b'"descriptionLanguage":"ca-ES"', b'"descriptionLanguage":"ca-ES-valencia"')
            target.writestr(info, data)
    refused = play(raw)["refused"]
    assert refused and {code for _, _, code in refused} == {"406"}
    assert all(element.endswith(".description") for element, _, _ in refused)


def test_loader_rows_are_enforced_by_the_loader(mini):
    """Rows marked 'loader' hold for every target already: an over-long fill-in answer is refused."""
    assert any(r.action == LOADER and r.field == "fill-in accepted answers" for r in TABLE)
    final = mini / "assessments" / "final.yaml"
    text = final.read_text(encoding="utf-8")
    match = re.search(r"accepted: \[([^,\]]+)", text)
    assert match, "the mini course has a fill-in question"
    final.write_text(text.replace(match.group(0), f"accepted: [{'a' * 251}", 1), encoding="utf-8")
    course, problems = load_course(mini)
    assert course is None and any("at most 250" in p.message for p in problems)


def test_suspend_rows_refuse_only_their_target(mini, tmp_path, monkeypatch):
    row = next(r for r in TABLE if (r.field, r.target) == ("suspend", "scorm12"))
    from dataclasses import replace

    tiny = replace(row, maximum=10)
    monkeypatch.setattr(targets_module, "TABLE", tuple(tiny if r is row else r for r in TABLE))
    result = build(mini, ["scorm12", "scorm2004"], tmp_path)
    assert [(o.target, o.path is None) for o in result.outcomes] == [("scorm12", True), ("scorm2004", False)]
    refusal = next(p for p in result.problems if p.is_error)
    assert "more than the 10 that SCORM 1.2 guarantees" in refusal.message
    assert (refusal.file, refusal.line) == ("mini/course.yaml", line_of(mini / "course.yaml", "lessons:"))


def test_check_reports_target_problems_and_honours_target_choice(mini, capsys):
    line = set_yaml(mini / "course.yaml", "title", text_of(290))
    assert main(["check", str(mini)]) == 1
    err = capsys.readouterr().err
    assert f"mini/course.yaml:{line}: title: 290 characters, too long for SCORM 1.2" in err
    assert "not ready to build" in err
    assert main(["check", str(mini), "--target", "xapi"]) == 0
    assert "ok:" in capsys.readouterr().out


def test_the_authoring_guide_shows_the_table_the_checker_enforces():
    guide = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    assert targets_module.markdown_table() in guide


@pytest.mark.parametrize("tag", VALID_TAGS)
def test_every_valid_tag_makes_statements_learning_lockers_validator_accepts(tag, mini):
    """xAPI language maps and context.language take any valid RFC 5646 tag (xAPI 4.2.7)."""
    from scorm_builder.xapi import activity_definitions

    set_yaml(mini / "course.yaml", "language", tag)
    course, problems = load_course(mini)
    assert course is not None, [p.format() for p in problems]
    statements = [{"actor": {"mbox": "mailto:learner@example.org"},
                   "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {tag: "experienced"}},
                   "object": {"objectType": "Activity", "id": iri, "definition": definition},
                   "context": {"language": tag}}
                  for iri, definition in activity_definitions(course).items()]
    assert statements and all(tag in s["object"]["definition"]["name"] for s in statements)
    done = subprocess.run([NODE, str(ROOT / "tests" / "browser" / "cmi5_lms" / "validate.js")],
                          input=json.dumps(statements), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


@pytest.mark.parametrize("case_sensitive", [False, True])
@pytest.mark.parametrize("target", ["scorm12", "scorm2004"])
def test_fill_in_answers_at_and_over_each_runtimes_limit(target, case_sensitive, mini, tmp_path, monkeypatch):
    """Ten accepted answers, each as long as the target's runtime takes (SCORM 1.2: the loader's
    250; SCORM 2004: 250 with the {case_matters=} delimiter, which scorm-again counts): recorded
    without a refusal. One character more: check refuses it at its line, for SCORM 2004 only."""
    final = mini / "assessments" / "final.yaml"
    delimiter = len("{case_matters=true}" if case_sensitive else "{case_matters=false}")
    longest = 250 if target == "scorm12" else 250 - delimiter
    answers = [f"{n}" + text_of(longest - 1) for n in range(10)]
    original = final.read_text(encoding="utf-8")
    old = 'accepted: [first, "the first"]'
    flag = "case_sensitive: true\n    " if case_sensitive else ""
    final.write_text(original.replace(old, flag + f"accepted: {json.dumps(answers)}"), encoding="utf-8")
    result = build(mini, [target], tmp_path / "at")
    assert result.ok, [p.format() for p in result.problems]
    assert play(result.packages[0])["refused"] == []
    if target == "scorm12":
        return
    answers[3] += "x"
    final.write_text(original.replace(old, flag + f"accepted: {json.dumps(answers)}"), encoding="utf-8")
    course, _ = load_course(mini)
    found = check_targets(course, [target])
    assert [(p.file, p.line, p.is_error) for p in found] == [("mini/assessments/final.yaml",
                                                              line_of(final, "accepted: "), True)]
    assert f"at most {longest} characters" in found[0].hint
    assert check_targets(course, ["scorm12", "xapi", "cmi5", "cc"]) == []
    # and scorm-again does refuse that pattern: the check is not stricter than the runtime
    monkeypatch.setattr(targets_module, "TABLE", tuple(r for r in TABLE if r.field != "fill-in accepted answers"))
    result = build(mini, [target], tmp_path / "over")
    refused = play(result.packages[0])["refused"]
    assert len(refused) == 1 and re.fullmatch(r"cmi\.interactions\.\d+\.correct_responses\.3\.pattern", refused[0][0])


def test_weights_over_100_are_recorded_as_100_in_scorm12_with_a_warning(mini, tmp_path):
    final = mini / "assessments" / "final.yaml"
    text = final.read_text(encoding="utf-8")
    final.write_text(text.replace("  - id: q-multi\n", "  - id: q-multi\n    weight: 250\n", 1), encoding="utf-8")
    course, problems = load_course(mini)
    assert course is not None, [p.format() for p in problems]
    found = check_targets(course, list(STANDARDS))
    assert [(p.file, p.line, p.field, p.is_error) for p in found] == [
        ("mini/assessments/final.yaml", line_of(final, "weight: 250"), "questions[1].weight", False)]
    assert "SCORM 1.2 records" in found[0].message and "as 100" in found[0].message
    result = build(mini, ["scorm12"], tmp_path)
    assert result.ok
    assert play(result.packages[0])["refused"] == []


def test_activity_ids_at_and_over_what_an_lrs_keeps(mini, tmp_path):
    """xapi_base + course id + kind + id: the longest activity id at the ADL LRS's 2083
    characters builds; one more is refused at the xapi_base line, for xapi and cmi5 only."""
    from scorm_builder.xapi import activities

    course_yaml = mini / "course.yaml"
    course_yaml.write_text(course_yaml.read_text(encoding="utf-8") + "xapi_base: https://training.example.org/x/\n",
                           encoding="utf-8")
    course, _ = load_course(mini)
    longest = max(len(a.id) for a in activities(course))
    base = "https://training.example.org/" + "a" * (2083 - longest + 1) + "/"  # the x/ it replaces is 2 long
    line = set_yaml(course_yaml, "xapi_base", base)
    course, problems = load_course(mini)
    assert course is not None, [p.format() for p in problems]
    assert max(len(a.id) for a in activities(course)) == 2083
    assert check_targets(course, list(STANDARDS)) == []
    result = build(mini, ["xapi", "cmi5"], tmp_path / "at")
    assert result.ok and len(result.packages) == 2
    set_yaml(course_yaml, "xapi_base", base.replace("/a", "/aa", 1))
    course, _ = load_course(mini)
    found = check_targets(course, list(STANDARDS))
    assert [(p.line, p.field, p.is_error) for p in found] == [(line, "xapi_base", True)] * 2
    assert "2084 characters, more than the 2083" in found[0].message
