"""grader/authoring/regions.py: parsing START/END regions, the stub's message, and leftover
stubs."""

import textwrap

import pytest

from grader.authoring.regions import (
    END_MARKER,
    START_MARKER,
    MarkerError,
    is_stub_only,
    leftover_stub_findings,
    not_implemented_message,
    parse_regions,
    stub_message,
    stub_statement,
)

S, E = START_MARKER, END_MARKER


def src(text):
    """Dedent a test source and fill in the markers: {S} and {E}."""
    return textwrap.dedent(text).lstrip("\n").replace("{S}", S).replace("{E}", E)


def problems_of(source, path="f.py"):
    with pytest.raises(MarkerError) as info:
        parse_regions(source, path)
    return info.value.problems


GOOD = src(
    """
    import numpy as np


    def relu_forward(x):
        out = None
        # TODO: apply the ReLU.
        {S}
        out = np.maximum(0, x)
        {E}
        return out, x


    class Net:
        def loss(self, X):
            if X is None:
                # TODO: handle the empty case.
                {S}
                return 0.0
                {E}
            return 1.0
    """
)


def test_well_formed_regions_give_lines_indent_function_and_body():
    first, second = parse_regions(GOOD, "f.py")
    assert (first.start, first.end, first.indent) == (7, 9, "    ")
    assert first.function == "relu_forward"
    assert first.body == ("    out = np.maximum(0, x)",)
    assert (second.start, second.end, second.indent) == (17, 19, " " * 12)
    assert second.function == "Net.loss"
    assert second.body == (" " * 12 + "return 0.0",)


def test_file_without_markers_has_no_regions():
    assert parse_regions("def f():\n    return 1\n") == []


def test_start_without_end_is_reported_at_the_start_line():
    source = src(
        """
        def f(x):
            # TODO: do it.
            {S}
            return x
        """
    )
    [problem] = problems_of(source)
    assert problem.startswith("f.py:3: ")
    assert "START marker has no END marker" in problem


def test_end_without_start_is_reported_at_the_end_line():
    source = src(
        """
        def f(x):
            y = x
            {E}
            return y
        """
    )
    [problem] = problems_of(source)
    assert problem.startswith("f.py:3: ")
    assert "END marker without a START marker" in problem


def test_nested_start_is_reported_at_the_inner_start_and_names_the_outer():
    source = src(
        """
        def f(x):
            # TODO: do it.
            {S}
            y = x
            {S}
            z = y
            {E}
            return z
        """
    )
    problems = problems_of(source)
    assert problems[0].startswith("f.py:5: ")
    assert "opened at line 3" in problems[0] and "nested" in problems[0]


def test_end_indented_differently_from_its_start_is_refused():
    source = src(
        """
        def f(x):
            # TODO: do it.
            {S}
            y = x
                {E}
            return y
        """
    )
    [problem] = problems_of(source)
    assert problem.startswith("f.py:5: ")
    assert "8 spaces" in problem and "(line 3) with 4 spaces" in problem


def test_markers_shallower_than_the_code_they_enclose_are_refused():
    source = src(
        """
        def f(xs):
            total = 0
            for x in xs:
            # TODO: add x.
            {S}
                total += x
            {E}
            return total
        """
    )
    [problem] = problems_of(source)
    assert problem.startswith("f.py:5: ")
    assert "put the markers at the indentation of the code" in problem


def test_code_shallower_than_its_markers_is_refused_at_the_code_line():
    source = src(
        """
        def f(x):
            if x:
                # TODO: do it.
                {S}
                y = 1
            y = 2
                {E}
            return y
        """
    )
    problems = problems_of(source)
    assert any(p.startswith("f.py:6: ") and "less than or unlike" in p for p in problems)


@pytest.mark.parametrize(
    "changed",
    [
        "# *****START OF YOUR CODE*****",
        "# START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)",
        "# *****start of your code (do not delete/modify this line)*****",
        "#*****START OF YOUR CODE (DO NOT DELETE THIS LINE)*****",
    ],
)
def test_a_start_marker_whose_text_was_changed_is_reported_with_the_exact_text(changed):
    source = src(
        f"""
        def f(x):
            # TODO: do it.
            {changed}
            y = x
            {{E}}
            return y
        """
    )
    problems = problems_of(source)
    assert problems[0].startswith("f.py:3: ")
    assert "marker text was changed" in problems[0] and START_MARKER in problems[0]


def test_a_marker_sharing_its_line_with_code_is_refused():
    source = src(
        """
        def f(x):
            # TODO: do it.
            {S}
            y = x  {E}
            return y
        """
    )
    problems = problems_of(source)
    assert any(p.startswith("f.py:4: ") and "alone on its line" in p for p in problems)


def test_a_todo_that_mentions_the_markers_is_not_mistaken_for_one():
    source = src(
        """
        def f(x):
            # TODO: write the code between the START/END OF YOUR CODE markers.
            {S}
            y = x
            {E}
            return y
        """
    )
    assert len(parse_regions(source)) == 1


def test_a_region_at_module_level_is_refused():
    source = src(
        """
        # TODO: set it.
        {S}
        VALUE = 1
        {E}
        """
    )
    [problem] = problems_of(source)
    assert problem.startswith("f.py:2: ")
    assert "not inside a function" in problem


def test_a_region_in_a_class_body_outside_any_method_is_refused():
    source = src(
        """
        class Net:
            # TODO: set it.
            {S}
            layers = 3
            {E}

            def f(self):
                return self.layers
        """
    )
    [problem] = problems_of(source)
    assert problem.startswith("f.py:3: ") and "not inside a function" in problem


