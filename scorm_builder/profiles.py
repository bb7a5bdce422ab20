"""Named LMS profiles (`build --profile NAME`, `scorm-builder profiles`): which targets to build,
which reporting options to use (`completion.report_as`, `completion.interaction_ids`), and the
settings an administrator should choose in that LMS, with the LMS's own setting names and why.

The settings are written into each package's `completion.txt` (section "LMS settings"). Setting
names follow /work/shared/specs/lms-notes.md (Moodle 4.5 wording measured on a real install);
where a vendor's wording was not verified here the text says so instead of guessing.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from .model import CompletionRule, Course, InteractionIds, ReportAs


@dataclass(frozen=True)
class Setting:
    """One LMS setting: its exact name in the LMS, the value to choose, and why."""

    name: str
    value: str
    why: str


Settings = Callable[[Course | None], tuple[Setting, ...]]  # None: describe without a course


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    targets: tuple[str, ...]
    report_as: ReportAs
    interaction_ids: InteractionIds
    why: str  # why these targets and reporting options
    settings: dict[str, Settings]  # target name -> the LMS settings for that package


def _graded_final(course: Course | None) -> bool | None:
    if course is None:
        return None
    return course.final is not None and course.final.graded and course.completion.rule is not CompletionRule.ALL_PAGES


def _attempts(course: Course | None) -> str:
    if course is None:
        return "the course's attempts (completion.attempts)"
    return "Unlimited" if course.completion.attempts == 0 else str(course.completion.attempts)


def _mastery(course: Course | None) -> str:
    return "the course's mastery score" if course is None else f"{course.completion.mastery_score}%"


def _require_status(course: Course | None) -> Setting:
    graded = _graded_final(course)
    value = {True: '"Passed" only ("Completed" unchecked)', False: '"Completed" only',
             None: '"Passed" only when the course has a graded final assessment, else "Completed" only'}[graded]
    return Setting("Require status", value,
                   "Moodle counts the activity as done when the learner has any one of the checked statuses; "
                   "with both checked, a SCORM 2004 learner reported completed + failed is shown as Done")


def _moodle_common(course: Course | None) -> tuple[Setting, ...]:
    return (
        Setting("Grading method", "Highest grade",
                "the course reports the final assessment's score as cmi score.raw on 0-100, which Moodle grades"),
        Setting("Attempts grading", "Highest attempt", "a learner's best result counts"),
        Setting("Number of attempts", "Unlimited",
                f"the course itself limits attempts at the final assessment ({_attempts(course)}); a new Moodle "
                "attempt would start the whole course again"),
        Setting("Force new attempt", "No", "a returning learner resumes where they left off"),
        Setting("Require minimum score", "unchecked",
                "the course decides passed or failed itself (pages and score), Moodle need not compare scores"),
        Setting("All SCOs must return completion status", "unchecked", "the package has one SCO"),
    )


def _moodle_2004(course: Course | None) -> tuple[Setting, ...]:
    return (_require_status(course), *_moodle_common(course))


def _moodle_12(course: Course | None) -> tuple[Setting, ...]:
    return (
        _require_status(course),
        Setting("Mastery score overrides status", "No",
                "the course sets cmi.core.lesson_status itself; an override from the score alone would ignore "
                "the pages a learner still has to view"),
        *_moodle_common(course),
    )


def _moodle_app(course: Course | None) -> tuple[Setting, ...]:
    return (*_moodle_12(course),
            Setting("Package file", "upload this SCORM 1.2 zip (not an external or AICC package)",
                    "the Moodle app downloads uploaded SCORM 1.2 packages and plays them offline, "
                    "sending the tracking data when the device is back online"))


def _canvas_cc(course: Course | None) -> tuple[Setting, ...]:
    return (
        Setting("Import Course Content", 'Content Type "Common Cartridge 1.x Package"',
                "Course Settings → Import Course Content: pages become Canvas Pages, each lesson a Module, "
                "each quiz a Canvas quiz graded by Canvas"),
        Setting("Quiz Type", '"Practice Quiz" for the knowledge checks, "Graded Quiz" for the final assessment',
                "knowledge checks give feedback only and must not count toward the grade"),
        Setting("Allowed Attempts", _attempts(course), "the course's attempt limit for the final assessment"),
        Setting("Quiz Score to Keep", "Highest", "a learner's best attempt counts"),
        Setting("Module requirements", f"view each page; score at least {_mastery(course)} of the points on the "
                "final assessment", "Canvas applies its own completion: this is the course's completion rule"),
    )


def _canvas_scorm(course: Course | None) -> tuple[Setting, ...]:
    return (Setting("SCORM (Canvas app)", "upload this SCORM 1.2 zip as a graded assignment",
                    "Canvas plays SCORM only through its separately enabled SCORM tool; its setting names were not "
                    "verified here: check Instructure's current guide"),)


def _scorm_cloud(course: Course | None) -> tuple[Setting, ...]:
    return (Setting("Package properties", "leave the defaults",
                    "SCORM Cloud follows the SCORM 2004 data the course sends (completion, success, score); the "
                    "manifest lets the content set completion and objectives"),)


def _none(course: Course | None) -> tuple[Setting, ...]:
    return ()


PROFILES: dict[str, Profile] = {p.name: p for p in (
    Profile("moodle", "Moodle 4.x (mod_scorm)", ("scorm2004", "scorm12"), ReportAs.PASSED_INCOMPLETE,
            InteractionIds.PER_QUESTION,
            "Moodle reads status from cmi.completion_status (2004) or cmi.core.lesson_status (1.2) and counts "
            "\"completed\" as done when \"Completed\" is a required status: a learner who failed every attempt is "
            "therefore reported incomplete (report_as passed-incomplete), so they never appear complete under "
            "\"Passed\" or \"Passed or completed\"; a pass is still completed + passed",
            {"scorm2004": _moodle_2004, "scorm12": _moodle_12}),
    Profile("moodle-app", "Moodle app (offline)", ("scorm12",), ReportAs.PASSED_INCOMPLETE,
            InteractionIds.PER_QUESTION,
            "the Moodle mobile app plays SCORM 1.2 packages offline (not SCORM 2004); reporting as for moodle",
            {"scorm12": _moodle_app}),
    Profile("canvas", "Canvas (course import + SCORM tool)", ("cc", "scorm12"), ReportAs.PASSED_FAILED,
            InteractionIds.PER_QUESTION,
            "Canvas imports a Common Cartridge as its own pages and quizzes (graded by Canvas, per-question "
            "reports); self-hosted Canvas has no SCORM, and its SCORM tool passes one score to the gradebook, "
            "for which SCORM 1.2 is the safest choice",
            {"cc": _canvas_cc, "scorm12": _canvas_scorm}),
    Profile("scorm-cloud", "SCORM Cloud (Rustici)", ("scorm2004",), ReportAs.PASSED_FAILED,
            InteractionIds.PER_ATTEMPT,
            "SCORM Cloud implements SCORM 2004 fully, so the plain reading (completed + failed) is right; unique "
            "interaction ids per attempt keep each attempt's answers apart in its interaction reports and exports",
            {"scorm2004": _scorm_cloud}),
    Profile("generic", "Any conformant LMS", ("scorm12", "scorm2004", "xapi", "cmi5", "cc"), ReportAs.PASSED_FAILED,
            InteractionIds.PER_QUESTION,
            "every target, with the standards' plain status values, for an LMS not listed here",
            {name: _none for name in ("scorm12", "scorm2004", "xapi", "cmi5", "cc")}),
)}


def apply_profile(course: Course, profile: Profile) -> Course:
    """The course with the profile's reporting options."""
    completion = replace(course.completion, report_as=profile.report_as, interaction_ids=profile.interaction_ids)
    return replace(course, completion=completion)


def settings_text(profile: Profile, target: str, course: Course | None) -> str:
    """The "LMS settings" section of completion.txt for one package ("" when there is none)."""
    settings = profile.settings.get(target, _none)(course)
    lines = [f"LMS settings ({profile.title}, profile '{profile.name}')",
             f"Reporting: report_as {profile.report_as.value}, interaction ids {profile.interaction_ids.value}."]
    lines += [f"- {s.name}: {s.value}. Why: {s.why}." for s in settings]
    return "\n".join(lines) + "\n"


def describe(profile: Profile) -> str:
    """The profile for `scorm-builder profiles`: targets, reporting options, settings, and why."""
    lines = [f"{profile.name}: {profile.title}",
             f"  targets: {', '.join(profile.targets)}",
             f"  completion.report_as: {profile.report_as.value}; completion.interaction_ids: "
             f"{profile.interaction_ids.value}",
             f"  why: {profile.why}"]
    for target in profile.targets:
        for s in profile.settings.get(target, _none)(None):
            lines.append(f"  [{target}] {s.name}: {s.value} (why: {s.why})")
    return "\n".join(lines)
