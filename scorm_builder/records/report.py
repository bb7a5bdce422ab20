"""`records report`: how a cohort is doing and which questions work, from the records database.

    build_report(store, course, ...)  -> Report   the statistics (typed, JSON-ready dataclasses)
    render_html(report)               -> str      one self-contained accessible page (report.html.j2)
    write_json(report, out), write_csv(report, out)

The database is read in three streams, never all at once: the records (one row per learner and
registration), and the item rows (questions answered, pages experienced) ordered by learner, so
that one learner's rows are folded at a time into per-question arrays of small integers. Memory
grows with learners x questions shown (a few bytes each), not with statements.

What each figure means (see stats.py for the formulas and their sources):

- **cohort**: the records of the course, learner and registration, whose first launch falls in
  [--from, --to]; every figure counts records ("learners") of that cohort.
- **funnel**: launched (every record) -> each lesson reached (a page of it experienced) -> final
  attempted (a graded attempt) -> passed ->
  completed (earned: what the course's completion rule requires). **Where learners stop**: for
  each record not earned, the furthest stage it reached.
- **attempts to pass**: the graded attempts of each passed record; **final score**: each
  record's best score (0..100 %), its last with `completion.score: last`; **time to complete**: `total_seconds` of each earned record.
- **time per lesson** (an estimate, a lower bound): the gaps between a learner's consecutive
  pages shown in one session, each gap counted to the lesson of the earlier page (the time on a
  knowledge check falls between two pages and counts to its lesson); gaps over 30 minutes are
  breaks and count nothing; the time on the very last page shown is not known.
- **item analysis**: per question, each learner's *first* attempt at the final (for a knowledge
  check question, the learner's first answer): p, the corrected point-biserial r against the
  rest of that final attempt, and Kelley's upper-lower D with groups formed on the final's first
  attempt (proportion correct); choice counts per option, in the upper and lower groups too.
- **reliability**: KR-20 of the final's first attempts, over the learners who answered every
  question of it, when at least `SMALL` did and the final draws no questions from pools.
- **objective mastery**: a learner shows mastery of an objective when, in their latest attempt
  at the final, the share of that objective's questions answered correctly reaches the course's
  mastery score.
- **reflections**: counted only; their text appears only with include_responses (likewise the
  text of fill-in answers).
"""
from __future__ import annotations

import csv
import json
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import IO

from sqlalchemy import and_, case, func, select

from ..model import Course, Question, QuestionType
from . import schema, stats
from .errors import RecordsError
from .store import Store

FORMAT = "scorm-builder-report/1"
BREAK_SECONDS = 30 * 60
LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CHOICE_SEPARATOR = "[,]"
TOP_RESPONSES = 5
SCORE_BINS = tuple(range(0, 100, 10))  # 0-9, 10-19, ..., 90-100 (%)


# --- the report, as data ------------------------------------------------------------------------------------


@dataclass
class Stage:
    label: str
    learners: int
    of: int  # the number it is a share of (the launched learners)
    small: bool


@dataclass
class Count:
    label: str
    learners: int


@dataclass
class Option:
    label: str  # A, B, ... (course order); True/False for a true-false question
    id: str
    text: str
    correct: bool
    chosen: int
    share: float | None  # of the learners who answered
    upper: int  # chosen in Kelley's upper group
    lower: int


@dataclass
class ItemStat:
    ref: str  # Q1, Q2, ... in course order
    question_id: str
    iri: str
    assessment: str  # the assessment's title
    final: bool
    type: str
    prompt: str  # plain text, shortened
    objective: str | None
    n: int  # learners whose answer counts (see the module docstring)
    correct: int
    p: float | None
    r: float | None  # corrected point-biserial (final questions), point-biserial vs the final (checks)
    d: float | None  # upper-lower index
    upper_n: int
    lower_n: int
    options: list[Option] = field(default_factory=list)
    responses: list[Count] = field(default_factory=list)  # other types: the most frequent answers
    flags: list[str] = field(default_factory=list)
    small: bool = False


@dataclass
class Reliability:
    n: int
    k: int
    kr20: float | None
    note: str


