"""What each target does with the author's values: the field x target table, and the checks it drives.

Every row says where one author value lands in one target (manifest, `tincan.xml`, `cmi5.xml`,
runtime data model, statements, or an LMS's storage), that element's data type and its
smallest permitted maximum, and what `check` does when the value does not fit:

- `refuse`: an error at the author's `file:line`; the target is not built;
- `truncate`: a warning; the player writes the value cut to the maximum (a conformant form);
- `derive`: a warning; the build writes a conformant form of the value (e.g. a shorter
  language tag) and the warning names it;
- `fits`: the element has no maximum (listed so that the table is complete).

Rows whose limit the loaders already enforce for every target (ids, option ids, fill-in
answers) are listed with `action="loader"`, so the table is the whole contract. A new target
(e.g. `cc`, IMS Common Cartridge) adds its rows here and nothing else.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..errors import Problem, Severity
from ..model import Course, Origin
from ..standards import STANDARDS
from ..xapi.text import plain_text

REFUSE, TRUNCATE, DERIVE, LOADER, FITS = "refuse", "truncate", "derive", "loader", "fits"


@dataclass(frozen=True)
class AuthorValue:
    """One value as the author wrote it (or as the target receives it) and where it was written."""

    key: str  # Course.origins key: "title", "question:q1:prompt", ...
    text: str
    origin: Origin


@dataclass(frozen=True)
class Limit:
    """One cell of the table: author field x target."""

    field: str  # the author's name for it, e.g. "title" (course.yaml)
    target: str  # scorm12 | scorm2004 | xapi | cmi5 (| cc)
    lands_in: str  # the element it becomes
    data_type: str  # that element's type, as its spec names it
    maximum: int | None  # smallest permitted maximum in characters (None: a grammar, not a length)
    action: str  # refuse | truncate | derive | loader
    source: str  # spec section or LMS fact
    check: Callable[[Limit, AuthorValue, Course], Problem | None] | None = None  # None: length vs maximum

    def problem(self, value: AuthorValue, course: Course) -> Problem | None:
        if self.action in (LOADER, FITS):
            return None
        if self.check is not None:
            return self.check(self, value, course)
        return _length(self, value, course)


def utf16_length(text: str) -> int:
    """Length as JavaScript (and so the runtime) counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _length(limit: Limit, value: AuthorValue, course: Course) -> Problem | None:
    runtime = limit.lands_in.startswith("cmi.")
    size = utf16_length(value.text) if runtime else len(value.text)
    if limit.maximum is None or size <= limit.maximum:
        return None
    unit = "UTF-16 units" if runtime else "characters"
    where = f"{limit.lands_in} ({limit.data_type}, at most {limit.maximum}; {limit.source})"
    if limit.action == TRUNCATE:
        return _problem(value, f"{size} {unit}: {TITLES[limit.target]} gets it cut to {limit.maximum} in {where}",
                        f"shorten it to {limit.maximum} {unit} to keep all of it", Severity.WARNING)
    return _problem(value, f"{size} {unit}, too long for {TITLES[limit.target]}: {where}",
                    f"shorten it to at most {limit.maximum} {unit}, or build only for targets without this limit")


def _delimiter_language(limit: Limit, value: AuthorValue, course: Course) -> Problem | None:
    from ..standards.scorm2004 import delimiter_language

    derived = delimiter_language(value.text)
    if derived == value.text:
        return None
    written = f"'{{lang={derived}}}'" if derived else "no {lang=} delimiter (untagged descriptions)"
    return _problem(value, f"'{value.text}' does not fit the {limit.lands_in} grammar ({limit.data_type}; "
                    f"{limit.source}): {TITLES[limit.target]} packages write {written}",
                    "nothing to do if that is acceptable; a tag of a 2-3 letter language and one subtag fits as is",
                    Severity.WARNING)


def scorm2004_fill_in_pattern(answer: str, case_sensitive: bool) -> str:
    """The correct_responses pattern the SCORM 2004 adapter writes for an accepted answer
    (adapters/scorm2004.js `format` and `text`): delimiter, whitespace collapsed, `[,]` spelt
    out, a leading `{` kept from reading as a delimiter."""
    text = " ".join(answer.split()).replace("[,]", ", ")
    if text.startswith("{"):
        text = " " + text
    return "{case_matters=" + ("true" if case_sensitive else "false") + "}" + text


