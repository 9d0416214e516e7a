"""Code shape: no class in pydream over 200 lines of code, no function over 80.

Lines of code leave out blank lines, comment-only lines and docstrings (a string standing
alone as a statement, wherever it is in the body).
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pydream"
MAX_CLASS = 200
MAX_FUNCTION = 80


def code_lines(source: str) -> set[int]:
    """Numbers of the lines of ``source`` that hold code (not only comments, blanks or
    docstrings)."""
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                          tokenize.DEDENT, tokenize.ENDMARKER):  # fmt: skip
            continue
        lines.update(range(token.start[0], token.end[0] + 1))
    for node in ast.walk(ast.parse(source)):
        value = node.value if isinstance(node, ast.Expr) else None
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            lines.difference_update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def offenders(source: str, name: str) -> list[str]:
    """``name:line kind qualified-name: N lines`` for every class over ``MAX_CLASS`` lines
    of code and function over ``MAX_FUNCTION`` in ``source``."""
    code = code_lines(source)
    found = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                qualified = f"{prefix}{child.name}"
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                count = len(code.intersection(range(first, (child.end_lineno or first) + 1)))
                is_class = isinstance(child, ast.ClassDef)
                limit = MAX_CLASS if is_class else MAX_FUNCTION
                if count > limit:
                    kind = "class" if is_class else "function"
                    found.append(f"{name}:{child.lineno} {kind} {qualified}: {count} lines")
                visit(child, f"{qualified}.")
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    return found


def test_the_counter_leaves_out_docstrings_comments_and_blanks():
    body = "\n".join(f"    x{index} = {index}  # a comment" for index in range(MAX_FUNCTION - 1))
    source = f'def f():\n    """A docstring\n\n    over lines."""\n\n    # only a comment\n{body}\n'
    assert offenders(source, "m.py") == []  # def line + 79 assignments: 80 lines
    longer = source + "    return x0\n"
    assert offenders(longer, "m.py") == ["m.py:1 function f: 81 lines"]
    nested = "class C:\n" + "".join(
        f"    def m{index}(self):\n        return {index}\n" for index in range(100)
    )
    assert offenders(nested, "c.py") == ["c.py:1 class C: 201 lines"]


def test_no_class_or_function_in_pydream_is_too_long():
    found = [
        offender
        for path in sorted(PACKAGE.rglob("*.py"))
        for offender in offenders(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE)))
    ]
    if found:
        pytest.fail(
            f"over {MAX_CLASS} lines of code (classes) or {MAX_FUNCTION} (functions):\n"
            + "\n".join(found)
        )