@dataclass
class ObjectiveStat:
    id: str
    text: str
    assessed: int
    mastered: int
    small: bool


@dataclass
class LessonTime:
    lesson: str
    title: str
    seconds: stats.Spread


@dataclass
class Reflection:
    question_id: str
    assessment: str
    prompt: str
    learners: int
    responses: list[str]  # empty unless include_responses


@dataclass
class Report:
    format: str
    generated_at: str
    course_iri: str
    course_id: str
    title: str
    filters: dict
    small: int
    mastery_score: int
    learners: int
    funnel: list[Stage]
    stops: list[Count]
    attempts_to_pass: list[Count]
    passed: int
    attempted: int
    scores: list[Count]  # final score bins, the reported score per record (see score_rule)
    score_rule: str  # best | last (the course's completion.score)
    score_spread: stats.Spread  # percent
    time_to_complete: stats.Spread  # seconds
    lesson_times: list[LessonTime]
    items: list[ItemStat]
    reliability: Reliability
    objectives: list[ObjectiveStat]
    reflections: list[Reflection]
    include_responses: bool

    def to_dict(self) -> dict:
        return asdict(self)


# --- the course's map: which IRI is which lesson, question, objective ---------------------------------------


@dataclass(frozen=True)
class Place:
    """What an item IRI is in the course: a page or question, its lesson (None: the final)."""

    lesson: int | None
    question: Question | None = None
    ref: str = ""


def course_map(course: Course, iris) -> dict[str, Place]:
    places: dict[str, Place] = {}
    number = 0
    for index, lesson in enumerate(course.lessons):
        for page in lesson.pages:
            places[iris.page(page.id)] = Place(index)
        for q in (lesson.check.questions if lesson.check else ()):
            if q.type is not QuestionType.REFLECTION:
                number += 1
            places[iris.question(q.id)] = Place(index, q, f"Q{number}" if q.type is not QuestionType.REFLECTION else "")
    for q in (course.final.questions if course.final else ()):
        if q.type is not QuestionType.REFLECTION:
            number += 1
        places[iris.question(q.id)] = Place(None, q, f"Q{number}" if q.type is not QuestionType.REFLECTION else "")
    return places


def options_of(q: Question) -> list[tuple[str, str, str, bool]]:
    """(label, response id, text, correct) of a choice or true-false question, in course order."""
    from ..xapi.text import plain_text, short_text

    if q.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        return [(LABELS[i % 26], o.id, short_text(plain_text(o.html), 80), o.correct) for i, o in enumerate(q.options)]
    if q.type is QuestionType.TRUE_FALSE:
        return [("True", "true", "True", q.answer is True), ("False", "false", "False", q.answer is False)]
    return []


# --- reading the database -----------------------------------------------------------------------------------


class Answers:
    """One question's answers that count, as parallel arrays (learner index, 0/1, response code)."""

    def __init__(self) -> None:
        self.learner = array("i")
        self.correct = array("b")
        self.response = array("i")
        self.codes: dict[str, int] = {}

    def add(self, learner: int, correct: bool, response: str | None) -> None:
        self.learner.append(learner)
        self.correct.append(1 if correct else 0)
        self.response.append(self.codes.setdefault(response or "", len(self.codes)))


@dataclass
class Cohort:
    """What the streams leave behind: small per-learner and per-question arrays."""

    final_correct: array = field(default_factory=lambda: array("i"))  # per final-taker: first-attempt correct
    final_shown: array = field(default_factory=lambda: array("i"))  # ... and graded questions shown
    answers: dict[str, Answers] = field(default_factory=dict)  # question IRI -> answers that count
    complete: list[bytes] = field(default_factory=list)  # first attempts that answered every final question
    reached: Counter = field(default_factory=Counter)  # lesson index -> learners
    furthest: dict[tuple[str, str], int] = field(default_factory=dict)  # record -> furthest lesson index
    lesson_seconds: dict[int, list[float]] = field(default_factory=dict)  # lesson -> seconds per learner
    mastery: Counter = field(default_factory=Counter)  # objective -> learners who showed mastery
    assessed: Counter = field(default_factory=Counter)
    reflections: Counter = field(default_factory=Counter)  # question IRI -> learners
    reflection_texts: dict[str, list[str]] = field(default_factory=dict)


