"""The one escaping function for untrusted text on its way to a terminal.

Entry names, XML values, course text and LRS answers may hold characters a terminal obeys
instead of showing: ESC and CSI start escape sequences (colours, cursor moves, OSC titles and
hyperlinks), CR and BS overwrite what was printed, bidi overrides reorder it, and invisible
format characters hide it. A package could so draw a fake "VALID" line. Everything printed
from outside goes through `escape` (Problem.format does it), and JSON through `dumps`.
"""
from __future__ import annotations

import json
import re
import unicodedata

# Unicode categories a terminal does not show as themselves: controls (C0, DEL, C1), format
# characters (bidi embeddings/overrides/isolates, zero-width), surrogates, line/paragraph separators.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def escape(text: str) -> str:
    """`text` with every hidden character written as a visible escape: ESC -> \\x1b,
    U+202E -> \\u202e, U+E0001 -> \\U000e0001. Printable text, tabs aside, is returned as is."""
    if text.isprintable():  # fast path: str.isprintable is False for every hidden category
        return text
    return "".join(_visible(c) for c in text)


def _visible(char: str) -> str:
    if unicodedata.category(char) not in HIDDEN_CATEGORIES:
        return char
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


_JSON_HIDDEN = re.compile(r"[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
                          r"\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]")


def dumps(value: object) -> str:
    """JSON for a terminal: like json.dumps(indent=2, ensure_ascii=False), with the hidden
    characters JSON itself leaves raw (DEL, C1, bidi, zero-width, separators, lone surrogates)
    written as \\uXXXX escapes. The data is unchanged: any JSON reader gets the same strings."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return _JSON_HIDDEN.sub(lambda m: _json_escape(m.group(0)), text)


def _json_escape(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
