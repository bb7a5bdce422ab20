"""`scorm-builder preview`: build the course, serve it on localhost beside a small LMS
simulator that shows live what the course records, and rebuild when a source changes."""
from .server import serve

__all__ = ["serve"]
