"""Notebook parameters: typed conversion that undoes none of papermill's guesses silently."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from modlean.errors import ParameterError
from modlean.evidence import (
    FilePath,
    Flag,
    Ident,
    Integer,
    Items,
    Market,
    Number,
    Params,
    Text,
    notebook_parameters,
    validate,
)


def test_market_codes_stay_text_and_yaml_booleans_are_refused_with_a_fix():
    assert validate({"market": "NO"}, {"market": Market()}) == {"market": "NO"}
    # what YAML does to Norway: the message says why and how to pass it as text
    guessed = yaml.safe_load("market: NO")["market"]
    assert guessed is False
    with pytest.raises(ParameterError, match=r"'market'.*False.*a boolean.*-r market"):
        validate({"market": guessed}, {"market": Market()})


@pytest.mark.parametrize("bad", ["../x", "U S", "", "a/b", "x" * 33, 12])
def test_market_refuses_anything_that_could_not_name_a_folder(bad):
    with pytest.raises(ParameterError, match="'market'"):
        validate({"market": bad}, {"market": Market()})


def test_ids_keep_leading_zeros_and_numbers_are_refused():
    assert validate({"vendor": "0123"}, {"vendor": Ident()}).vendor == "0123"
    with pytest.raises(ParameterError, match=r"found 123.*leading zeros"):
        validate({"vendor": 123}, {"vendor": Ident()})


def test_yaml_list_of_markets_with_norway_is_an_error_naming_the_element():
    guessed = yaml.safe_load("[US, UK, NO]")
    assert guessed == ["US", "UK", False]
    with pytest.raises(ParameterError, match=r"'markets\[2\]'"):
        validate({"markets": guessed}, {"markets": Items(Market())})
    assert validate({"markets": "US, UK,NO"}, {"markets": Items(Market())}).markets == [
        "US", "UK", "NO"]


def test_text_is_converted_to_the_declared_type():
    schema = {"n": Integer(minimum=1), "rate": Number(maximum=1), "on": Flag(),
              "kind": Text(choices=["listing", "seller"])}
    got = validate({"n": "12", "rate": "0.25", "on": "yes", "kind": "seller"}, schema)
    assert got == {"n": 12, "rate": 0.25, "on": True, "kind": "seller"}
    assert isinstance(got, Params) and got.n == 12
    assert validate({"n": 3, "rate": 1, "on": False, "kind": "listing"}, schema).rate == 1.0


@pytest.mark.parametrize(("name", "value", "match"), [
    ("n", "5.5", "whole number"), ("n", True, "a boolean"), ("n", "0", "at least 1"),
    ("rate", "nan", "a number"), ("rate", "2", "at most 1"), ("on", "maybe", "true or false"),
    ("kind", "listings", "did you mean 'listing'"),
])
def test_bad_values_name_the_parameter_the_value_and_the_expectation(name, value, match):
    schema = {"n": Integer(minimum=1), "rate": Number(maximum=1), "on": Flag(),
              "kind": Text(choices=["listing", "seller"])}
    values = {"n": 1, "rate": 0.5, "on": True, "kind": "listing", name: value}
    with pytest.raises(ParameterError, match=match) as info:
        validate(values, schema)
    assert f"'{name}'" in str(info.value)


def test_optional_values_accept_none_and_blank():
    schema = {"limit": Integer(optional=True), "label": Text(optional=True)}
    assert validate({"limit": None, "label": ""}, schema) == {"limit": None, "label": None}
    with pytest.raises(ParameterError, match="found no value; expected a whole number"):
        validate({"limit": None}, {"limit": Integer()})


def test_paths_fill_placeholders_and_are_found_from_parent_folders(tmp_path, monkeypatch):
    (tmp_path / "data" / "US").mkdir(parents=True)
    (tmp_path / "data" / "US" / "events.csv").write_text("x\n")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    schema = {"market": Market(), "log": FilePath(exists=True), "out": FilePath()}
    got = validate({"market": "US", "log": "data/{market}/events.csv", "out": "o/{market}"},
                   schema)
    assert got.log == (tmp_path / "data" / "US" / "events.csv").resolve()
    assert got.out == Path("o/US")
    with pytest.raises(ParameterError, match=r"'data/UK/events.csv' does not exist"):
        validate({"market": "UK", "log": "data/{market}/events.csv", "out": "o"}, schema)
    with pytest.raises(ParameterError, match="placeholders must name parameters"):
        validate({"market": "US", "log": "data/{region}.csv", "out": "o"}, schema)


def test_unknown_names_are_errors_with_the_closest_known_name():
    with pytest.raises(ParameterError, match=r"unknown parameter 'markt'.*did you mean 'market'"):
        validate({"market": "US", "markt": "UK"}, {"market": Market()})
    # modules, functions and private names are never parameters
    assert validate({"market": "US", "_x": 1, "Path": Path, "yaml": yaml},
                    {"market": Market()}) == {"market": "US"}
    assert validate({"market": "US", "extra": 1}, {"market": Market()}, allow_extra=True)


def test_in_a_kernel_only_names_from_papermills_injected_cell_count():
    namespace = {"In": ["", "market = 'US'", "# Parameters\nmarket = \"UK\"\ntop = 3\n"],
                 "market": "UK", "top": 3}
    with pytest.raises(ParameterError, match="unknown parameter 'top'"):
        validate(namespace, {"market": Market()})
    # a variable assigned later in the notebook is not a parameter on re-running the cell
    later = {"In": ["", "market = 'US'", "summary = {'a': 1}"], "market": "US",
             "summary": {"a": 1}}
    assert validate(later, {"market": Market()}) == {"market": "US"}


def test_missing_parameter_and_bad_schema_are_errors():
    with pytest.raises(ParameterError, match="'market' is missing"):
        validate({}, {"market": Market()})
    with pytest.raises(ParameterError, match="schema entry 'market'"):
        validate({"market": "US"}, {"market": str})  # type: ignore[dict-item]


def _notebook(*sources: str, tagged: tuple[int, ...] = (0,)) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [new_markdown_cell("# t")] + [
        new_code_cell(s, metadata={"tags": ["parameters"]} if i in tagged else {})
        for i, s in enumerate(sources)]
    return nb


def test_notebook_parameters_reads_the_one_parameters_cell(tmp_path):
    nb = _notebook("market = 'US'\nn: int = 3  # rows\nnames = ['a', 'b']", "x = 1")
    assert notebook_parameters(nb) == {"market": "US", "n": 3, "names": ["a", "b"]}
    file = tmp_path / "n.ipynb"
    nbformat.write(nb, file)
    assert notebook_parameters(file)["n"] == 3


@pytest.mark.parametrize(("nb", "match"), [
    (_notebook("a = 1", "b = 2", tagged=(0, 1)), "found 2 cells"),
    (_notebook("a = 1", tagged=()), "found 0 cells"),
    (_notebook("import os\na = 1"), "line 1.*plain assignments"),
    (_notebook("a = len('x')"), "'a' is not a literal"),
    (_notebook("a = (1"), "line 1"),
])
def test_notebook_parameters_refuses_anything_but_plain_assignments(nb, match):
    with pytest.raises(ParameterError, match=match):
        notebook_parameters(nb)


def test_notebook_parameters_of_a_missing_file(tmp_path):
    with pytest.raises(ParameterError, match="does not exist"):
        notebook_parameters(tmp_path / "nope.ipynb")