def test_an_empty_region_parses_with_an_empty_body():
    source = src(
        """
        def f(x):
            # TODO: do it.
            {S}
            {E}
            return x
        """
    )
    [region] = parse_regions(source)
    assert region.body == () and region.function == "f"


def test_a_region_that_ends_its_function_belongs_to_it_and_nested_names_are_dotted():
    source = src(
        """
        def outer(x):
            def inner(y):
                # TODO: do it.
                {S}
                print(y)
                {E}

            return inner(x)


        def after():
            pass
        """
    )
    [region] = parse_regions(source)
    assert region.function == "outer.inner"


def test_crlf_sources_parse_with_the_same_line_numbers():
    lf_regions = parse_regions(GOOD)
    crlf_regions = parse_regions(GOOD.replace("\n", "\r\n"))
    assert [(r.start, r.end, r.function, r.body) for r in crlf_regions] == [
        (r.start, r.end, r.function, r.body) for r in lf_regions
    ]


def test_crlf_errors_keep_their_line_numbers():
    source = src(
        """
        def f(x):
            # TODO: do it.
            {S}
            return x
        """
    ).replace("\n", "\r\n")
    [problem] = problems_of(source)
    assert problem.startswith("f.py:3: ")


def test_a_tab_indented_file_parses():
    source = "def f(x):\n\t# TODO: do it.\n\t" + S + "\n\ty = x\n\t" + E + "\n\treturn y\n"
    [region] = parse_regions(source)
    assert region.indent == "\t" and region.body == ("\ty = x",)


def test_a_tab_indented_marker_in_space_indented_code_is_refused():
    source = "def f(x):\n    # TODO: do it.\n\t" + S + "\n    y = x\n\t" + E + "\n    return y\n"
    problems = problems_of(source)
    assert any(p.startswith("f.py:4: ") and "1 tab(s)" in p for p in problems)


def test_every_problem_of_a_file_is_reported_in_line_order():
    source = src(
        """
        def f(x):
            {E}
            # TODO: do it.
            {S}
            return x
        """
    )
    problems = problems_of(source)
    assert [p.split(":")[1] for p in problems] == ["2", "4"]


def test_a_file_with_a_syntax_error_still_names_the_enclosing_method():
    source = src(
        """
        class Net:
            def loss(self, X):
                # TODO: do it.
                {S}
                scores = X @ (
                {E}
                return scores
        """
    )
    [region] = parse_regions(source)
    assert region.function == "Net.loss"


# --- the stub and its message ------------------------------------------------------------------


def _raise_stub(function="FullyConnectedNet.loss", path="assignment/classifiers/fc_net.py"):
    namespace = {}
    exec(f"def call():\n    {stub_statement(function, path)}\n", namespace)
    with pytest.raises(NotImplementedError) as info:
        namespace["call"]()
    return info.value


def test_the_stub_raises_not_implemented_naming_the_function_and_file():
    error = _raise_stub()
    assert str(error).startswith("FullyConnectedNet.loss in assignment/classifiers/fc_net.py ")
    assert "not implemented yet" in str(error)


def test_a_stub_error_becomes_function_is_not_implemented_yet():
    assert not_implemented_message(_raise_stub()) == "FullyConnectedNet.loss is not implemented yet"


@pytest.mark.parametrize("prefix", ["", "NotImplementedError: "])
def test_a_stub_message_as_text_becomes_function_is_not_implemented_yet(prefix):
    text = prefix + stub_message("affine_forward", "assignment/layers.py")
    assert not_implemented_message(text) == "affine_forward is not implemented yet"


@pytest.mark.parametrize(
    "error",
    [
        NotImplementedError(),
        NotImplementedError("mode 'foo' is not supported"),
        ValueError(stub_message("f", "assignment/layers.py")),
        "shapes (2,3) and (4,5) not aligned",
    ],
)
def test_errors_that_are_not_stubs_are_left_alone(error):
    assert not_implemented_message(error) is None


# --- leftover stubs ----------------------------------------------------------------------------


def _with_body(*body_lines):
    body = "\n".join("    " + line for line in body_lines)
    return (
        f"def affine_forward(x, w):\n    # TODO: do it.\n    {S}\n{body}\n    {E}\n    return x\n"
    )


STUB = stub_statement("affine_forward", "assignment/layers.py")


def test_a_raise_left_above_the_students_code_is_reported_with_its_line():
    findings = leftover_stub_findings(_with_body(STUB, "out = x @ w"))
    assert findings == [
        "line 4: delete the `raise NotImplementedError` line above your code in affine_forward: "
        "it runs first, so your code never runs"
    ]


def test_a_raise_left_below_the_students_code_is_reported_too():
    [finding] = leftover_stub_findings(_with_body("out = x @ w", STUB))
    assert finding.startswith("line 5: delete the `raise NotImplementedError` line below")


def test_an_untouched_stub_is_not_a_leftover_but_is_stub_only():
    source = _with_body("# a note", STUB, "pass")
    assert leftover_stub_findings(source) == []
    [region] = parse_regions(source)
    assert is_stub_only(region)


def test_finished_code_is_neither_leftover_nor_stub_only():
    source = _with_body("out = x @ w")
    assert leftover_stub_findings(source) == []
    assert not is_stub_only(parse_regions(source)[0])


def test_a_raise_nested_in_the_students_own_branch_is_not_a_leftover():
    source = _with_body("if x is None:", "    raise NotImplementedError('no input')", "out = x @ w")
    assert leftover_stub_findings(source) == []


def test_leftover_findings_refuse_malformed_markers():
    with pytest.raises(MarkerError):
        leftover_stub_findings(f"def f():\n    {S}\n    return 1\n", "layers.py")
