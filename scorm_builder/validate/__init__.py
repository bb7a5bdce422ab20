"""Validate SCORM 1.2 and 2004 packages: safe reading of untrusted zips, XML safety, detection of
the edition, the official XML schemas (offline) and the package rules the schemas cannot express.

    report = validate_package(Path("course.zip"))
    print(report.format_text()); sys.exit(report.exit_code)
"""
from .contents import Limits
from .pipeline import validate_directory, validate_package
from .report import Report
from .schemas import schemas_dir

__all__ = ["Limits", "Report", "schemas_dir", "validate_directory", "validate_package"]
