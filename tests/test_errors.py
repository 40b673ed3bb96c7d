"""The error hierarchy's promise: an import error is one line naming the file, line and column."""

from __future__ import annotations

from strategyfirst.errors import ImportFileError, SourceDetectionError, StrategyFirstError


def test_import_error_is_one_located_line_even_when_it_quotes_a_line_break() -> None:
    err = SourceDetectionError("export.csv", "header not recognised (date\nplatform, amount\r\n)", 1, 1)
    assert str(err) == "export.csv:1:1: header not recognised (date\\nplatform, amount\\r\\n)"
    assert "\n" not in str(err) and "\r" not in str(err)
    assert isinstance(err, ImportFileError) and isinstance(err, StrategyFirstError)
    assert err.exit_code == 2


def test_import_error_without_a_position_names_the_file() -> None:
    assert str(ImportFileError("a.csv", "no such file; check the path")) == "a.csv: no such file; check the path"
