"""One typed error hierarchy; each error says what the user can do about it.

::

    StrategyFirstError                 anything the product reports to a user (exit 2 / HTTP 4xx)
    ├── PlanError                      strategy.yaml cannot be read or validated
    │   ├── (carries .problems: list[PlanProblem], each file:line:col: message)
    │   ├── AdditionError              an objective, KPI or tactic to add is refused (problems keyed by field)
    │   └── LintRefusedError           a plan to save makes lint report errors: nothing is saved (HTTP 422)
    ├── ImportFileError                an export file cannot be imported (file, line, column, what to do)
    │   └── SourceDetectionError       --source auto found no matching format
    ├── WorkspaceError                 the workspace is missing, locked or from a newer version
    │   └── WorkspaceLockedError       another ingest holds the workspace
    ├── MeasureError                   a measurement cannot be made as asked (bad period, unknown metric)
    ├── AppDatabaseError               the app database cannot be opened or migrated
    ├── UsageError                     the command line or API call is malformed
    │   └── PlanIncompleteError        the plan lacks what the command needs (file, line of where it belongs)
    └── ConflictError                  a save based on a version that is no longer current (HTTP 409)
"""

from __future__ import annotations

from dataclasses import dataclass


class StrategyFirstError(Exception):
    """Base of every error the product reports to a user as one clear line."""

    exit_code = 2
    # The file at fault, where there is one (`--format json` errors give it; line and column where known)
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __init__(self, message: str, *, file: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if file is not None:
            self.file = file

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class PlanProblem:
    """One located problem in a plan file."""

    file: str
    line: int
    column: int
    message: str
    key: str = ""

    def __post_init__(self) -> None:
        # One line whatever it quotes (a key or value of the plan holding a line break): escaped, not split.
        if "\n" in self.message or "\r" in self.message:
            object.__setattr__(self, "message", self.message.replace("\r", "\\r").replace("\n", "\\n"))

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class PlanError(StrategyFirstError):
    """The plan file cannot be parsed or validated; `problems` lists every located problem."""

    def __init__(self, problems: list[PlanProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class AdditionError(PlanError):
    """An item to add to the plan is refused; each problem's `key` names the form field it is about."""


class LintRefusedError(PlanError):
    """A plan text to save parses but lint reports errors; each problem is one error (its `key` the plan path),
    in one line: where, what, and what to do. Nothing was saved; fix them and save again."""


class ImportFileError(StrategyFirstError):
    """An export file cannot be imported; nothing of it was written."""

    def __init__(self, file: str, message: str, line: int | None = None, column: int | None = None) -> None:
        self.file, self.line, self.column = file, line, column
        # One line always: file content quoted in a message (a header with a line break) is shown escaped, and
        # no byte of a binary file reaches the terminal.
        message = message.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
        message = "".join(ch if ch.isprintable() else "?" for ch in message)
        shown = file.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")  # a name with a line break
        where = shown + (f":{line}" if line is not None else "") + (f":{column}" if column is not None else "")
        super().__init__(f"{where}: {message}")


class SourceDetectionError(ImportFileError):
    """No known source matches the file's header; `short` is the reason in a few words (a file skipped in a
    folder or zip is listed with it: the full explanation is for a file given on its own)."""

    def __init__(self, file: str, message: str, line: int | None = None, column: int | None = None,
                 short: str | None = None) -> None:
        super().__init__(file, message, line, column)
        self.short = short


class WorkspaceError(StrategyFirstError):
    """The workspace cannot be used as asked."""


class WorkspaceLockedError(WorkspaceError):
    """Another process holds the workspace's write lock."""


class MeasureError(StrategyFirstError):
    """A measurement cannot be made as asked."""


class AppDatabaseError(StrategyFirstError):
    """The app database cannot be opened or migrated."""


class UsageError(StrategyFirstError):
    """The command line or API call is malformed."""


class PlanIncompleteError(UsageError):
    """A valid plan lacks what a command needs (`capacity` without `readiness.response.handling_minutes`):
    `file`, and the `line` and `column` of the deepest parent of the missing key in it (None when not even
    the first part of its path is in the file), so that the fix is found where it belongs."""

    def __init__(self, file: str, message: str, line: int | None = None, column: int | None = None) -> None:
        self.file, self.line, self.column = file, line, column
        where = file + (f":{line}:{column}" if line is not None and column is not None else "")
        super().__init__(f"{where}: {message}")


class HistoryWarning(RuntimeWarning):
    """Something was not recorded in the history (the command itself still succeeded). A warning, not an
    error: it lives here so that the CLI can print it without importing the app database (SQLAlchemy)."""


class ConflictError(StrategyFirstError):
    """A change based on an outdated version: nothing was written. `details` says what is current now (who
    saved it, when, and how it differs), so the change can be merged and saved again."""

    def __init__(self, message: str, details: dict[str, object]) -> None:
        super().__init__(message)
        self.details = details
