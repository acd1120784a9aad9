"""Student regions: the START/END OF YOUR CODE blocks of a source file, and what is wrong with them.

A region is the lines strictly between a START and an END marker line, both written exactly as
below at the indentation of the code they enclose, inside a function or method body, never nested:

    # TODO: what to do
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    ...code a student writes...
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

In the generated skeleton each region holds one stub line (``stub_statement``). This module only
reads text (it never imports or runs what it parses), so the grader, the generator and the
students' collect step can all use it. It uses the standard library only: the student release
inlines it into ``collect_submission.py``.
"""

import ast
import re
from dataclasses import dataclass

from grader.errors import SetupError

START_MARKER = "# *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****"
END_MARKER = "# *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****"
# The generated header line of a file with regions; the collect step recognises files by it too.
STUDENT_FILE_NOTE = "# Students: write your code only between the START/END OF YOUR CODE markers."

# A comment that starts like a marker but is not one: a marker whose text was changed.
_MARKER_LIKE = re.compile(r"#\s*\**\s*(START|END)\s*OF\s*YOUR\s*CODE", re.IGNORECASE)
_STUB_MESSAGE = re.compile(
    r"^(?:NotImplementedError:\s*)?(?P<function>[\w.<>]+) in (?P<path>\S+) is not implemented yet:"
)
_DEF_LINE = re.compile(r"\s*(?:async\s+)?(def|class)\s+(\w+)")
_STUB_RAISE = "raise NotImplementedError"
_NOT_CODE = {"pass", "..."}


@dataclass(frozen=True)
class Region:
    """One student region of a source file.

    - start, end: 1-based line numbers of its START and END marker lines
    - indent: the markers' indentation, exactly as written (spaces or tabs)
    - function: qualified name of the enclosing function, e.g. "FullyConnectedNet.loss"
    - body: the lines strictly between the markers, without their line endings
    """

    start: int
    end: int
    indent: str
    function: str
    body: tuple[str, ...]


class MarkerError(SetupError):
    """Malformed markers. ``problems`` holds one "path:line: message" string per problem."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def split_lines(source):
    """The lines of ``source`` with their endings, split on "\\n" only (as Python counts lines)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", source)


def _content(line):
    return line.rstrip("\r\n")


def _indent_of(text):
    return text[: len(text) - len(text.lstrip(" \t"))]


def _describe_indent(indent):
    if not indent:
        return "no indentation"
    if set(indent) == {" "}:
        return f"{len(indent)} spaces"
    if set(indent) == {"\t"}:
        return f"{len(indent)} tab(s)"
    return f"a mix of {indent.count(' ')} spaces and {indent.count(chr(9))} tab(s)"


def _is_comment_or_blank(text):
    stripped = text.strip()
    return not stripped or stripped.startswith("#")


def _marker_kind(text):
    """'start' or 'end' for an exact marker line (indentation and trailing blanks aside)."""
    stripped = text.strip()
    if stripped == START_MARKER:
        return "start"
    if stripped == END_MARKER:
        return "end"
    return None


def _changed_marker_problem(text):
    """Why a line that is not an exact marker still looks like one, or None."""
    stripped = text.strip()
    for marker in (START_MARKER, END_MARKER):
        if marker in stripped:
            return f"a marker must be alone on its line; move the code off it: {marker}"
    match = _MARKER_LIKE.match(stripped)
    if match:
        marker = START_MARKER if match.group(1).upper() == "START" else END_MARKER
        return f"marker text was changed; restore this line exactly as: {marker}"
    return None


def looks_like_marker(line):
    """True for a marker line, or a line that was one before its text was changed."""
    return _marker_kind(line) is not None or _changed_marker_problem(line) is not None


def _functions_from_ast(tree, lines):
    """(qualname, def line, last line, def indentation width) of every function in ``tree``.

    The last line extends over the comments and blank lines after the last statement that are
    still indented deeper than the ``def``: a region may end a function body.
    """
    found = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + child.name
                last = child.end_lineno
                while last < len(lines):
                    text = _content(lines[last])
                    deeper = len(_indent_of(text)) > child.col_offset
                    if text.strip() and not (text.strip().startswith("#") and deeper):
                        break
                    last += 1
                found.append((name, child.lineno, last, child.col_offset))
                visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def _function_from_ast(functions, region_start, region_end, indent):
    inside = [
        (line, name, last)
        for name, line, last, col in functions
        if line < region_start <= last and len(indent) > col
    ]
    if not inside:
        return None, None
    _, name, last = max(inside)
    return name, last


def _function_by_scan(lines, region_start, indent):
    """Enclosing qualname read from indentation alone, for sources that do not parse."""
    names = []
    width = len(indent)
    for text in reversed([_content(line) for line in lines[: region_start - 1]]):
        if _is_comment_or_blank(text):
            continue
        own = len(_indent_of(text))
        if own >= width:
            continue
        width = own
        match = _DEF_LINE.match(text)
        if match:
            names.append(match.groups())
        if width == 0:
            break
    if not names or names[0][0] != "def":
        return None
    return ".".join(name for _, name in reversed(names))