def _fill_in_pattern(limit: Limit, value: AuthorValue, course: Course) -> Problem | None:
    question = next(q for a in course.assessments for q in a.questions if q.id == value.key.split(":")[1])
    pattern = scorm2004_fill_in_pattern(value.text, question.case_sensitive)
    size = utf16_length(pattern)
    if limit.maximum is None or size <= limit.maximum:
        return None
    room = limit.maximum - (size - utf16_length(value.text))
    return _problem(value, f"accepted answer too long for {TITLES[limit.target]}: written as the "
                    f"{limit.lands_in} '{pattern[:40]}...' it is {size} characters, more than the {limit.maximum} "
                    f"scorm-again takes ({limit.source})",
                    f"shorten it to at most {room} characters, or build only for targets without this limit")


def _weighting(limit: Limit, value: AuthorValue, course: Course) -> Problem | None:
    weight = float(value.text)
    if limit.maximum is None or weight <= limit.maximum:
        return None
    return _problem(value, f"weight {weight:g}: {TITLES[limit.target]} records the question's "
                    f"{limit.lands_in} as {limit.maximum}, the most its data model takes ({limit.data_type}; "
                    f"{limit.source}); the course score still uses {weight:g}",
                    f"nothing to do if that is acceptable; weights up to {limit.maximum} are recorded as they are",
                    Severity.WARNING)


def _longest_iri(limit: Limit, value: AuthorValue, course: Course) -> Problem | None:
    from ..xapi import activities

    longest = max((a.id for a in activities(course)), key=len)
    if limit.maximum is None or len(longest) <= limit.maximum:
        return None
    return _problem(value, f"the longest activity id is {len(longest)} characters, more than the {limit.maximum} "
                    f"an LRS keeps ({limit.source}): {longest[:60]}...",
                    "use a shorter xapi_base (ids are xapi_base + course id + kind + id)")


def _suspend(limit: Limit, value: AuthorValue, course: Course) -> Problem | None:
    from ..render.suspend import worst_case_suspend_length

    worst = worst_case_suspend_length(course, limit.target)
    if limit.maximum is None or worst <= limit.maximum:
        return None
    return _problem(value, f"in the worst case the learner's saved progress needs {worst} characters, more than "
                    f"the {limit.maximum} that {TITLES[limit.target]} guarantees ({limit.lands_in}, {limit.data_type})",
                    "split the course into smaller courses, or build only for targets with a larger limit")


def _problem(value: AuthorValue, message: str, hint: str, severity: Severity = Severity.ERROR) -> Problem:
    return Problem(value.origin.file, message, value.origin.line, value.origin.field, hint, severity)


TITLES = {"scorm12": "SCORM 1.2", "scorm2004": "SCORM 2004", "xapi": "xAPI (Tin Can)", "cmi5": "cmi5",
          "cc": "Common Cartridge"}

