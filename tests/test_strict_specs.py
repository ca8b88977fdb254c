"""Strict specs: every key and value is used or refused with file, line and what to do. The
loader and the JSON Schema shipped for editors refuse the same invalid specs."""
import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from derive.errors import SpecError
from derive.spec import load_spec

SCHEMA = json.loads((Path(__file__).parents[1] / "derive" / "spec.schema.json").read_text())

BASE = {
    "id": "strict", "title": "A small valid spec", "source": {"course": "TEST", "year": 2026},
    "symbols": {
        "w": {"kind": "vector", "shape": ["d"]},
        "x": {"kind": "vector", "shape": ["d"]},
        "X": {"kind": "matrix", "shape": [1, 1]},
        "t": {"kind": "scalar"},
        "p": {"kind": "scalar", "assume": [{"interval": [0, 1], "open": True}]},
        "j": {"kind": "index", "range": [1, "d"]},
        "m": {"kind": "random", "dist": "bernoulli(p)", "index": "j"},
    },
    "parts": [{"id": "a", "goal": {"simplify": "w.T @ x - t"}}],
}


def _set(path, value):
    def mutate(spec):
        node = spec
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return mutate


# (mutation, words the loader's message must contain)
INVALID = {
    "dist on a vector": (_set(("symbols", "x", "dist"), "normal(0, 1)"), "only kind: random symbols have a distribution"),
    "positive matrix": (_set(("symbols", "X", "assume"), ["positive"]), "is not an assumption for a matrix"),
    "symmetric rectangular": (_set(("symbols", "w", "assume"), ["symmetric"]), "is not an assumption for a vector"),
    "assume on a random": (_set(("symbols", "m", "assume"), ["positive"]), "cannot take assume"),
    "range on a scalar": (_set(("symbols", "t", "range"), [1, 3]), "only kind: index takes a range"),
    "index on a vector": (_set(("symbols", "w", "index"), "j"), "only scalar and random symbols form a family"),
    "specialize with a list": (_set(("parts", 0, "specialize"), {"X": [1, 2]}), "give a number, an expression"),
    "goal and goals": (_set(("parts", 0, "goals"), [{"simplify": "t"}]), "exactly one of goal: (one goal) or goals:"),
    "misspelt key": (_set(("symbols", "t", "assumptions"), ["positive"]), "Did you mean 'assume'?"),
    "title as a list": (_set(("title",), ["a", "b"]), "must be text, not a list"),
    "symbolic interval bound": (_set(("symbols", "p", "assume"), [{"interval": ["a", "b"]}]), "must be a number"),
    "source as text": (_set(("source",), "x"), "source must be a mapping"),
    "latex as a mapping": (_set(("symbols", "t", "latex"), {"a": 1}), "must be text"),
    "statement as a list": (_set(("statement",), ["x"]), "must be text"),
    "conventions as a mapping": (_set(("parts", 0, "conventions"), {"name": "x"}), "conventions must be a list"),
    "open as text": (_set(("symbols", "p", "assume"), [{"interval": [0, 1], "open": "yes"}]), "open must be"),
}


def _load(spec, tmp_path):
    path = tmp_path / "strict.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return load_spec(path)


def test_the_base_spec_is_valid_for_both(tmp_path):
    jsonschema.validate(BASE, SCHEMA)
    assert _load(copy.deepcopy(BASE), tmp_path).id == "strict"


@pytest.mark.parametrize("name", sorted(INVALID))
def test_loader_and_schema_refuse_the_same_invalid_specs(name, tmp_path):
    mutate, words = INVALID[name]
    spec = copy.deepcopy(BASE)
    mutate(spec)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(spec, SCHEMA)
    with pytest.raises(SpecError) as err:
        _load(spec, tmp_path)
    assert words in str(err.value)
    assert "strict.yaml, line " in str(err.value)   # file and line


@pytest.mark.parametrize("text, words", [
    ("id: t\ntitle: x\nsource: {course: c}\nparts: &p [{id: a, goal: {simplify: '1'}}]\nother: *p\n", "anchors and aliases"),
    ("id: t\ntitle: !!python/name:os.system x\nsource: {course: c}\nparts: []\n", "tag"),
    ("a: &a [1, 2]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n", "aliases"),
    ("- &x [*x]\n", "aliases"),
])
def test_yaml_aliases_and_tags_are_refused_cheaply(text, words, tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    with pytest.raises(SpecError) as err:
        load_spec(path)
    assert words in str(err.value) and "bomb.yaml" in str(err.value)


def test_a_function_given_is_applied_not_multiplied(tmp_path):
    from derive.engine import derive

    spec = copy.deepcopy(BASE)
    spec["symbols"]["z"] = {"kind": "scalar"}
    spec["givens"] = {"s(z)": "sigmoid(z)"}
    spec["parts"] = [{"id": "a", "goal": {"simplify": "s(t) + s(2*t)"}}]
    part, = derive(_load(spec, tmp_path)).parts
    assert not part.error
    import sympy as sp
    t = sp.Symbol("t", real=True)
    value = part.answer.subs(t, sp.Rational(1, 3))
    expected = 1 / (1 + sp.exp(-sp.Rational(1, 3))) + 1 / (1 + sp.exp(-sp.Rational(2, 3)))
    assert abs(sp.N(value - expected, 30)) < 1e-25


def test_a_bad_spec_in_the_bank_leaves_the_others_listed(tmp_path):
    from derive.bank import scan

    (tmp_path / "good.yaml").write_text(yaml.safe_dump(BASE))
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    (tmp_path / "source.yaml").write_text("id: s\ntitle: t\nsource: x\nparts: []\n")
    found, bad = scan(tmp_path)
    assert [e.id for e in found] == ["strict"]
    assert sorted(Path(e.file).name for e in bad) == ["list.yaml", "source.yaml"]
    assert all(e.line for e in bad)


def test_verify_refuses_unknown_ids_and_verifies_paths(tmp_path):
    from click.testing import CliRunner

    from derive.cli import main

    result = CliRunner().invoke(main, ["verify", "no-such-id"])
    assert result.exit_code == 2 and "no problem named 'no-such-id'" in result.output
    spec = copy.deepcopy(BASE)
    spec["parts"][0]["expect"] = "x.T @ w - t"
    path = tmp_path / "v.yaml"
    path.write_text(yaml.safe_dump(spec))
    result = CliRunner().invoke(main, ["verify", str(path)])
    assert result.exit_code == 0 and "1 passed, 0 failed" in result.output
    spec["parts"][0]["expect"] = "x.T @ w + t"
    path.write_text(yaml.safe_dump(spec))
    result = CliRunner().invoke(main, ["verify", str(path)])
    assert result.exit_code == 1 and "0 passed, 1 failed" in result.output
