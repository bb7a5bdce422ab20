"""A small cmi5 LMS for the browser tests, in front of the real LRS (Ralph): see README.md."""
from .lms import Au, Cmi5Lms, Registration, Session, read_course_structure
from .runs import LaunchRun, wait_for
from .site import Site, site_for

__all__ = ["Au", "Cmi5Lms", "LaunchRun", "Registration", "Session", "Site", "read_course_structure", "site_for",
           "wait_for"]
