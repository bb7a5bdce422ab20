"""Check a Tin Can package's `tincan.xml` with the rules of Rustici's packaging convention.

Rules (../shared/specs/xapi.md §4): well-formed, safely parsed XML; root `<tincan>` in the
namespace http://projecttincan.com/tincan.xsd with an `<activities>` list; every activity has
a unique id that is an absolute IRI (and a type that is one, when given); exactly one
activity, the root, has `<launch>` (or `<resource>`); the launch file exists in the package,
unless it is an absolute URL.
"""
from __future__ import annotations

from lxml import etree

from scorm_builder.errors import Problem, Severity
from scorm_builder.xapi.vocabulary import TINCAN_NS
from scorm_builder.xapi.xmlcheck import (
    children,
    is_absolute_url,
    is_iri,
    local_name,
    namespace,
    package_path,
    parse_untrusted,
)

FILE = "tincan.xml"
NS_HINT = f'declare the namespace on the root: <tincan xmlns="{TINCAN_NS}">'


def check_tincan_xml(data: bytes, names: set[str], file: str = FILE) -> list[Problem]:
    """Every problem of `tincan.xml`; `names` are the package's files, relative to its folder."""
    root, problems = parse_untrusted(data, file)
    return problems if root is None else check_tincan(root, names, file)


def check_tincan(root: etree._Element, names: set[str], file: str = FILE) -> list[Problem]:
    """Every problem of an already safely parsed `tincan.xml` (validate/xmlsafe.py)."""
    problems: list[Problem] = []
    if local_name(root) != "tincan" or namespace(root) != TINCAN_NS:
        where = f"in namespace '{namespace(root)}'" if namespace(root) else "in no namespace"
        return [Problem(file, f"the root element is <{local_name(root)}> {where}, not <tincan> in {TINCAN_NS}",
                        root.sourceline, "tincan", NS_HINT)]
    lists = [c for c in children(root) if namespace(c) == TINCAN_NS and local_name(c) == "activities"]
    if not lists:
        return [Problem(file, "<tincan> has no <activities>", root.sourceline, "activities",
                        "list the course as an <activity> with <launch> inside <activities>")]
    activities = [c for c in children(lists[0]) if namespace(c) == TINCAN_NS and local_name(c) == "activity"]
    if not activities:
        return [Problem(file, "<activities> lists no <activity>", lists[0].sourceline, "activities",
                        "list at least the course as an <activity> with <launch>")]
    problems += _ids(activities, file)
    problems += _launches(activities, names, file)
    return problems


def _ids(activities: list[etree._Element], file: str) -> list[Problem]:
    problems: list[Problem] = []
    first_line: dict[str, int | None] = {}
    for activity in activities:
        line = activity.sourceline
        value = (activity.get("id") or "").strip()
        if not value:
            problems.append(Problem(file, "an <activity> has no id", line, "activity@id",
                                    "give every activity an id: an IRI on a domain you control"))
        elif not is_iri(value):
            problems.append(Problem(file, f"the activity id '{value}' is not an absolute IRI", line, "activity@id",
                                    "use a full IRI with a scheme, e.g. https://example.org/xapi/course"))
        elif value in first_line:
            problems.append(Problem(file, f"duplicate activity id '{value}', first used at line {first_line[value]}",
                                    line, "activity@id", "each activity id must mean exactly one activity"))
        else:
            first_line[value] = line
        kind = activity.get("type")
        if kind is not None and not is_iri(kind.strip()):
            problems.append(Problem(file, f"the activity type '{kind}' is not an IRI", line, "activity@type",
                                    "use an activity type IRI, e.g. http://adlnet.gov/expapi/activities/course"))
        if not any(local_name(c) == "name" for c in children(activity)):
            problems.append(Problem(file, f"the activity '{value}' has no <name>", line, "activity/name",
                                    "an LRS report shows the bare IRI without one",
                                    severity=Severity.WARNING))
    return problems


def _launches(activities: list[etree._Element], names: set[str], file: str) -> list[Problem]:
    launchable = [(a, c) for a in activities for c in children(a)
                  if namespace(c) == TINCAN_NS and local_name(c) in ("launch", "resource")]
    if not launchable:
        return [Problem(file, "no activity has a <launch>, so an LMS cannot start the package",
                        activities[0].sourceline, "activity/launch",
                        "give the root (course) activity <launch>index.html</launch>")]
    problems: list[Problem] = []
    root_activity = launchable[0][0]
    for activity, element in launchable:
        if activity is not root_activity or element is not launchable[0][1]:
            problems.append(Problem(file, f"a second <{local_name(element)}>: only one activity, the root, may have "
                                    "<launch> or <resource>", element.sourceline, f"activity/{local_name(element)}",
                                    "list the other activities without <launch>; report hierarchy through context"))
    launch = launchable[0][1]
    target = (launch.text or "").strip()
    if not target:
        problems.append(Problem(file, "the <launch> element is empty", launch.sourceline, "activity/launch",
                                "name the launch page, e.g. index.html"))
    elif not is_absolute_url(target) and package_path(target) not in names:
        problems.append(Problem(file, f"the launch file '{package_path(target)}' is not in the package",
                                launch.sourceline, "activity/launch",
                                "the path is relative to the folder of tincan.xml; check its spelling and case"))
    return problems
