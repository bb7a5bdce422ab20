"""scorm-builder: turn a plain-text course into SCORM, xAPI and cmi5 packages."""

__version__ = "0.1.0"