def _cohort_records(start: datetime | None, end: datetime | None, course_iri: str):
    R = schema.records
    where = [R.c.course_iri == course_iri]
    if start is not None:
        where.append(R.c.first_launch_at >= start)
    if end is not None:
        where.append(R.c.first_launch_at < end)
    return R, and_(*where)


REFLECTION, FINAL, CHECK = 1, 2, 3


def question_kinds(places: dict[str, Place]) -> dict[str, tuple[int, str | None]]:
    """Question IRI -> (REFLECTION | FINAL | CHECK, objective) for the questions the report counts."""
    found = {}
    for iri, place in places.items():
        q = place.question
        if q is None:
            continue
        if q.type is QuestionType.REFLECTION:
            found[iri] = (REFLECTION, q.objective)
        elif q.graded:
            found[iri] = (FINAL if place.lesson is None else CHECK, q.objective)
    return found


def _answers_of(cohort: Cohort, iri: str) -> Answers:
    found = cohort.answers.get(iri)
    if found is None:
        found = cohort.answers[iri] = Answers()
    return found


def _fold(rows: list, kinds: dict[str, tuple[int, str | None]], final_refs: list[str], cohort: Cohort,
          mastery: float, include_responses: bool) -> None:
    """One record's answers (time order: question IRI, response, success, attempt) into the arrays."""
    first: dict[int, dict[str, tuple[bool, str | None]]] = {}  # attempt -> final question -> last answer
    checks: dict[str, tuple[bool, str | None]] = {}
    reflected: dict[str, str | None] = {}
    for iri, response, success, attempt in rows:
        kind = kinds.get(iri)
        if kind is None:
            continue
        if kind[0] == FINAL:
            attempt = attempt or 1
            found = first.get(attempt)
            if found is None:
                found = first[attempt] = {}
            found[iri] = (bool(success), response)
        elif kind[0] == CHECK:
            if iri not in checks:
                checks[iri] = (bool(success), response)
        else:
            reflected[iri] = response
    taken = None
    if first:
        attempts = sorted(first)
        graded = first[attempts[0]]
        taken = len(cohort.final_correct)
        cohort.final_correct.append(sum(ok for ok, _ in graded.values()))
        cohort.final_shown.append(len(graded))
        if final_refs and len(graded) == len(final_refs) and all(iri in graded for iri in final_refs):
            cohort.complete.append(bytes(graded[iri][0] for iri in final_refs))
        for iri, (ok, response) in graded.items():
            _answers_of(cohort, iri).add(taken, ok, response)
        by_objective: dict[str, list[int]] = {}
        for iri, (ok, _) in first[attempts[-1]].items():
            objective = kinds[iri][1]
            if objective:
                tally = by_objective.get(objective)
                if tally is None:
                    tally = by_objective[objective] = [0, 0]
                tally[0] += ok
                tally[1] += 1
        for objective, (right, shown) in by_objective.items():
            cohort.assessed[objective] += 1
            if right / shown * 100 >= mastery:
                cohort.mastery[objective] += 1
    for iri, (ok, response) in checks.items():
        _answers_of(cohort, iri).add(-1 if taken is None else taken, ok, response)
    for iri, response in reflected.items():
        cohort.reflections[iri] += 1
        if include_responses and response:
            cohort.reflection_texts.setdefault(iri, []).append(response)


def _items_query(columns: list, course_iri: str, start, end):
    """SELECT `columns` FROM the course's non-voided items (of the cohort's records, with dates)."""
    I = schema.items
    query = select(*columns).where(I.c.course_iri == course_iri, I.c.voided_by.is_(None))
    if start is not None or end is not None:
        R, where = _cohort_records(start, end, course_iri)
        query = query.join(R, and_(R.c.course_iri == I.c.course_iri, R.c.learner_key == I.c.learner_key,
                                   R.c.registration == I.c.registration)).where(where)
    return query


def _seconds_between(dialect: str, later, earlier):
    """SQL for the seconds from `earlier` to `later` (timestamps): SQLite keeps them as text."""
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return func.extract("epoch", later - earlier)