def parse_regions(source, path="<source>"):
    """Parse the student regions of a Python source text.

    Inputs:
    - source: the file's text (LF or CRLF line endings, spaces or tabs)
    - path: the name used in error messages

    Returns a list of Region, in file order. Raises MarkerError listing every problem, each as
    "path:line: message": a START with no END, an END with no START, a START inside a region
    (nesting), START and END indented differently, code indented less than its markers or markers
    not at the indentation of the code they enclose, a marker that shares its line with code or
    whose text was changed, and a region outside a function or method body.
    """
    lines = split_lines(source)
    problems = []
    spans = []  # (start, end, indent)
    open_at = None
    open_indent = ""
    for number, line in enumerate(lines, start=1):
        text = _content(line)
        kind = _marker_kind(text)
        if kind is None:
            problem = _changed_marker_problem(text)
            if problem:
                problems.append(f"{path}:{number}: {problem}")
        elif kind == "start":
            if open_at is not None:
                problems.append(
                    f"{path}:{number}: START marker inside the region opened at line {open_at}; "
                    "regions cannot be nested: close that region with an END marker first"
                )
            else:
                open_at, open_indent = number, _indent_of(text)
        elif open_at is None:
            problems.append(f"{path}:{number}: END marker without a START marker above it")
        else:
            indent = _indent_of(text)
            if indent != open_indent:
                problems.append(
                    f"{path}:{number}: END marker is indented with {_describe_indent(indent)} but "
                    f"its START marker (line {open_at}) with {_describe_indent(open_indent)}"
                )
            spans.append((open_at, number, open_indent))
            open_at = None
    if open_at is not None:
        problems.append(f"{path}:{open_at}: START marker has no END marker after it")

    try:
        functions = _functions_from_ast(ast.parse(source), lines)
    except (SyntaxError, ValueError):
        functions = None

    regions = []
    for start, end, indent in spans:
        body = tuple(_content(line) for line in lines[start : end - 1])
        problems.extend(_indentation_problems(path, start, end, indent, body))
        if functions is None:
            function, last = _function_by_scan(lines, start, indent), end
        else:
            function, last = _function_from_ast(functions, start, end, indent)
        if function is None:
            problems.append(
                f"{path}:{start}: region is not inside a function or method body; "
                "regions go only inside functions"
            )
        elif end > last:
            problems.append(f"{path}:{end}: region starts in {function} but ends after it")
        regions.append(Region(start, end, indent, function or "<module>", body))

    if problems:
        raise MarkerError(sorted(set(problems), key=_problem_order))
    return regions


def _problem_order(problem):
    # "path:line: message" -> sort by line; the path is the same for all problems of one call.
    head, _, rest = problem.partition(": ")
    line = head.rsplit(":", 1)[-1]
    return (int(line) if line.isdigit() else 0, rest)


def _indentation_problems(path, start, end, indent, body):
    problems = []
    first_code = None
    for offset, text in enumerate(body, start=start + 1):
        if not text.strip():
            continue
        if not text.startswith(indent):
            problems.append(
                f"{path}:{offset}: line is indented with {_describe_indent(_indent_of(text))}, "
                f"less than or unlike its region's markers (lines {start}-{end}, "
                f"{_describe_indent(indent)})"
            )
        elif first_code is None and not text.strip().startswith("#"):
            first_code = (offset, _indent_of(text))
    if first_code is not None and first_code[1] != indent and first_code[1].startswith(indent):
        offset, code_indent = first_code
        problems.append(
            f"{path}:{start}: the region's markers are indented with {_describe_indent(indent)} "
            f"but its code (line {offset}) with {_describe_indent(code_indent)}; put the markers "
            "at the indentation of the code they enclose"
        )
    return problems


def stub_message(function, path):
    """The text of the NotImplementedError a stub raises for ``function`` defined in ``path``."""
    return (
        f"{function} in {path} is not implemented yet: "
        "replace this line with your code (see the TODO above)"
    )


def stub_statement(function, path):
    """The one line of code (without indentation) that replaces a region's body in the skeleton."""
    return f"{_STUB_RAISE}({stub_message(function, path)!r})"


def not_implemented_message(error):
    """ "<function> is not implemented yet" when ``error`` comes from a skeleton stub, else None.

    ``error`` is the exception itself, or the message of a NotImplementedError (with or without
    a leading "NotImplementedError: ") as the grader receives it from its child process.
    """
    if isinstance(error, BaseException):
        if not isinstance(error, NotImplementedError) or not error.args:
            return None
        error = str(error.args[0])
    match = _STUB_MESSAGE.match(str(error).strip())
    return f"{match.group('function')} is not implemented yet" if match else None


def _top_level_raises_and_code(region):
    raises, code = [], []
    for offset, text in enumerate(region.body, start=region.start + 1):
        if _is_comment_or_blank(text):
            continue
        stripped = text.strip()
        if _indent_of(text) == region.indent and stripped.startswith(_STUB_RAISE):
            raises.append(offset)
        elif stripped not in _NOT_CODE:
            code.append(offset)
    return raises, code


def is_stub_only(region):
    """True when the region still holds a top-level ``raise NotImplementedError`` and no code."""
    raises, code = _top_level_raises_and_code(region)
    return bool(raises) and not code


def leftover_stub_findings(source, path="<source>"):
    """The classic trap: regions holding both a ``raise NotImplementedError`` and other code.

    A raise left above the student's code runs first, so a correct answer still fails; one left
    below it fails after the code ran. Returns one message per such raise line, in file order,
    e.g. "line 57: delete the `raise NotImplementedError` line above your code in
    FullyConnectedNet.loss". Only raises at the region's own indentation count (a raise nested
    in an ``if`` is the student's choice). Raises MarkerError when the markers are malformed.
    """
    findings = []
    for region in parse_regions(source, path):
        raises, code = _top_level_raises_and_code(region)
        if not code:
            continue
        for line in raises:
            if line < code[0]:
                why = "above your code in {}: it runs first, so your code never runs"
            else:
                why = "below your code in {}: it raises even when your code is right"
            findings.append(
                f"line {line}: delete the `{_STUB_RAISE}` line " + why.format(region.function)
            )
    return findings
