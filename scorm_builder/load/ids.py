"""The one id rule: ids become SCORM identifiers, xAPI IRI segments and HTML ids."""
import re

ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
ID_HINT = "start with a letter; use letters, digits, '-' and '_' (at most 64 characters)"
