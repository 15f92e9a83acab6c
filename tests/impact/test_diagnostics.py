"""Compiler output in, diagnostics out; BASE/NEW matching robust to line shifts."""

from __future__ import annotations

import pytest

from contractsync.impact.diagnostics import Diagnostic, new_diagnostics, parse_diagnostics

CASES = [
    ("plain tsc",
     "src/a.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.\n",
     [("src/a.ts", 12, 5, 2322, "Type 'string' is not assignable to type 'number'.")]),
    ("vue file with a message chain",
     "src/components/BookList.vue(42,17): error TS2345: Argument of type 'X' is not assignable.\n"
     "  Property 'a' is missing in type 'X'.\n"
     "src/main.ts(1,1): error TS2307: Cannot find module './x'.\n",
     [("src/components/BookList.vue", 42, 17, 2345,
       "Argument of type 'X' is not assignable.\n  Property 'a' is missing in type 'X'."),
      ("src/main.ts", 1, 1, 2307, "Cannot find module './x'.")]),
    ("pretty, colours and code frame",
     "\x1b[96msrc/App.vue\x1b[0m:\x1b[93m3\x1b[0m:\x1b[93m9\x1b[0m - \x1b[91merror\x1b[0m"
     "\x1b[90m TS2339: \x1b[0mProperty 'book_count' does not exist on type 'Author'.\n\n"
     "\x1b[7m3\x1b[0m   a.book_count\n  \x1b[91m  ~~~~~~~~~~\x1b[0m\n\nFound 1 error in src/App.vue:3\n",
     [("src/App.vue", 3, 9, 2339, "Property 'book_count' does not exist on type 'Author'.")]),
    ("a global error, windows separators, noise",
     "error TS5058: The specified path does not exist: 'x.json'.\n"
     "src\\b.ts(2,3): error TS1005: ';' expected.\nnpm ERR! something\nFound 2 errors.\n",
     [(None, 0, 0, 5058, "The specified path does not exist: 'x.json'."),
      ("src/b.ts", 2, 3, 1005, "';' expected.")]),
    ("nothing", "", []),
]


@pytest.mark.parametrize(("output", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_parse(output: str, expected: list[tuple[object, ...]]) -> None:
    got = [(d.file, d.line, d.column, d.code, d.message) for d in parse_diagnostics(output)]
    assert got == expected


def _d(file: str, line: int, message: str, code: int = 2322) -> Diagnostic:
    return Diagnostic(file, line, 1, code, message)


def test_new_errors_ignore_line_shifts_and_count_repeats() -> None:
    base = [_d("src/api/types.ts", 10, "x"), _d("src/a.ts", 3, "old")]
    new = [_d("src/api/types.ts", 14, "x"), _d("src/a.ts", 3, "old"), _d("src/a.ts", 9, "old"),
           _d("src/a.ts", 4, "fresh")]
    assert [(d.line, d.message) for d in new_diagnostics(base, new)] == [(9, "old"), (4, "fresh")]


def test_same_message_other_code_is_new() -> None:
    assert new_diagnostics([_d("a.ts", 1, "m", 1)], [_d("a.ts", 1, "m", 2)]) == [_d("a.ts", 1, "m", 2)]
