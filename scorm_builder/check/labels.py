"""The labels and verdicts the player adds in front of author text, and the one rule that says
whether author text already carries one.

The player writes "Knowledge check: {title}" in Contents, "Lesson {n}: {title}" above a page, and a
verdict ("Correct.", "Not quite.", "Thank you: your answer has been recorded.") before feedback.
When the author's text already starts with the same label, the player must not add it again
("Knowledge check: Knowledge check: …", "Not quite. Not quite. …"). `carries` decides that, here
only: the render step passes its answers to the player (`labelled`, `…Verdict` in course.js), and
the loader warns at the source line so the author can drop the duplicate wording.

The heads are the English labels of player/strings.js (tests keep the two in step). A head matches
when the author text, as plain text (markup removed, entities decoded, spaces collapsed, case
folded), starts with it and the next character is not a letter or digit: "Correct." and
"Correct answer: B" carry the verdict, "Correctly…" does not. `#` in a head stands for a number.
"""
from __future__ import annotations

import html
import re

# player string key -> the heads that mean the author already wrote that label
LABELS: dict[str, tuple[str, ...]] = {
    "knowledgeCheck": ("knowledge check",),  # Contents: "Knowledge check: {title}"
    "lessonLabel": ("lesson #",),  # above a page: "Lesson {n}: {title}"
    "verdictCorrect": ("correct",),
    "verdictIncorrect": ("not quite", "incorrect", "not correct", "wrong"),
    "verdictRecorded": ("thank you", "thanks"),
}
# the result a verdict belongs to (the player's M.grade results)
VERDICTS = {"verdictCorrect": "correct", "verdictIncorrect": "incorrect", "verdictRecorded": "neutral"}

_TAG = re.compile(r"<[^>]*>")


def _pattern(head: str) -> re.Pattern[str]:
    body = re.escape(head).replace("\\ ", r"\s").replace("\\#", r"\d+").replace("#", r"\d+")
    return re.compile(body + r"(?![^\W_])")


_PATTERNS = {key: tuple(_pattern(head) for head in heads) for key, heads in LABELS.items()}


def plain(text: str) -> str:
    """Author text (HTML or not) as compared: no markup, entities decoded, spaces collapsed, case folded."""
    return " ".join(html.unescape(_TAG.sub(" ", text)).split()).casefold()


def carries(text: str, key: str) -> bool:
    """True when `text` (a title or an HTML fragment) already starts with the player's label `key`
    (a key of LABELS). Raises KeyError for an unknown key."""
    start = plain(text)
    return any(p.match(start) for p in _PATTERNS[key])


def verdict_of(text: str) -> str | None:
    """The result ("correct", "incorrect", "neutral") whose verdict `text` already starts with; None
    when it starts with none (the player then says the verdict itself)."""
    for key, result in VERDICTS.items():
        if text and carries(text, key):
            return result
    return None