def _read_reach(store: Store, course_iri: str, start, end, places: dict[str, Place],
                groups: dict[str, int | None], cohort: Cohort) -> dict[tuple[str, str], int]:
    """Lessons reached and time per lesson from the pages shown, summed in SQL per learner and
    lesson: each gap to the learner's next page (LEAD), when both are of the same session and it
    is at most BREAK_SECONDS, counts to the lesson of the earlier page (so the time on a lesson's
    knowledge check counts to it). The furthest lesson reached per record."""
    I = schema.items
    group = func.coalesce(I.c.parent_iri, I.c.activity_iri).label("grp")
    window = {"partition_by": (I.c.learner_key, I.c.registration), "order_by": I.c.timestamp}  # the index's order
    inner = _items_query([I.c.learner_key, I.c.registration, group, I.c.timestamp.label("ts"), I.c.session_id,
                          func.lead(I.c.timestamp).over(**window).label("next_ts"),
                          func.lead(I.c.session_id).over(**window).label("next_session")],
                         course_iri, start, end).where(I.c.verb == "experienced").subquery()
    gap = _seconds_between(store.dialect, inner.c.next_ts, inner.c.ts)
    counted = and_(inner.c.next_session.is_not_distinct_from(inner.c.session_id), gap >= 0, gap <= BREAK_SECONDS)
    spent = func.sum(case((counted, gap), else_=0.0))
    query = (select(inner.c.learner_key, inner.c.registration, inner.c.grp, spent)
             .group_by(inner.c.learner_key, inner.c.registration, inner.c.grp)
             .order_by(inner.c.learner_key, inner.c.registration))
    furthest: dict[tuple[str, str], int] = {}
    key, lessons, seconds = None, set(), {}

    def close() -> None:
        for lesson in lessons:
            cohort.reached[lesson] += 1
        for lesson, total in seconds.items():
            if total > 0:
                cohort.lesson_seconds.setdefault(lesson, []).append(total)
        if lessons:
            furthest[key] = max(lessons)

    with store.engine.connect() as conn:
        for learner, registration, grp, total in conn.execution_options(yield_per=5000).execute(query):
            if (learner, registration) != key:
                if key is not None:
                    close()
                key, lessons, seconds = (learner, registration), set(), {}
            lesson = groups[grp] if grp in groups else places[grp].lesson if grp in places else None
            if lesson is not None:
                lessons.add(lesson)
                seconds[lesson] = round(seconds.get(lesson, 0.0) + float(total or 0), 3)  # julianday: ~1e-6 s error
        if key is not None:
            close()
    return furthest


def _read_answers(store: Store, course_iri: str, start, end, kinds, final_refs, cohort: Cohort, mastery: float,
                  include_responses: bool, batch: int = 5000) -> None:
    """Stream the cohort's answers ordered by learner; fold one learner's at a time."""
    I = schema.items
    query = (_items_query([I.c.learner_key, I.c.registration, I.c.activity_iri, I.c.response, I.c.success,
                           I.c.attempt], course_iri, start, end)
             .where(I.c.verb == "answered")
             .order_by(I.c.learner_key, I.c.registration, I.c.timestamp))  # the index's order: no sort
    key, rows = None, []
    with store.engine.connect() as conn:
        for learner, registration, *row in conn.execution_options(yield_per=batch).execute(query):
            if (learner, registration) != key:
                if rows:
                    _fold(rows, kinds, final_refs, cohort, mastery, include_responses)
                key, rows = (learner, registration), []
            rows.append(row)
        if rows:
            _fold(rows, kinds, final_refs, cohort, mastery, include_responses)


# --- the statistics ----------------------------------------------------------------------------------------


