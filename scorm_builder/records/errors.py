"""The one error the records commands raise: a Problem (where: what (hint: fix)) and an exit code.

Malformed statements are not errors: a pull skips them, keeps them in `rejected` and reports them
all together. A RecordsError stops the command: the LRS or the database cannot be used at all.
"""
from __future__ import annotations

from ..errors import Problem

EXIT_PROBLEMS = 1  # something was found wrong (malformed statements skipped, unknown code, no completion)
EXIT_UNUSABLE = 2  # the LRS, the database or the arguments cannot be used


class RecordsError(Exception):
    def __init__(self, where: str, message: str, hint: str = "", exit_code: int = EXIT_UNUSABLE):
        self.problem = Problem(where, message, None, "", hint)
        self.exit_code = exit_code
        super().__init__(self.problem.format())
