"""IMS Common Cartridge 1.1 (`--target cc`, a `.imscc` file): the course as the LMS's own
pages and quizzes, for Canvas, Moodle (course restore), Brightspace, Blackboard, Sakai, Schoology.

- `imsmanifest.xml` (CC 1.1 profile of IMS CP 1.2): one organization; an "About this course"
  folder with the completion page, one folder per lesson (its pages, then its knowledge check),
  then the final assessment; LOM metadata with the description and the completion rule.
- each page a `webcontent` HTML document in `wiki_content/` with the course styles and media,
  no JavaScript;
- each knowledge check and the final assessment a QTI 1.2.1 assessment in the CC profile
  (`imsqti_xmlv1p2/imscc_xmlv1p1/assessment`), pools also as one question bank;
- `completion.txt` and the completion page: the rule in plain words, because the LMS applies
  its own completion settings to a cartridge.

CC 1.1 defines five item types (cc_profile values, QTI profile "Rule set 2"); `items_for` maps
ours onto them and `notes` says, per question and with its source location, what changed.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from fractions import Fraction

from lxml import html as lxml_html

from ..errors import Problem, Severity
from ..model import Assessment, Course, Question, QuestionType
from ..render.player import STYLESHEET, runtime_files
from ..resources import manifest_templates
from .base import Files, Standard, xml_id

WEBCONTENT = "webcontent"
ASSESSMENT = "imsqti_xmlv1p2/imscc_xmlv1p1/assessment"
QUESTION_BANK = "imsqti_xmlv1p2/imscc_xmlv1p1/question-bank"
STYLES = "styles/course.css"
PAGES_DIR = "wiki_content"
FILEBASE = "$IMS-CC-FILEBASE$"
MAX_ATTEMPTS = 5  # cc_maxattempts allows 1..5 or "unlimited" (QTI profile rule 1i)
MAX_WEIGHTING = 99  # cc_weighting is an integer 1..99 (rule 2c)

MULTIPLE_CHOICE = "cc.multiple_choice.v0p1"
MULTIPLE_RESPONSE = "cc.multiple_response.v0p1"
TRUE_FALSE = "cc.true_false.v0p1"
FILL_IN = "cc.fib.v0p1"
ESSAY = "cc.essay.v0p1"


@dataclass(frozen=True)
class Choice:
    ident: str
    html: str
    correct: bool = False
    feedback_html: str = ""


@dataclass(frozen=True)
class Item:
    """One QTI item in the CC profile. `weight` is the share of the quiz score as a fraction
    (None: not scored); `weighting` the integer cc_weighting written for it (None: omitted)."""

    ident: str
    title: str
    profile: str
    prompt_html: str
    choices: tuple[Choice, ...] = ()
    accepted: tuple[str, ...] = ()
    case_sensitive: bool = False
    correct_html: str = ""
    incorrect_html: str = ""
    weight: Fraction | None = None
    weighting: int | None = None
    shuffle: bool = False
    part_label: str = ""  # plain text shown after the prompt when one question became several items
    part_html: str = ""

    @property
    def scored(self) -> bool:
        return self.profile != ESSAY


@dataclass(frozen=True)
class Quiz:
    """One QTI file: an assessment (one section of items) or the cartridge's question bank."""

    ident: str
    title: str
    href: str
    resource_id: str
    item_id: str
    intro_html: str
    items: tuple[Item, ...]
    max_attempts: str | None  # "1".."5", "unlimited", or None (not expressible: left to the LMS)
    bank: bool = False


# ---------------------------------------------------------------- question mapping

WHAT_LMS_SHOWS = {
    MULTIPLE_CHOICE: "a multiple-choice question (one answer)",
    MULTIPLE_RESPONSE: "a multiple-answer question",
    TRUE_FALSE: "a true/false question",
    FILL_IN: "a fill-in-the-blank (short answer) question",
    ESSAY: "an essay question, graded by hand (no points)",
}


def _choices(pairs: list[tuple[str, bool]], seed: str) -> tuple[Choice, ...]:
    """Choices c1..cn in a fixed order scrambled by `seed`: for the items a matching or ordering
    question becomes, the authored order would give the answers away (the k-th item is right for
    position k) in an LMS that does not shuffle. Reproducible: the same seed, the same order."""
    choices = [Choice(f"c{i + 1}", html, correct) for i, (html, correct) in enumerate(pairs)]
    return tuple(sorted(choices, key=lambda c: hashlib.sha256(f"{seed}/{c.ident}".encode()).hexdigest()))