def _item_stat(q: Question, place: Place, iri: str, assessment: str, answers: Answers | None, cohort: Cohort,
               groups: stats.Groups, small: int, include_responses: bool) -> ItemStat:
    from ..xapi.text import plain_text, short_text

    final = place.lesson is None
    n = len(answers.learner) if answers else 0
    correct = sum(answers.correct) if answers else 0
    p = stats.proportion(correct, n)
    r = d = None
    upper_n = lower_n = 0
    decoded: dict[int, str] = {}
    taker: list[int] = []
    if answers:
        decoded = {code: text for text, code in answers.codes.items()}
        taker = list(answers.learner)  # the learner's index among final takers, -1 for none
        pairs = [(ok, t) for ok, t in zip(answers.correct, taker) if t >= 0]
        if final:
            r = stats.corrected_point_biserial([ok for ok, _ in pairs], [cohort.final_correct[t] for _, t in pairs],
                                               [cohort.final_shown[t] for _, t in pairs])
        else:
            r = stats.pearson([ok for ok, _ in pairs],
                              [cohort.final_correct[t] / cohort.final_shown[t] for _, t in pairs])
        by_taker = {t: ok for ok, t in pairs}
        column = [by_taker.get(i) for i in range(len(cohort.final_correct))]
        d = stats.discrimination_index(column, groups)
        upper_n = sum(1 for t in by_taker if t in groups.upper)
        lower_n = sum(1 for t in by_taker if t in groups.lower)
    options: list[Option] = []
    responses: list[Count] = []
    if answers and options_of(q):
        chosen, up, down = Counter(), Counter(), Counter()
        for code, t in zip(answers.response, taker):
            for part in (decoded[code].split(CHOICE_SEPARATOR) if decoded[code] else []):
                chosen[part] += 1
                if t in groups.upper:
                    up[part] += 1
                elif t in groups.lower:
                    down[part] += 1
        options = [Option(label, oid, text, ok, chosen[oid], stats.proportion(chosen[oid], n), up[oid], down[oid])
                   for label, oid, text, ok in options_of(q)]
    elif answers and (q.type is not QuestionType.FILL_IN or include_responses):
        counted = Counter()
        for code in answers.response:
            counted[code] += 1
        responses = [Count(decoded[code] or "(empty)", count) for code, count in counted.most_common(TOP_RESPONSES)]
    stronger = None
    wrong = [o for o in options if not o.correct]
    if wrong and upper_n and lower_n:
        lead = max(wrong, key=lambda o: (o.upper / upper_n - o.lower / lower_n, -LABELS.find(o.label[0])))
        if lead.upper / upper_n > lead.lower / lower_n:
            stronger = lead.label
    rare = [(o.label, o.share) for o in wrong if o.share is not None and o.share < stats.RARE_DISTRACTOR]
    if q.type is QuestionType.TRUE_FALSE:
        rare = []  # the one wrong answer of a true-false question is not a distractor to rewrite
    return ItemStat(
        ref=place.ref, question_id=q.id, iri=iri, assessment=assessment, final=final, type=q.type.value,
        prompt=short_text(plain_text(q.prompt_html), 120), objective=q.objective, n=n, correct=correct, p=p, r=r,
        d=d, upper_n=upper_n, lower_n=lower_n, options=options, responses=responses,
        flags=stats.item_flags(n, p, r, d, small=small, stronger_chose=stronger, rare=rare), small=n < small)


