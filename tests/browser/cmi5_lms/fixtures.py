"""Fixtures for the xAPI / cmi5 browser tests: `pytest_plugins = ["browser.cmi5_lms.fixtures"]`.

`site`: the one web server on `lrs_content_origin` (Ralph's CORS allows that origin only).
`xapi_packages`: the empathy course as cmi5 and Tin Can packages, and as SCORM packages that also send
statements to Ralph with its write-only key. `expected`: what the statements must carry.
`launcher`: the cmi5 LMS registering a learner and launching sessions in chromium.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from scorm_builder.build import build_course
from scorm_builder.render.data import Delivery, course_data
from scorm_builder.xapi import activity_definitions

from ..conftest import COURSES, HERE, NODE_MODULES, _ensure_node_modules
from .runs import LaunchRun
from .site import Site, site_for

# package name on the site -> (course, standards, with the LRS built in)
PACKAGES = {"empathy": ("empathy", ("cmi5", "xapi"), False), "empathy-lrs": ("empathy", ("scorm12", "scorm2004"), True)}
CMI5_PACKAGE = "/pkg/empathy/cmi5/"


def _standard_of(name: str) -> str:
    return name.rsplit("-", 1)[1].removesuffix(".zip")


@pytest.fixture(scope="session")
def site(lrs, lrs_content_origin) -> Site:
    _ensure_node_modules()
    found = site_for(lrs_content_origin, lrs)
    found.serve("/lms/", HERE / "lms")
    found.serve("/node_modules/", NODE_MODULES)
    return found


@pytest.fixture(scope="session")
def xapi_packages(site, lrs, tmp_path_factory) -> dict[str, Path]:
    """'<package>/<standard>' -> extracted folder, served at /pkg/<package>/<standard>/."""
    out = tmp_path_factory.mktemp("xapi-packages")
    found = {}
    for name, (course, standards, with_lrs) in PACKAGES.items():
        delivery = Delivery(lrs.endpoint, lrs.writer.authorization) if with_lrs else Delivery()
        for zip_path in build_course(COURSES[course], list(standards), out / name / "zips", delivery=delivery):
            standard = _standard_of(zip_path.name)
            folder = out / name / standard
            with zipfile.ZipFile(zip_path) as archive:
                archive.extractall(folder)
            site.serve(f"/pkg/{name}/{standard}/", folder)
            found[f"{name}/{standard}"] = folder
    return found


@pytest.fixture(scope="session")
def expected(empathy) -> dict:
    """What the statements must carry: the player's xAPI data, the package, the definitions."""
    data = course_data(empathy, "cmi5")
    return {"xapi": data["xapi"], "package": data["package"], "definitions": activity_definitions(empathy)}


@pytest.fixture
def launcher(site, xapi_packages, browser):
    """`launcher(learner_id)` -> (registration, open_au): the cmi5 LMS registers the learner for the
    empathy course's AU; `open_au(mode="Normal", mastery_score="course", context=None)` launches a new
    session in chromium and returns its LaunchRun (closed after the test)."""
    runs: list[LaunchRun] = []
    lms = site.lms

    def register(learner: str):
        reg = lms.register(CMI5_PACKAGE, xapi_packages["empathy/cmi5"], learner)

        def open_au(mode: str = "Normal", mastery_score="course", context=None) -> LaunchRun:
            run = LaunchRun(browser, lms.launch(reg, mode=mode, mastery_score=mastery_score), context=context)
            runs.append(run)
            return run

        return reg, open_au

    yield register
    for run in runs:
        run.close()