def _one_of(ident: str, title: str, choices: tuple[Choice, ...], q: Question, part_label: str = "",
            part_html: str = "", shuffle: bool | None = None) -> Item:
    """A one-answer question: multiple choice with 3+ choices; the profile requires more than
    two labels for that (rule 4d), so a two-choice question uses the true/false structure."""
    profile = MULTIPLE_CHOICE if len(choices) > 2 else TRUE_FALSE
    shuffle = q.shuffle if shuffle is None else shuffle
    return Item(ident, title, profile, q.prompt_html, choices, correct_html=q.feedback.correct_html,
                incorrect_html=q.feedback.incorrect_html, shuffle=shuffle, part_label=part_label,
                part_html=part_html)


def items_for(q: Question, prefix: str) -> tuple[tuple[Item, ...], str]:
    """The CC items for one question and, when the mapping is not one-to-one, what was done.

    Returns (items, note); note is "" for a direct mapping. Item idents are `prefix-questionid`
    (plus `-n` when a question becomes several items), unique in the cartridge.
    """
    ident = xml_id(prefix, q.id)
    title = q.id
    if q.type is QuestionType.SINGLE_CHOICE:
        choices = tuple(Choice(xml_id("o", o.id), o.html, o.correct, o.feedback_html) for o in q.options)
        item = _one_of(ident, title, choices, q)
        note = "" if item.profile == MULTIPLE_CHOICE else (
            "single-choice question with two options exported with the CC true/false structure "
            "(CC multiple choice needs at least three options); the LMS may show it as a true/false question")
        return (item,), note
    if q.type is QuestionType.MULTIPLE_RESPONSE:
        choices = tuple(Choice(xml_id("o", o.id), o.html, o.correct, o.feedback_html) for o in q.options)
        return (Item(ident, title, MULTIPLE_RESPONSE, q.prompt_html, choices, correct_html=q.feedback.correct_html,
                     incorrect_html=q.feedback.incorrect_html, shuffle=q.shuffle),), ""
    if q.type is QuestionType.TRUE_FALSE:
        choices = (Choice("true", "True", q.answer is True), Choice("false", "False", q.answer is False))
        return (Item(ident, title, TRUE_FALSE, q.prompt_html, choices, correct_html=q.feedback.correct_html,
                     incorrect_html=q.feedback.incorrect_html),), ""
    if q.type is QuestionType.FILL_IN:
        return (Item(ident, title, FILL_IN, q.prompt_html, accepted=q.accepted, case_sensitive=q.case_sensitive,
                     correct_html=q.feedback.correct_html, incorrect_html=q.feedback.incorrect_html),), ""
    if q.type is QuestionType.REFLECTION:
        return (Item(ident, title, ESSAY, q.prompt_html, correct_html=q.feedback.correct_html),), ""
    if q.type is QuestionType.MATCHING:
        targets = [p.match_html for p in q.pairs] + list(q.distractors)
        items = tuple(
            _one_of(f"{ident}-{n}", f"{q.id} ({n}/{len(q.pairs)})",
                    _choices([(t, k == index) for k, t in enumerate(targets)], f"{ident}-{n}"), q, "Match:",
                    pair.prompt_html, shuffle=True)
            for n, (index, pair) in enumerate(enumerate(q.pairs), start=1))
        return items, (f"matching question exported as {len(items)} one-answer questions, one per prompt, each "
                       "offering every match (CC 1.1 has no matching type); the LMS scores each prompt "
                       "separately, with the question's weight shared between them")
    if q.type is QuestionType.ORDERING:
        count = len(q.items)
        items = tuple(
            _one_of(f"{ident}-{k}", f"{q.id} ({k}/{count - 1})",
                    _choices([(it.html, j == k - 1) for j, it in enumerate(q.items)], f"{ident}-{k}"), q,
                    f"Which comes in position {k} of {count}?", shuffle=True)
            for k in range(1, count))
        return items, (f"ordering question exported as {len(items)} one-answer questions, one per position "
                       "(the last position follows from the others; CC 1.1 has no ordering type); the LMS "
                       "scores each position separately, with the question's weight shared between them")
    raise ValueError(f"no Common Cartridge mapping for question type {q.type}")  # pragma: no cover


def quiz_items(assessment: Assessment, prefix: str) -> tuple[tuple[Item, ...], list[tuple[Question, str]]]:
    """Every question of the assessment as items with their weights, and the mapping notes."""
    items: list[Item] = []
    notes: list[tuple[Question, str]] = []
    for q in assessment.questions:
        mapped, note = items_for(q, prefix)
        share = Fraction(q.weight).limit_denominator(1000) / len(mapped) if q.graded and assessment.graded else None
        items += [_with_weight(item, share) for item in mapped]
        if note:
            notes.append((q, note))
    return _integer_weightings(tuple(items)), notes


def _with_weight(item: Item, weight: Fraction | None) -> Item:
    from dataclasses import replace

    return replace(item, weight=weight if item.scored else None)