TABLE: tuple[Limit, ...] = (
    # course title
    Limit("title", "scorm12", "imsmanifest.xml <title> (organization, item)", "imscp titleType xs:string",
          200, REFUSE, "imscp_rootv1p1p2.xsd titleType maxLength 200; Moodle column 255"),
    Limit("title", "scorm2004", "imsmanifest.xml <title> (organization, item)", "xs:string",
          200, REFUSE, "SCORM 2004 CAM title SPM 200; Moodle column 255"),
    Limit("title", "cmi5", "cmi5.xml course/au <title><langstring>", "langstring", 255, REFUSE,
          "no maximum in cmi5; LMS title columns (Moodle) hold 255"),
    Limit("title", "xapi", "tincan.xml activity <name>, statements' definition.name", "language map value",
          None, FITS, "no maximum (xAPI 4.1.4.1)"),
    Limit("title", "cc", "imsmanifest.xml LOM general/title", "LangString", None, FITS,
          "no maximum; a cartridge is restored into an existing course"),
    # titles that become the LMS's own sections, pages and quizzes in a Common Cartridge
    Limit("lesson title", "cc", "imsmanifest.xml <item><title> -> LMS section/module name", "xs:string", 255,
          REFUSE, "Moodle course_sections.name, Canvas module name: 255"),
    Limit("page title", "cc", "imsmanifest.xml <item><title> -> LMS page name", "xs:string", 255, REFUSE,
          "Moodle page.name, Canvas wiki page title: 255"),
    Limit("assessment title", "cc", "QTI assessment@title, <item><title> -> LMS quiz name", "xs:string", 255,
          REFUSE, "Moodle quiz.name, Canvas quiz title: 255"),
    # version
    Limit("version", "scorm12", "imsmanifest.xml manifest@version", "xs:string", 20, REFUSE,
          "imscp_rootv1p1p2.xsd attr.version maxLength 20"),
    Limit("version", "scorm2004", "imsmanifest.xml manifest@version", "xs:string", None, FITS,
          "imscp_v1p1.xsd (no facet)"),
    # language
    Limit("language", "scorm2004", "cmi.interactions.n.description {lang=}", "localized_string_type delimiter",
          None, DERIVE, "RTE 4.1.1.6; scorm-again CMILangString250, Moodle datamodel", _delimiter_language),
    Limit("language", "xapi", "statements' language maps, tincan.xml @lang", "RFC 5646 tag, xs:language",
          None, LOADER, "xAPI 4.2.7 (language map); any valid BCP 47 tag"),
    Limit("language", "cmi5", "cmi5.xml langstring@lang, statements' language maps", "xs:language, RFC 5646",
          None, LOADER, "cmi5 course structure XSD; xAPI 4.2.7"),
    Limit("language", "xapi", "statements' context.language", "RFC 5646 tag", 50, REFUSE,
          "ADL LRS context_language column (50)"),
    Limit("language", "cmi5", "statements' context.language", "RFC 5646 tag", 50, REFUSE,
          "ADL LRS context_language column (50)"),
    # activity ids: xapi_base + course id + kind + id
    Limit("xapi_base", "xapi", "statements' object.id, tincan.xml activity@id (longest)", "IRI", 2083, REFUSE,
          "ADL LRS activity_id column (2083)", _longest_iri),
    Limit("xapi_base", "cmi5", "cmi5.xml course/au/objective @id, statements' object.id (longest)", "IRI", 2083,
          REFUSE, "ADL LRS activity_id column (2083)", _longest_iri),
    Limit("language", "scorm12", "index.html lang only", "BCP 47", None, LOADER, "not in the 1.2 data model"),
    Limit("language", "cc", "LOM string@language, lomimscc:language, pages' html@lang", "BCP 47", None, LOADER,
          "IMS LOM LangString"),
    # question prompt (plain text) as the interaction's description
    Limit("prompt", "scorm2004", "cmi.interactions.n.description", "localized_string_type", 250, TRUNCATE,
          "RTE 4.1.6 description SPM 250; scorm-again CMILangString250"),
    Limit("prompt", "scorm12", "not written (1.2 interactions have no description)", "-", None, FITS, "RTE 3.4.2.7"),
    Limit("prompt", "xapi", "statements' object.definition.description", "language map value", None, FITS,
          "no maximum (xAPI 4.1.4.1)"),
    # course description and objective texts
    Limit("description", "cmi5", "cmi5.xml course <description><langstring>", "langstring", None, FITS,
          "no maximum"),
    Limit("description", "xapi", "tincan.xml course <description>", "language map value", None, FITS, "no maximum"),
    Limit("objective text", "cmi5", "cmi5.xml objective <title> (first 100 characters at a word break) and "
          "<description> (all)", "langstring", None, FITS, "no maximum"),
    # question weight as the interaction's weighting
    Limit("weight", "scorm12", "cmi.interactions.n.weighting", "CMIDecimal, -100..100", 100, DERIVE,
          "RTE 3.4.2.7.4; scorm-again weighting_range", _weighting),
    Limit("weight", "scorm2004", "cmi.interactions.n.weighting", "real (10,7)", None, FITS, "RTE 4.1.6.5"),
    # saved progress
    Limit("suspend", "scorm12", "cmi.suspend_data", "CMIString4096", STANDARDS["scorm12"].suspend_limit, REFUSE,
          "RTE 3.4.2.5", _suspend),
    Limit("suspend", "scorm2004", "cmi.suspend_data", "characterstring", STANDARDS["scorm2004"].suspend_limit,
          REFUSE, "RTE 4.1.15 SPM 64000 (4th Ed.)", _suspend),
    # limits the loaders already enforce for every target, listed for the whole contract
    Limit("ids (objective, lesson, question)", "scorm12", "cmi.objectives.n.id, cmi.interactions.n.id",
          "CMIIdentifier", 255, LOADER, "ids are [A-Za-z][A-Za-z0-9_-]{0,63}"),
    Limit("ids (objective, lesson, question)", "scorm2004", "cmi.objectives.n.id, cmi.interactions.n.id",
          "long_identifier_type", 4000, LOADER, "ids are [A-Za-z][A-Za-z0-9_-]{0,63}"),
    Limit("option ids", "scorm12", "cmi.interactions.n.student_response (choice)", "CMIFeedback single chars",
          1, LOADER, "RTE 3.4.2.7.5: options a-z/0-9, matching <= 9 rows, ordering <= 10 items"),
    Limit("fill-in accepted answers", "scorm12", "cmi.interactions.n.correct_responses.n.pattern", "CMIFeedback",
          255, LOADER, "each <= 250 characters"),
    Limit("fill-in accepted answers", "scorm2004", "cmi.interactions.n.correct_responses.n.pattern",
          "characterstring with {case_matters=} delimiter", 250, REFUSE,
          "RTE 4.1.6.4; scorm-again counts the delimiter in the 250; at most 10 patterns (loader)", _fill_in_pattern),
)


