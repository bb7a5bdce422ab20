"""The exact xAPI and cmi5 strings the Python side and the player share.

Verbs, activity types, cmi5 categories and extensions, spelled once, as the specifications
spell them (../shared/specs/xapi.md and cmi5.md). The player reads them from the course data
(`xapi_data`), so the two sides cannot drift apart.
"""
from __future__ import annotations

XAPI_VERSION = "1.0.3"  # the X-Experience-API-Version header; a statement's `version` is omitted

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities/"

# verb name -> IRI; display maps are English because the IRI, not the display, carries the meaning
VERBS: dict[str, str] = {
    name: ADL_VERBS + name
    for name in (
        "launched", "initialized", "experienced", "progressed", "answered", "attempted",
        "completed", "passed", "failed", "suspended", "resumed", "terminated",
    )
}
VERBS["abandoned"] = "https://w3id.org/xapi/adl/verbs/abandoned"
VERBS["waived"] = "https://w3id.org/xapi/adl/verbs/waived"
VERBS["satisfied"] = "https://w3id.org/xapi/adl/verbs/satisfied"


def verb(name: str) -> dict:
    """A verb object as a statement carries it: `{"id": IRI, "display": {"en-US": name}}`."""
    return {"id": VERBS[name], "display": {"en-US": name}}


class ActivityType:
    COURSE = ADL_ACTIVITIES + "course"
    LESSON = ADL_ACTIVITIES + "lesson"
    MODULE = ADL_ACTIVITIES + "module"
    ASSESSMENT = ADL_ACTIVITIES + "assessment"
    INTERACTION = ADL_ACTIVITIES + "cmi.interaction"
    OBJECTIVE = ADL_ACTIVITIES + "objective"
    PAGE = "http://activitystrea.ms/schema/1.0/page"  # no ADL type for a page; the registry's one


INTERACTION_TYPES = frozenset({
    "true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
    "sequencing", "likert", "numeric", "other",
})

# Tin Can package (tincan.xml) and cmi5 course structure (cmi5.xml)
TINCAN_NS = "http://projecttincan.com/tincan.xsd"
CMI5_NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"

MOVE_ON = ("NotApplicable", "Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed")
LAUNCH_METHODS = ("AnyWindow", "OwnWindow")
LAUNCH_MODES = ("Normal", "Browse", "Review")


class Cmi5:
    """cmi5 context and result IRIs (cmi5 spec §9)."""

    CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
    CATEGORY_MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon"
    SESSION_ID = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
    MASTERY_SCORE = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
    LAUNCH_MODE = "https://w3id.org/xapi/cmi5/context/extensions/launchmode"
    LAUNCH_URL = "https://w3id.org/xapi/cmi5/context/extensions/launchurl"
    MOVE_ON = "https://w3id.org/xapi/cmi5/context/extensions/moveon"
    LAUNCH_PARAMETERS = "https://w3id.org/xapi/cmi5/context/extensions/launchparameters"
    PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"
    REASON = "https://w3id.org/xapi/cmi5/result/extensions/reason"
    LAUNCH_DATA_STATE = "LMS.LaunchData"
    LEARNER_PREFERENCES = "cmi5LearnerPreferences"
    ACTIVITY_TYPE_COURSE = "https://w3id.org/xapi/cmi5/activitytype/course"
    ACTIVITY_TYPE_BLOCK = "https://w3id.org/xapi/cmi5/activitytype/block"