def _integer_weightings(items: tuple[Item, ...]) -> tuple[Item, ...]:
    """cc_weighting for every scored item: the weights scaled by the smallest factor that makes
    them whole numbers; omitted (equal weights in the LMS) when they cannot fit 1..99."""
    from dataclasses import replace

    weights = [i.weight for i in items if i.weight]
    if not weights:
        return items
    factor = math.lcm(*(w.denominator for w in weights))
    scaled = [w * factor for w in weights]
    divisor = math.gcd(*(int(s) for s in scaled))
    if max(scaled) / divisor > MAX_WEIGHTING:
        return items
    return tuple(replace(i, weighting=int(i.weight * factor / divisor)) if i.weight else i for i in items)


# ---------------------------------------------------------------- the cartridge

def max_attempts(course: Course, assessment: Assessment) -> str | None:
    if not assessment.graded:
        return "unlimited"
    attempts = course.completion.attempts
    if attempts == 0:
        return "unlimited"
    return str(attempts) if attempts <= MAX_ATTEMPTS else None


def quizzes(course: Course) -> list[Quiz]:
    """The QTI files: one assessment per knowledge check and the final, then the question bank."""
    result = []
    for assessment in course.assessments:
        items, _ = quiz_items(assessment, assessment.id)
        result.append(Quiz(
            ident=xml_id("quiz", assessment.id), title=assessment.title,
            href=f"assessments/{assessment.id}/assessment.xml", resource_id=xml_id("res-quiz", assessment.id),
            item_id=xml_id("item-quiz", assessment.id), intro_html=_qti_html(course, assessment.intro_html),
            items=tuple(_in_qti(course, i) for i in items), max_attempts=max_attempts(course, assessment)))
    pooled = [q for a in course.assessments for s in a.sections if s.draw is not None for q in s.questions]
    if pooled:
        items = [_in_qti(course, i) for q in pooled for i in items_for(q, "bank")[0]]
        result.append(Quiz(ident=xml_id("bank", course.id), title=f"{course.title}: question pools",
                           href="question_bank/bank.xml", resource_id=xml_id("res-bank", course.id),
                           item_id="", intro_html="", items=tuple(items), max_attempts=None, bank=True))
    return result


def _in_qti(course: Course, item: Item) -> Item:
    from dataclasses import replace

    return replace(item, prompt_html=_qti_html(course, item.prompt_html), part_html=_qti_html(course, item.part_html),
                   choices=tuple(replace(c, html=_qti_html(course, c.html),
                                         feedback_html=_qti_html(course, c.feedback_html)) for c in item.choices),
                   correct_html=_qti_html(course, item.correct_html),
                   incorrect_html=_qti_html(course, item.incorrect_html))


def _qti_html(course: Course, html: str) -> str:
    """Media in quiz text point into the cartridge through $IMS-CC-FILEBASE$ (CC 1.1 §4.4)."""
    return rebase_media(html, {m.href for m in course.media}, f"{FILEBASE}/")


def rebase_media(html: str, media: set[str], prefix: str) -> str:
    """`html` with every src/href naming one of `media` (package-root paths) prefixed by `prefix`."""
    if not html or not media or not any(href in html for href in media):
        return html
    container = lxml_html.fragment_fromstring(html, create_parent="div")
    for el in container.iter():
        for attr in ("src", "href"):
            value = el.get(attr)
            if value and value.split("#", 1)[0] in media:
                el.set(attr, prefix + value)
    inner = (container.text or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in container)
    return inner


@dataclass(frozen=True)
class PageEntry:
    item_id: str
    resource_id: str
    title: str
    href: str


def page_href(lesson_id: str, page_id: str) -> str:
    name = page_id if page_id.startswith(f"{lesson_id}-") else f"{lesson_id}-{page_id}"
    return f"{PAGES_DIR}/{name}.html"