def build_report(store: Store, course: Course, *, base: str | None = None, start: datetime | None = None,
                 end: datetime | None = None, include_responses: bool = False, small: int = stats.SMALL,
                 filters: dict | None = None) -> Report:
    """The statistics of `course`'s records in `store` (learners first launched in [start, end))."""
    from ..xapi import iris_for
    from ..xapi.text import plain_text, short_text

    iris = iris_for(course, base)
    places = course_map(course, iris)
    final_refs = [iris.question(q.id) for q in (course.final.questions if course.final else ()) if q.graded]
    pooled = course.final is not None and any(s.draw is not None for s in course.final.sections)
    mastery = course.completion.mastery_score

    # 1. the records: funnel tail, attempts, scores, time to complete
    R, where = _cohort_records(start, end, iris.course)
    learners = attempted = passed = earned = 0
    to_pass: Counter = Counter()
    scores: list[float] = []
    seconds: list[float] = []
    states: dict[tuple[str, str], tuple[bool, bool, bool]] = {}  # record -> (attempted, passed, earned)
    score_rule = "last" if getattr(course.completion, "score", "best") == "last" else "best"
    reported = R.c.last_score if score_rule == "last" else R.c.best_score
    query = select(R.c.learner_key, R.c.registration, R.c.result, R.c.earned, R.c.attempts, reported,
                   R.c.total_seconds).where(where)
    with store.engine.connect() as conn:
        for key, reg, result, was_earned, attempts, best, total in conn.execution_options(yield_per=2000).execute(query):
            learners += 1
            attempted += attempts > 0
            passed += result == "passed"
            earned += bool(was_earned)
            if result == "passed":
                to_pass[attempts] += 1
            if best is not None and attempts > 0:
                scores.append(best * 100)
            if was_earned and total is not None:
                seconds.append(total)
            if not was_earned:
                states[(key, reg)] = (attempts > 0, result == "passed", False)

    # 2. the items
    cohort = Cohort()
    groups: dict[str, int | None] = {iris.lesson(lesson.id): i for i, lesson in enumerate(course.lessons)}
    groups.update({iris.assessment(lesson.check.id): i for i, lesson in enumerate(course.lessons) if lesson.check})
    if course.final is not None:
        groups[iris.assessment(course.final.id)] = None
    furthest = _read_reach(store, iris.course, start, end, places, groups, cohort)
    _read_answers(store, iris.course, start, end, question_kinds(places), final_refs, cohort, mastery,
                  include_responses)

    def is_small(count: int) -> bool:
        return count < small

    funnel = [Stage("Launched", learners, learners, is_small(learners))]
    funnel += [Stage(f"Lesson {i + 1} reached: {lesson.title}", cohort.reached[i], learners, is_small(learners))
               for i, lesson in enumerate(course.lessons)]
    if course.final is not None:
        funnel.append(Stage("Final assessment attempted", attempted, learners, is_small(learners)))
        funnel.append(Stage("Final assessment passed", passed, learners, is_small(learners)))
    funnel.append(Stage("Completed (course requirements met)", earned, learners, is_small(learners)))

    stop_counts: Counter = Counter()
    for key, (tried, was_passed, _) in states.items():
        if was_passed:
            stop_counts["after passing the final, before the course's other requirements"] += 1
        elif tried:
            stop_counts["at the final assessment (attempted, not passed)"] += 1
        elif key in furthest:
            index = furthest[key]
            stop_counts[f"in lesson {index + 1}: {course.lessons[index].title}"] += 1
        else:
            stop_counts["before the first page"] += 1
    order = ["before the first page"] + [f"in lesson {i + 1}: {lesson.title}" for i, lesson in enumerate(course.lessons)]
    order += ["at the final assessment (attempted, not passed)",
              "after passing the final, before the course's other requirements"]
    stops = [Count(label, stop_counts[label]) for label in order if stop_counts[label]]

    top = max(to_pass) if to_pass else 0
    attempts_to_pass = [Count(str(k), to_pass[k]) for k in range(1, top + 1)]
    bins = Counter(min(int(s // 10) * 10, 90) for s in scores)
    score_bins = [Count(f"{b}–{b + 9}%" if b < 90 else "90–100%", bins[b]) for b in SCORE_BINS]

    lesson_times = []
    for i, lesson in enumerate(course.lessons):
        lesson_times.append(LessonTime(lesson.id, lesson.title, stats.spread(cohort.lesson_seconds.get(i, []))))

    # 3. item analysis
    groups = stats.upper_lower_groups([c / s for c, s in zip(cohort.final_correct, cohort.final_shown)])
    items: list[ItemStat] = []
    reflections: list[Reflection] = []
    assessments = [(lesson.check, i) for i, lesson in enumerate(course.lessons) if lesson.check]
    if course.final:
        assessments.append((course.final, None))
    for assessment, _ in assessments:
        for q in assessment.questions:
            iri = iris.question(q.id)
            if q.type is QuestionType.REFLECTION:
                reflections.append(Reflection(q.id, assessment.title, short_text(plain_text(q.prompt_html), 120),
                                              cohort.reflections[iri], cohort.reflection_texts.get(iri, [])))
            elif q.graded:
                items.append(_item_stat(q, places[iri], iri, assessment.title, cohort.answers.get(iri), cohort,
                                        groups, small, include_responses))

    k = len(final_refs)
    if course.final is None or not k:
        reliability = Reliability(0, 0, None, "the course has no graded final assessment")
    elif pooled:
        reliability = Reliability(0, k, None, "not computed: the final draws questions from pools, so learners "
                                              "answer different sets")
    elif len(cohort.complete) < small:
        reliability = Reliability(len(cohort.complete), k, None,
                                  f"not computed: {len(cohort.complete)} learner(s) answered every question of the "
                                  f"final in their first attempt; it needs at least {small}")
    else:
        value = stats.kr20([list(row) for row in cohort.complete])
        reliability = Reliability(len(cohort.complete), k, value,
                                  "KR-20 (= Cronbach's alpha for right/wrong items) over first attempts" if value
                                  is not None else "not computed: every learner had the same total")

    objectives = [ObjectiveStat(o.id, short_text(o.text, 120), cohort.assessed[o.id], cohort.mastery[o.id],
                                is_small(cohort.assessed[o.id])) for o in course.objectives]
    return Report(
        format=FORMAT, generated_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        course_iri=iris.course, course_id=course.id, title=course.title, filters=filters or {}, small=small,
        mastery_score=mastery, learners=learners, funnel=funnel, stops=stops, attempts_to_pass=attempts_to_pass,
        passed=passed, attempted=attempted, scores=score_bins, score_rule=score_rule, score_spread=stats.spread(scores),
        time_to_complete=stats.spread(seconds), lesson_times=lesson_times, items=items, reliability=reliability,
        objectives=objectives, reflections=reflections, include_responses=include_responses)



# --- JSON and CSV -------------------------------------------------------------------------------------------


def write_json(report: Report, out: IO[str]) -> None:
    """The report as one JSON object (`format` scorm-builder-report/1): every figure with its n."""
    json.dump(report.to_dict(), out, ensure_ascii=False, indent=1)
    out.write("\n")


CSV_COLUMNS = ("section", "subject", "measure", "value", "n", "small_group")


def csv_rows(report: Report) -> Iterator[tuple]:
    """(section, subject, measure, value, n, small_group) rows: the same figures as the page."""
    small = report.small

    def flag(n: int) -> str:
        return "yes" if n < small else ""

    yield ("cohort", report.course_id, "learners", report.learners, report.learners, flag(report.learners))
    for stage in report.funnel:
        yield ("funnel", stage.label, "learners", stage.learners, stage.of, flag(stage.of))
    not_earned = sum(c.learners for c in report.stops)
    for stop in report.stops:
        yield ("stops", stop.label, "learners", stop.learners, not_earned, flag(not_earned))
    for count in report.attempts_to_pass:
        yield ("attempts_to_pass", count.label, "learners", count.learners, report.passed, flag(report.passed))
    scored = report.score_spread.n
    for count in report.scores:
        yield ("final_score", count.label, "learners", count.learners, scored, flag(scored))
    for name, spread_ in (("final_score_percent", report.score_spread), ("time_to_complete_seconds",
                                                                          report.time_to_complete)):
        for measure in ("median", "q1", "q3", "low", "high"):
            yield ("spread", name, measure, _num(getattr(spread_, measure)), spread_.n, flag(spread_.n))
    for lesson in report.lesson_times:
        for measure in ("median", "q1", "q3", "low", "high"):
            yield ("lesson_seconds", lesson.title, measure, _num(getattr(lesson.seconds, measure)), lesson.seconds.n,
                   flag(lesson.seconds.n))
    for item in report.items:
        for measure, value in (("difficulty_p", item.p), ("point_biserial_r", item.r), ("discrimination_d", item.d)):
            yield ("item", item.question_id, measure, _num(value), item.n, flag(item.n))
        for option in item.options:
            yield ("item", item.question_id, f"option {option.label} chosen", option.chosen, item.n, flag(item.n))
        for response in item.responses:
            yield ("item", item.question_id, f"response {response.label}", response.learners, item.n, flag(item.n))
        for text in item.flags:
            yield ("item", item.question_id, "flag", text, item.n, flag(item.n))
    rel = report.reliability
    yield ("reliability", "final", "kr20", _num(rel.kr20) if rel.kr20 is not None else rel.note, rel.n, flag(rel.n))
    for objective in report.objectives:
        yield ("objective", objective.id, "mastered", objective.mastered, objective.assessed, flag(objective.assessed))
    for reflection in report.reflections:
        yield ("reflection", reflection.question_id, "learners", reflection.learners, reflection.learners, "")


def _num(value: float | None) -> float | str:
    return "" if value is None else round(value, 4)


def write_csv(report: Report, out: IO[str]) -> None:
    """The figures as CSV (UTF-8 with BOM, CRLF, spreadsheet-safe: see export.py)."""
    from .export import FORMULA_STARTS

    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in csv_rows(report):
        writer.writerow(["'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell
                         for cell in row])


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page: inline CSS, inline SVG charts, no script, no
    request (its Content-Security-Policy forbids any). Every chart has a table of its figures."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    from .certificate import TEMPLATES

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False)
    return env.get_template("report.html.j2").render(r=report, charts=make_charts(report))


def _short_stage(label: str) -> str:
    return label.split(":")[0].replace(" (course requirements met)", "").replace("Final assessment ", "Final ")


def make_charts(report: Report) -> dict:
    """The page's charts (inline SVG Markup), each with a title and a text alternative."""
    from importlib.util import find_spec

    if find_spec("matplotlib") is None:
        raise RecordsError("--format html", "the charts need matplotlib, which is not installed",
                           "pip install 'scorm-builder[report]', or write --format json or csv")
    from . import charts

    found: dict = {}
    stages = report.funnel
    found["funnel"] = charts.hbar(
        "chart-funnel", "Completion funnel", "Learners at each stage: " + "; ".join(
            f"{s.label}: {s.learners}" for s in stages) + ".",
        [_short_stage(s.label) for s in stages], [s.learners for s in stages],
        [f"{s.learners} ({stats.percent(s.learners / s.of if s.of else None)})" for s in stages], "learners")
    if report.attempts_to_pass:
        found["attempts"] = charts.vbar(
            "chart-attempts", "Attempts needed to pass", "Learners who passed, by attempts: " + "; ".join(
                f"{c.label} attempt(s): {c.learners}" for c in report.attempts_to_pass) + ".",
            [c.label for c in report.attempts_to_pass], [c.learners for c in report.attempts_to_pass],
            "graded attempts", "learners")
    if report.score_spread.n:
        found["scores"] = charts.vbar(
            "chart-scores", "Final assessment scores", f"Learners per {report.score_rule}-score band (pass mark "
            f"{report.mastery_score}%): " + "; ".join(f"{c.label}: {c.learners}" for c in report.scores) + ".",
            [c.label.replace("–", "-") for c in report.scores], [c.learners for c in report.scores],
            f"{report.score_rule} score", "learners")
    timed = [t for t in report.lesson_times if t.seconds.n]
    found["lessons"] = charts.boxes(
        "chart-lessons", "Minutes per lesson", "Minutes per learner in each lesson, median and middle half: " + "; ".join(
            f"lesson {i + 1}: median {t.seconds.median / 60:.1f}, {t.seconds.q1 / 60:.1f} to {t.seconds.q3 / 60:.1f}"
            if t.seconds.n else f"lesson {i + 1}: no measure" for i, t in enumerate(report.lesson_times)) + ".",
        [f"Lesson {report.lesson_times.index(t) + 1}" for t in timed], [t.seconds for t in timed], 60, "minutes")
    answered = [i for i in report.items if i.p is not None and i.final]  # the checks: in the table
    if answered:
        found["items"] = charts.hbar(
            "chart-items", "Share correct per final question", "Share of learners answering correctly: " + "; ".join(
                f"{i.ref}: {stats.percent(i.p)} of {i.n}" for i in answered) + ".",
            [i.ref for i in answered], [i.p * 100 for i in answered],
            [stats.percent(i.p) + (" !" if i.flags else "") for i in answered], "% correct (! = flagged)",
            xmax=112, marks=((stats.VERY_HARD * 100, "30%"), (stats.VERY_EASY * 100, "90%")))
    else:
        found["items"] = None
    return found
