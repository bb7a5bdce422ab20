"""Load a course folder into the typed model, collecting every problem on the way."""
from .course import load_course

__all__ = ["load_course"]