def files(course: Course, content: Files) -> Files:
    """The cartridge: manifest, pages, QTI files, styles, media, completion.txt and the schemas."""
    env = manifest_templates()
    media = {m.href for m in course.media}
    package: Files = {href: content[href] for href in sorted(media)}
    package["completion.txt"] = content["completion.txt"]
    package[STYLES] = runtime_files()[STYLESHEET]
    rule = course.completion.describe(course.final is not None)
    page = env.get_template("cc11/page.html.j2")
    completion_href = f"{PAGES_DIR}/about-completion.html"
    package[completion_href] = page.render(
        course=course, title="How this course is completed", styles=f"../{STYLES}", lesson_title="",
        body_html="", completion=rule, notes=completion_notes(course)).encode("utf-8")
    lessons = []
    for lesson in course.lessons:
        pages = []
        for p in lesson.pages:
            href = page_href(lesson.id, p.id)
            package[href] = page.render(
                course=course, title=p.title, styles=f"../{STYLES}", lesson_title=lesson.title,
                body_html=rebase_media(p.html, media, "../"), completion="", notes=()).encode("utf-8")
            pages.append(PageEntry(xml_id("item", lesson.id, p.id), xml_id("res", lesson.id, p.id), p.title, href))
        lessons.append((lesson, pages))
    all_quizzes = quizzes(course)
    qti = env.get_template("cc11/assessment.xml.j2")
    for quiz in all_quizzes:
        package[quiz.href] = qti.render(quiz=quiz, lang=course.language).encode("utf-8")
    by_assessment = {q.ident: q for q in all_quizzes}
    manifest = env.get_template("cc11/imsmanifest.xml.j2").render(
        course=course, manifest_id=xml_id("cc", course.id), organization_id=xml_id("org", course.id),
        root_id=xml_id("root", course.id), description=" ".join(course.description.split()), completion=rule,
        completion_page=PageEntry(xml_id("item", "about-completion"), xml_id("res", "about-completion"),
                                  "How this course is completed", completion_href),
        lessons=[(lesson, pages, by_assessment.get(xml_id("quiz", lesson.check.id)) if lesson.check else None)
                 for lesson, pages in lessons],
        final=by_assessment.get(xml_id("quiz", course.final.id)) if course.final else None,
        quizzes=all_quizzes, media=sorted(media), files_id=xml_id("res-files", course.id),
        shared_files=[STYLES, "completion.txt", *sorted(media)],
    )
    package["imsmanifest.xml"] = manifest.encode("utf-8")
    return dict(sorted(package.items()))


def completion_notes(course: Course) -> tuple[str, ...]:
    """What an LMS does with the cartridge's quizzes that differs from the packaged course."""
    notes = [
        "The LMS applies its own completion and grading settings to the imported pages and quizzes; "
        "set them as described here.",
    ]
    if course.final is not None and course.final.graded:
        notes.append(f"Passing score of the final assessment: {course.completion.mastery_score}% "
                     "(Common Cartridge 1.1 has no field for it: set it in the LMS).")
        attempts = max_attempts(course, course.final)
        if attempts is None:
            notes.append(f"Attempts allowed at the final assessment: {course.completion.attempts} "
                         "(more than a cartridge can state: set it in the LMS).")
    if any(not a.graded for a in course.assessments):
        notes.append("Knowledge checks are practice: the LMS imports them as quizzes; make them ungraded "
                     "(practice) quizzes so they do not count toward the grade.")
    if any(s.draw is not None for a in course.assessments for s in a.sections):
        notes.append("Questions drawn at random from a pool are all in the quiz (Common Cartridge 1.1 cannot draw "
                     "at random) and also in the question bank, from which a quiz can draw in the LMS.")
    return tuple(notes)


def notes(course: Course) -> list[Problem]:
    """Build messages: each question the cartridge exports differently, and pools, located."""
    found: list[Problem] = []
    for assessment in course.assessments:
        _, mapped = quiz_items(assessment, assessment.id)
        for q, note in mapped:
            file, _, line = q.source.rpartition(":")
            found.append(Problem(file or q.source, f"Common Cartridge: {note}", int(line) if line.isdigit() else None,
                                 f"question {q.id}", severity=Severity.WARNING))
        for section in assessment.sections:
            if section.draw is not None and section.questions:
                first = section.questions[0].source
                file, _, line = first.rpartition(":")
                found.append(Problem(
                    file or first, f"Common Cartridge: pool '{section.id}' draws {section.draw} of "
                    f"{len(section.questions)} questions at random; a CC 1.1 assessment cannot draw, so all "
                    f"{len(section.questions)} are in quiz '{assessment.id}' and in the cartridge's question bank",
                    int(line) if line.isdigit() else None, f"pool {section.id}",
                    "to draw at random in the LMS, build the quiz from the imported question bank",
                    Severity.WARNING))
        if assessment.graded:
            items, _ = quiz_items(assessment, assessment.id)
            if any(i.weight and i.weighting is None for i in items):
                found.append(Problem("course.yaml", f"Common Cartridge: the question weights of '{assessment.id}' do "
                                     f"not fit cc_weighting (whole numbers 1..{MAX_WEIGHTING}); the LMS weighs its "
                                     "questions equally", None, "final_assessment",
                                     "use small whole-number weights", Severity.WARNING))
    if course.final is not None and course.final.graded and max_attempts(course, course.final) is None:
        found.append(Problem("course.yaml", f"Common Cartridge: {course.completion.attempts} attempts cannot be "
                             f"stated in a cartridge (1 to {MAX_ATTEMPTS} or unlimited); the quiz leaves it to the LMS",
                             None, "completion.attempts", "set the attempts in the LMS's quiz settings",
                             Severity.WARNING))
    return found


STANDARD = Standard(name="cc", title="IMS Common Cartridge 1.1", files=files, suspend_limit=None,
                    extension="imscc", notes=notes)