def limits_for(targets: Iterable[str]) -> list[Limit]:
    wanted = set(targets)
    return [row for row in TABLE if row.target in wanted]


def author_values(course: Course, field: str) -> Iterator[AuthorValue]:
    """Every value of `field` in the course, as the target receives it, with where it was written."""
    origins = course.origins
    here = lambda key: origins.get(key) or Origin("course.yaml", None, key.rsplit(":", 1)[-1])  # noqa: E731
    if field in ("title", "version", "language", "description"):
        yield AuthorValue(field, getattr(course, field), here(field))
    elif field == "lesson title":
        for lesson in course.lessons:
            yield AuthorValue(f"lesson:{lesson.id}:title", lesson.title, here(f"lesson:{lesson.id}:title"))
    elif field == "page title":
        for page in course.pages:
            yield AuthorValue(f"page:{page.id}:title", page.title, here(f"page:{page.id}:title"))
    elif field == "assessment title":
        for assessment in course.assessments:
            key = f"assessment:{assessment.id}:title"
            yield AuthorValue(key, assessment.title, here(key))
    elif field == "prompt":
        for assessment in course.assessments:
            for question in assessment.questions:
                key = f"question:{question.id}:prompt"
                yield AuthorValue(key, plain_text(question.prompt_html), here(key))
    elif field == "weight":
        for assessment in course.assessments:
            for question in assessment.questions:
                key = f"question:{question.id}:weight"
                yield AuthorValue(key, repr(question.weight), here(key))
    elif field == "fill-in accepted answers":
        for assessment in course.assessments:
            for question in assessment.questions:
                for index, answer in enumerate(question.accepted):
                    key = f"question:{question.id}:accepted:{index}"
                    yield AuthorValue(key, answer, here(key))
    elif field == "xapi_base":  # reported where the base is set, else at the course id
        yield AuthorValue("xapi_base", course.xapi_base or "", origins.get("xapi_base") or here("id"))
    elif field == "suspend":  # the course as a whole: reported at its lessons list
        yield AuthorValue("lessons", "", here("lessons"))


def check_targets(course: Course, targets: Iterable[str]) -> list[Problem]:
    """Every problem of `course`'s values in the selected targets, located at the author's source.

    The same finding for several targets (e.g. a title too long for both SCORM versions) is one
    problem per target so that a build can refuse exactly the targets concerned.
    """
    problems: list[Problem] = []
    for row in limits_for(targets):
        for value in author_values(course, row.field):
            found = row.problem(value, course)
            if found is not None:
                problems.append(found)
    return problems


def markdown_table(rows: Iterable[Limit] = TABLE) -> str:
    """The table as Markdown, for docs and closing notes."""
    lines = ["| author field | target | lands in | type | max | when over |", "|---|---|---|---|---|---|"]
    for row in rows:
        maximum = "grammar" if row.maximum is None and row.check else (row.maximum if row.maximum else "none")
        lines.append(f"| {row.field} | {row.target} | `{row.lands_in}` | {row.data_type} | {maximum} | "
                     f"{row.action} ({row.source}) |".replace("<=", "≤"))
    return "\n".join(lines) + "\n"
