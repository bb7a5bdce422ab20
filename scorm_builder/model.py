"""The typed course model: what loading produces and every later stage reads.

Everything here is immutable and already checked; HTML fields hold sanitised markup
rendered from the author's Markdown.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


class CompletionRule(str, Enum):
    """What the learner must do for the course to count as finished."""

    ALL_PAGES = "all-pages"  # every page of every lesson viewed
    ASSESSMENT = "assessment"  # the final assessment passed
    BOTH = "both"  # both of the above


class ReportAs(str, Enum):
    """How the final result is reported as SCORM status, as the pair "on pass-on fail" (the
    Articulate-style choice). `passed-failed` is the plain SCORM reading; `passed-incomplete`
    keeps a learner who failed every attempt from ever looking complete to an LMS that counts
    "completed" as done (Moodle's "Require status" with "Completed" checked)."""

    PASSED_FAILED = "passed-failed"
    PASSED_INCOMPLETE = "passed-incomplete"
    COMPLETED_FAILED = "completed-failed"
    COMPLETED_INCOMPLETE = "completed-incomplete"


class InteractionIds(str, Enum):
    """Interaction ids: the question id, or the question id plus the attempt ("q1-a2") for
    LMSs that keep only the latest answer per interaction id."""

    PER_QUESTION = "per-question"
    PER_ATTEMPT = "per-attempt"


class ScoreRule(str, Enum):
    """Which final-assessment score is reported after several attempts (`completion.score`).

    Whatever the rule, once the learner has passed the reported score never goes down."""

    BEST = "best"  # the highest attempt (what Moodle's and most agencies' grading expects)
    LAST = "last"  # the latest attempt, until the learner passes


class QuestionType(str, Enum):
    SINGLE_CHOICE = "single-choice"
    MULTIPLE_RESPONSE = "multiple-response"
    TRUE_FALSE = "true-false"
    MATCHING = "matching"
    ORDERING = "ordering"
    FILL_IN = "fill-in"
    REFLECTION = "reflection"  # free text, recorded, never graded


@dataclass(frozen=True)
class Objective:
    id: str
    text: str


@dataclass(frozen=True)
class Option:
    """A choice of a single-choice or multiple-response question."""

    id: str
    html: str
    correct: bool = False
    feedback_html: str = ""


@dataclass(frozen=True)
class MatchPair:
    """One row of a matching question: the prompt (source) and its match (target)."""

    id: str
    prompt_html: str
    match_html: str


@dataclass(frozen=True)
class OrderItem:
    id: str
    html: str


@dataclass(frozen=True)
class Feedback:
    correct_html: str = ""
    incorrect_html: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    prompt_html: str
    objective: str | None
    weight: float
    feedback: Feedback = Feedback()
    options: tuple[Option, ...] = ()  # single-choice, multiple-response
    answer: bool | None = None  # true-false
    pairs: tuple[MatchPair, ...] = ()  # matching (targets are the pairs' matches)
    distractors: tuple[str, ...] = ()  # matching: extra targets (HTML) that match nothing
    items: tuple[OrderItem, ...] = ()  # ordering, listed in the correct order
    accepted: tuple[str, ...] = ()  # fill-in: accepted answers
    case_sensitive: bool = False  # fill-in
    shuffle: bool = False  # shuffle options / items / targets when shown
    source: str = ""  # where the question was written, "assessments/final.yaml:12", for build messages

    @property
    def graded(self) -> bool:
        return self.type is not QuestionType.REFLECTION and self.weight > 0


@dataclass(frozen=True)
class Section:
    """A run of questions; a pool draws `draw` of them at random for each attempt."""

    id: str
    questions: tuple[Question, ...]
    draw: int | None = None  # None: every question, in order

    @property
    def shown(self) -> int:
        return len(self.questions) if self.draw is None else self.draw


@dataclass(frozen=True)
class Assessment:
    id: str
    title: str
    graded: bool  # False for a lesson's knowledge check
    intro_html: str
    sections: tuple[Section, ...]
    shuffle_questions: bool = False

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    @property
    def max_shown(self) -> int:
        return sum(s.shown for s in self.sections)


@dataclass(frozen=True)
class Page:
    id: str
    title: str
    html: str


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    objectives: tuple[str, ...]
    pages: tuple[Page, ...]
    check: Assessment | None = None


@dataclass(frozen=True)
class Completion:
    rule: CompletionRule
    mastery_score: int  # 0-100, percent of the final assessment's weighted score
    attempts: int  # attempts allowed at the final assessment; 0 means unlimited
    report_as: ReportAs = ReportAs.PASSED_FAILED  # SCORM status pair on pass / on final fail
    interaction_ids: InteractionIds = InteractionIds.PER_QUESTION
    score: ScoreRule = ScoreRule.BEST  # which attempt's score is reported

    def describe(self, has_final: bool) -> str:
        """The completion contract in plain words, for the agency and the learner."""
        pages = "every page of every lesson has been viewed"
        exam = f"the final assessment is passed with a score of at least {self.mastery_score}%"
        tries = (
            "Attempts at the final assessment are unlimited."
            if self.attempts == 0
            else f"The final assessment may be attempted {self.attempts} time(s)."
        )
        if self.rule is CompletionRule.ALL_PAGES or not has_final:
            return f"The course is complete when {pages}."
        if self.rule is CompletionRule.ASSESSMENT:
            return f"The course is complete and passed when {exam}. {tries}"
        return f"The course is complete and passed when {pages} and {exam}. {tries}"


@dataclass(frozen=True)
class Origin:
    """Where the author wrote a value: file (as shown to the author), 1-based line, YAML key path."""

    file: str
    line: int | None
    field: str = ""


@dataclass(frozen=True)
class Media:
    """A file the course references, copied into the package at `href`."""

    source: Path
    href: str  # POSIX path inside the package


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    description: str
    language: str
    version: str
    organisation: str
    duration_minutes: int
    ce_hours: float
    objectives: tuple[Objective, ...]
    lessons: tuple[Lesson, ...]
    completion: Completion
    final: Assessment | None
    media: tuple[Media, ...] = field(default=())
    source_dir: Path | None = None
    xapi_base: str | None = None  # IRI prefix for xAPI activity ids (a domain the agency controls)
    # where each author value was written, keyed "title", "question:<id>:prompt", ... (check/targets.py)
    origins: dict[str, Origin] = field(default_factory=dict, compare=False, hash=False)

    @property
    def pages(self) -> tuple[Page, ...]:
        return tuple(p for lesson in self.lessons for p in lesson.pages)

    @property
    def assessments(self) -> tuple[Assessment, ...]:
        checks = tuple(lesson.check for lesson in self.lessons if lesson.check)
        return checks + ((self.final,) if self.final else ())
