"""Problem specs: YAML files read into a typed ``Spec`` (symbols, givens, parts, goals).

A spec says what is known and what is wanted, never how to derive it. The optional ``expect``
of a part is read only by tests and ``derive verify``. Every error names the file and line.
See the README ("Spec format") and ``derive/spec.schema.json``.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ParseError, SpecError
from .expr import ast as A
from .expr.parse import parse
from .expr.symbols import Domain, SymbolInfo, SymbolTable, make_dim, make_scalar
from .spec_goals import Goal, GoalReading
from .yamlsrc import Lines, load

TOP_KEYS = ("id", "title", "source", "sheet", "statement", "symbols", "givens", "parts")
SYMBOL_KEYS = ("kind", "shape", "assume", "latex", "description", "index", "dist", "mean_of", "range", "args")
PART_KEYS = ("id", "ask", "goal", "goals", "uses", "specialize", "conventions", "expect", "figure", "answer_as",
             "discussion", "where")
ASSUMPTION_WORDS = ("real", "positive", "negative", "nonnegative", "nonpositive", "nonzero", "integer")
_GIVEN_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\(\s*([A-Za-z_][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*)\s*\))?$")


@dataclass
class Convention:
    name: str
    description: str
    goal: Goal


@dataclass
class Part:
    id: str
    ask: str
    goal: Goal
    uses: dict[str, str] = field(default_factory=dict)        # name -> earlier part id
    specialize: dict[str, Any] = field(default_factory=dict)  # dim -> int, matrix -> scalar name
    conventions: list[Convention] = field(default_factory=list)
    expect: A.Node | None = None
    expect_text: str = ""
    figure: dict | None = None
    answer_as: tuple[str, A.Node] | None = None               # report e.g. theta = theta_t + delta
    line: int | None = None
    table: SymbolTable | None = None                          # the symbols this part sees
    goals: list[Goal] = field(default_factory=list)           # all of the part's goals (goal is the first)
    values: dict[str, A.Node] = field(default_factory=dict)   # specialize: symbol -> number / vec / mat
    discussion: str = ""                                       # the instructor's prose answer, not derived
    where: list = field(default_factory=list)                 # inequalities (A.Rel) the part is asked under

    def answer_shape(self):
        """Shape of this part's answer value (None for a scalar)."""
        from .expr.build import Builder

        g = self.goal
        if g.kind in ("minimize", "solve", "step"):
            return self.table[g.wrt].shape
        if g.kind == "unroll":
            return self.table[g.state].shape
        if g.kind in ("mean", "variance"):
            return None
        return Builder(self.table).build(g.expr).shape


@dataclass
class Given:
    name: str
    params: tuple[str, ...]
    body: A.Node
    text: str
    latex: str
    description: str
    line: int | None


@dataclass
class Spec:
    id: str
    title: str
    source: dict
    sheet: str
    statement: str
    table: SymbolTable
    givens: list[Given]
    parts: list[Part]
    path: str
    lines: Lines

    def part(self, pid: str) -> Part:
        for p in self.parts:
            if p.id == pid:
                return p
        raise SpecError(f"no part '{pid}'. Parts: {', '.join(p.id for p in self.parts)}", self.path)


def load_spec(path: str | Path, text: str | None = None) -> Spec:
    """Read and validate one spec file. Raises ``SpecError`` naming file and line."""
    path = Path(path)
    shown = str(path)
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise SpecError(f"cannot read the file: {err}", shown) from None
    data, lines = load(text, shown)
    return _Reader(shown, lines).spec(data)


class _Reader(GoalReading):
    def __init__(self, file: str, lines: Lines):
        self.file, self.lines = file, lines

    def err(self, message: str, *path) -> SpecError:
        return SpecError(message, self.file, self.lines.of(*path))

    def check_keys(self, data: Any, allowed, *path, what: str) -> None:
        if not isinstance(data, dict):
            raise self.err(f"{what} must be a mapping of keys to values", *path)
        for key in data:
            if key not in allowed:
                close = _did_you_mean(str(key), allowed)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                raise self.err(f"unknown key '{key}' in {what}.{hint} Allowed: {', '.join(allowed)}.", *path, key)

    def text(self, data: dict, key: str, *path, what: str, required: bool = False) -> str:
        """A text field: a string (or a number, read as its digits); lists, mappings and booleans
        are refused so that nothing is printed as a Python repr."""
        value = self.require(data, key, *path, what=what) if required else data.get(key)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.err(f"'{key}' of {what} must be text, not a {_yaml_type(value)}", *path, key)
        return str(value)

    def require(self, data: dict, key: str, *path, what: str):
        if key not in data or data[key] in (None, ""):
            raise self.err(f"{what} is missing the required field '{key}'", *path)
        return data[key]

    def expr(self, text: Any, table: SymbolTable, *path) -> A.Node:
        """Parse spec text with our grammar and type-check it against ``table``."""
        from .expr.build import Builder

        if isinstance(text, bool) or not isinstance(text, (str, int, float)):
            raise self.err("expected an expression written as text, e.g. 'w.T @ x'", *path)
        text = str(text)
        try:
            node = parse(text)
            _check_names(node, table, text)
            Builder(table, text).build(node)
        except ParseError as e:
            shown = text if len(text) <= 120 else text[:100] + " …"
            raise self.err(f"in '{shown}': {e.message}", *path) from None
        return node

    # -- top level -----------------------------------------------------------------------
    def spec(self, data: Any) -> Spec:
        self.check_keys(data, TOP_KEYS, what="the spec")
        pid = str(self.require(data, "id", what="the spec"))
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", pid):
            raise self.err(f"id '{pid}' must be lowercase letters, digits and '-'", "id")
        title = self.text(data, "title", what="the spec", required=True)
        source = self.require(data, "source", what="the spec")
        if not isinstance(source, dict) or "course" not in source:
            raise self.err("source must be a mapping with at least 'course' (and sheet, year, questions)", "source")
        self.source(source)
        statement = self.text(data, "statement", what="the spec").strip()
        sheet = self.text(data, "sheet", what="the spec") or _sheet_id(source)
        table = self.symbols(data.get("symbols") or {})
        givens = self.givens(data.get("givens") or {}, table)
        parts_data = self.require(data, "parts", what="the spec")
        if not isinstance(parts_data, list) or not parts_data:
            raise self.err("parts must be a non-empty list", "parts")
        parts: list[Part] = []
        for i, pd in enumerate(parts_data):
            parts.append(self.part(pd, i, table, parts))
        return Spec(pid, title, source, sheet, statement, table, givens, parts, self.file, self.lines)

    def source(self, source: dict) -> None:
        for key, value in source.items():
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                    raise self.err(f"source '{key}' must be text or a number (or a list of them for questions), "
                                   f"not a {_yaml_type(item)}", "source", key)

    # -- symbols -------------------------------------------------------------------------
    def symbols(self, data: Any) -> SymbolTable:
        if not isinstance(data, dict):
            raise self.err("symbols must be a mapping from name to its declaration", "symbols")
        table = SymbolTable()
        # indices first (families refer to them), then the rest
        rank = {"index": 0, "random": 2}
        order = sorted(data, key=lambda k: rank.get(data[k].get("kind"), 1) if isinstance(data[k], dict) else 1)
        for name in order:
            self.symbol(name, data[name], table)
        written = list(data)   # shown in the order the spec writes them (dimensions where first used)
        table.symbols = dict(sorted(table.symbols.items(), key=lambda kv: written.index(kv[0]) if kv[0] in written else -1))
        return table

    def symbol(self, name: str, decl: Any, table: SymbolTable) -> None:
        path = ("symbols", name)
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise self.err(f"symbol name '{name}' must be letters, digits and '_'", *path)
        self.check_keys(decl, SYMBOL_KEYS, *path, what=f"symbol '{name}'")
        kind = self.require(decl, "kind", *path, what=f"symbol '{name}'")
        kinds = ("scalar", "vector", "matrix", "index", "random", "function")
        if kind not in kinds:
            close = difflib.get_close_matches(str(kind), kinds, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise self.err(f"symbol '{name}' has unknown kind '{kind}'.{hint} Kinds: {', '.join(kinds)}.", *path, "kind")
        self.fits_kind(name, kind, decl, path)
        if kind in ("vector", "matrix"):
            assumptions, domain = self.matrix_assumptions(kind, decl.get("assume"), *path, "assume"), None
        else:
            assumptions, domain = self.assumptions(decl.get("assume"), *path, "assume")
        latex = self.text(decl, "latex", *path, what=f"symbol '{name}'") or _default_latex(name)
        info = SymbolInfo(name, kind, None, latex=latex, assumptions=assumptions, domain=domain,
                          description=self.text(decl, "description", *path, what=f"symbol '{name}'"),
                          line=self.lines.of(*path))
        if kind == "function":
            from sympy import Function

            count = decl.get("args", 1)
            if count != 1:
                raise self.err(f"function '{name}' takes args: 1 (functions of one scalar are supported)", *path, "args")
            info.kind, info.obj, info.params = "ufunc", Function(name, real=True), ("_",)
            table.add(info)
            return
        if kind == "index":
            rng = self.require(decl, "range", *path, what=f"index '{name}'")
            if not isinstance(rng, list) or len(rng) != 2:
                raise self.err(f"index '{name}' needs range: [lower, upper], e.g. [1, D]", *path, "range")
            info.obj = make_dim(name)
            info.range = tuple(self.dim(v, table, *path, "range") for v in rng)
        elif kind in ("vector", "matrix"):
            shape = self.require(decl, "shape", *path, what=f"{kind} '{name}'")
            want = 1 if kind == "vector" else 2
            if not isinstance(shape, list) or len(shape) != want:
                example = "[d]" if kind == "vector" else "[n, d]"
                raise self.err(f"{kind} '{name}' needs shape with {want} entr{'y' if want == 1 else 'ies'}, e.g. {example}", *path, "shape")
            dims = [self.dim(v, table, *path, "shape") for v in shape]
            from sympy import Integer, MatrixSymbol

            info.shape = (dims[0], dims[1] if kind == "matrix" else Integer(1))
            info.obj = MatrixSymbol(name, *info.shape)
            from .structured import SQUARE_ONLY

            square = [a for a in info.assumptions if a in SQUARE_ONLY]
            if square and info.shape[0] != info.shape[1]:
                raise self.err(f"'{name}' is {square[0].replace('_', ' ')}, so it must be square; its shape is "
                               f"[{', '.join(str(d) for d in info.shape)}]", *path, "shape")
        elif kind == "random" and "shape" in decl:
            from .spec_random import random_array

            random_array(self, info, decl, table, path)
        else:
            if "shape" in decl:
                raise self.err(f"{kind} '{name}' cannot have a shape; use kind: vector or matrix", *path, "shape")
            if "mean_of" in decl:
                raise self.err(f"'{name}' has mean_of: but no shape; mean_of: B is for a random vector "
                               "(shape: [d]), the mean of B i.i.d. draws", *path, "mean_of")
            if kind == "random":
                info.dist = self.distribution(decl, table, *path)
            if decl.get("index") is not None:
                raw = decl["index"]
                names = [str(x) for x in raw] if isinstance(raw, list) else [str(raw)]
                if not 1 <= len(names) <= 2:
                    raise self.err(f"'{name}' takes index: j or index: [i, j] (one or two indices)", *path, "index")
                for idx in names:
                    if idx not in table or table[idx].kind != "index":
                        raise self.err(f"'{name}' is indexed by '{idx}', which is not declared as kind: index", *path, "index")
                from sympy import IndexedBase

                info.index = names[0] if len(names) == 1 else tuple(names)
                info.obj = IndexedBase(name, real=True)
            else:
                info.obj = make_scalar(name, assumptions, domain)
        table.add(info)

    def fits_kind(self, name: str, kind: str, decl: dict, path) -> None:
        """Refuse keys that the symbol's kind would silently ignore."""
        if "dist" in decl and kind != "random":
            raise self.err(f"'{name}' has dist: but kind: {kind}; only kind: random symbols have a distribution "
                           "(a random vector is kind: random with shape: [d])", *path, "dist")
        if "mean_of" in decl and kind != "random":
            raise self.err(f"'{name}' has mean_of: but kind: {kind}; only a kind: random vector is a mean of draws",
                           *path, "mean_of")
        if "index" in decl and "shape" in decl and kind == "random":
            raise self.err(f"'{name}' has both shape: and index:; a family of random vectors is not supported "
                           "(use a random matrix, or mean_of: B for the mean of B draws)", *path, "index")
        if "assume" in decl and kind in ("random", "index", "function"):
            why = {"random": "its values come from its dist", "index": "its values come from its range",
                   "function": "it stands for any differentiable function"}[kind]
            raise self.err(f"'{name}' is a {kind} and cannot take assume: ({why})", *path, "assume")
        if "args" in decl and kind != "function":
            raise self.err(f"'{name}' has args: but kind: {kind}; only kind: function takes args", *path, "args")
        if "shape" in decl and kind == "function":
            raise self.err(f"function '{name}' cannot have a shape: it maps a scalar to a scalar", *path, "shape")
        if "range" in decl and kind != "index":
            raise self.err(f"'{name}' has range: but kind: {kind}; only kind: index takes a range", *path, "range")
        if "index" in decl and kind not in ("scalar", "random"):
            raise self.err(f"'{name}' has index: but kind: {kind}; only scalar and random symbols form a family over an index",
                           *path, "index")

    def dim(self, value: Any, table: SymbolTable, *path):
        from sympy import Integer

        if isinstance(value, bool):
            raise self.err("a dimension must be a positive integer or a name like n", *path)
        if isinstance(value, int):
            if value < 1:
                raise self.err(f"dimension {value} must be at least 1", *path)
            return Integer(value)
        if isinstance(value, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
            existing = table.get(value)
            if existing is None:
                table.add(SymbolInfo(value, "dim", make_dim(value), latex=_default_latex(value),
                                     assumptions=("positive", "integer"), line=self.lines.of(*path)))
                return table[value].obj
            if existing.kind not in ("dim",):
                raise self.err(f"'{value}' is declared as a {existing.kind} and cannot be a dimension", *path)
            return existing.obj
        raise self.err(f"a dimension must be a positive integer or a name like n, not {value!r}", *path)

    def assumptions(self, value: Any, *path) -> tuple[tuple[str, ...], Domain | None]:
        if value is None:
            return (), None
        items = value if isinstance(value, list) else [value]
        words: list[str] = []
        domain = None
        for item in items:
            if isinstance(item, str):
                if item not in ASSUMPTION_WORDS:
                    close = difflib.get_close_matches(item, ASSUMPTION_WORDS, n=1)
                    hint = f" Did you mean '{close[0]}'?" if close else ""
                    raise self.err(f"unknown assumption '{item}'.{hint} Known: {', '.join(ASSUMPTION_WORDS)}, or {{interval: [lo, hi], open: true}}", *path)
                words.append(item)
            elif isinstance(item, dict) and "interval" in item:
                self.check_keys(item, ("interval", "open"), *path, what="an interval assumption")
                lo_hi = item["interval"]
                if not isinstance(lo_hi, list) or len(lo_hi) != 2:
                    raise self.err("interval must be [lower, upper]; use null for an unbounded end", *path)
                opened = item.get("open", True)
                if not (isinstance(opened, bool) or isinstance(opened, list) and len(opened) == 2
                        and all(isinstance(o, bool) for o in opened)):
                    raise self.err("open must be true, false, or [lower_open, upper_open]", *path)
                lo_open, hi_open = (opened, opened) if isinstance(opened, bool) else tuple(opened)
                lo, hi = (None if v is None else self.bound(v, *path) for v in lo_hi)
                if lo is not None and hi is not None and lo >= hi:
                    raise self.err(f"interval [{lo}, {hi}] is empty", *path)
                domain = Domain(lo, hi, bool(lo_open), bool(hi_open))
            else:
                raise self.err("assume takes words (positive, nonzero, ...) or {interval: [lo, hi], open: true}", *path)
        return tuple(words), domain

    def matrix_assumptions(self, kind: str, value: Any, *path) -> tuple[str, ...]:
        from .structured import MATRIX_ASSUMPTIONS, VECTOR_ASSUMPTIONS

        if value is None:
            return ()
        allowed = MATRIX_ASSUMPTIONS if kind == "matrix" else VECTOR_ASSUMPTIONS
        out = []
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, str) or item not in allowed:
                close = _did_you_mean(str(item), allowed)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                raise self.err(f"'{item}' is not an assumption for a {kind}.{hint} Known: {', '.join(allowed)}", *path)
            out.append(item)
        return tuple(out)

    def bound(self, value: Any, *path):
        """An interval end: a number (1, 0.5, '1/2'); names are refused, the bounds must be known."""
        from fractions import Fraction

        from sympy import Rational

        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise self.err(f"an interval bound must be a number, not a {_yaml_type(value)}", *path)
        try:
            f = Fraction(str(value).strip())
        except (ValueError, ZeroDivisionError):
            raise self.err(f"an interval bound must be a number such as 0, 1 or 1/2, not '{value}' "
                           "(bounds that are symbols are not supported)", *path) from None
        if abs(f.numerator) > 10 ** 40 or f.denominator > 10 ** 40:
            raise self.err(f"the interval bound '{value}' has too many digits", *path)
        return Rational(f.numerator, f.denominator)

    def distribution(self, decl: dict, table: SymbolTable, *path) -> tuple:
        text = self.require(decl, "dist", *path, what="a random symbol")
        try:
            node = parse(str(text))
        except ParseError as e:
            raise self.err(f"in dist '{text}': {e.message}", *path, "dist") from None
        if not isinstance(node, A.Call) or node.func not in ("bernoulli", "normal"):
            raise self.err(f"dist must be bernoulli(p) or normal(mean, variance), not '{text}'", *path, "dist")
        want = 1 if node.func == "bernoulli" else 2
        if len(node.args) != want:
            raise self.err(f"{node.func} takes {want} parameter(s)", *path, "dist")
        from .expr.build import Builder

        params = []
        for a in node.args:
            try:
                _check_names(a, table, str(text))
                value = Builder(table, str(text)).build(a)
            except ParseError as e:
                raise self.err(f"in dist '{text}': {e.message} (declare its parameters as symbols)", *path, "dist") from None
            if value.shape is not None:
                raise self.err(f"in dist '{text}': the parameters of a scalar random symbol are scalars; for a random "
                               "vector or matrix add shape: [d] or [n, d]", *path, "dist")
            params.append(value.expr)
        return (node.func, *params)

    # -- givens --------------------------------------------------------------------------
    def givens(self, data: Any, table: SymbolTable) -> list[Given]:
        if not isinstance(data, dict):
            raise self.err("givens must be a mapping like  f(x): 'w.T @ x'  or  x_adv: 'x - epsilon*w'", "givens")
        out = []
        for key, value in data.items():
            path = ("givens", key)
            m = _GIVEN_KEY.match(str(key))
            if not m:
                raise self.err(f"given '{key}' must be a name or a function like f(x)", *path)
            name, params = m.group(1), tuple(p.strip() for p in (m.group(2) or "").split(",") if p.strip())
            if isinstance(value, dict):
                self.check_keys(value, ("expr", "latex", "description", "abbreviation"), *path, what=f"given '{key}'")
                text = self.require(value, "expr", *path, what=f"given '{key}'")
                latex = self.text(value, "latex", *path, what=f"given '{key}'") or _default_latex(name)
                desc = self.text(value, "description", *path, what=f"given '{key}'")
                abbreviation = value.get("abbreviation", False)
                if not isinstance(abbreviation, bool):
                    raise self.err(f"abbreviation of given '{key}' must be true or false", *path, "abbreviation")
            else:
                text, latex, desc, abbreviation = value, _default_latex(name), "", False
            if name in table and table[name].kind not in ("dim",):
                raise self.err(f"given '{name}' is already declared as a symbol; choose another name", *path)
            for p in params:
                if p not in table:
                    raise self.err(f"parameter '{p}' of {name}(...) must be a declared symbol (its type is taken from there)", *path)
            node = self.expr(text, table, *path)
            info = SymbolInfo(name, "function" if params else "defined", None, latex=latex, description=desc,
                              line=self.lines.of(*path), params=params, body=node,
                              assumptions=("abbreviation",) if abbreviation else ())
            if not params:
                from .expr.build import Builder

                v = Builder(table, str(text)).build(node)
                info.shape = v.shape
                info.obj = _defined_symbol(name, v)
            table.add(info)
            out.append(Given(name, params, node, str(text), latex, desc, self.lines.of(*path)))
        return out

    # -- parts ---------------------------------------------------------------------------
    def part(self, data: Any, i: int, table: SymbolTable, earlier: list[Part]) -> Part:
        path = ("parts", i)
        self.check_keys(data, PART_KEYS, *path, what=f"part {i + 1}")
        pid = self.text(data, "id", *path, what=f"part {i + 1}", required=True)
        if any(p.id == pid for p in earlier):
            raise self.err(f"part id '{pid}' appears twice", *path, "id")
        uses = data.get("uses") or {}
        if not isinstance(uses, dict):
            raise self.err("uses must map a name to an earlier part id, e.g. {w: '1.2.2'}", *path, "uses")
        known = {p.id for p in earlier}
        for name, ref in uses.items():
            if str(ref) not in known:
                raise self.err(f"uses '{name}: {ref}' but no earlier part has id '{ref}'. Earlier parts: {', '.join(sorted(known)) or 'none'}", *path, "uses", name)
        special = data.get("specialize") or {}
        if not isinstance(special, dict):
            raise self.err("specialize must map dimensions to integers and matrices to scalar names", *path, "specialize")
        self.specialization(special, table, path)
        numbers = {k: v for k, v in special.items() if _is_value(table.get(str(k)), v)}
        renames = {k: v for k, v in special.items() if k not in numbers}
        scope = part_table(table, renames, {n: _earlier_part(earlier, str(r)) for n, r in uses.items()}, self, path)
        values = {str(k): self.value(k, v, scope, path) for k, v in numbers.items()}
        goals = self.goals(data, scope, path)
        goal = goals[0]
        conventions = []
        if not isinstance(data.get("conventions") or [], list):
            raise self.err("conventions must be a list of {name, description, goal}", *path, "conventions")
        for j, c in enumerate(data.get("conventions") or []):
            cpath = path + ("conventions", j)
            self.check_keys(c, ("name", "description", "goal"), *cpath, what="a convention")
            cname = self.text(c, "name", *cpath, what="a convention", required=True)
            conventions.append(Convention(cname, self.text(c, "description", *cpath, what="a convention"),
                                          self.goal(self.require(c, "goal", *cpath, what="a convention"), scope, *cpath, "goal")))
        expect, expect_text = None, ""
        if data.get("expect") is not None:
            expect_text = str(data["expect"])
            expect = self.expr(expect_text, scope, *path, "expect")
        answer_as = None
        if data.get("answer_as") is not None:
            aa = data["answer_as"]
            if not isinstance(aa, dict) or len(aa) != 1:
                raise self.err("answer_as must be one 'name: expression', e.g. {theta: 'theta_t + delta'}", *path, "answer_as")
            (aname, atext), = aa.items()
            answer_as = (str(aname), self.expr(atext, scope, *path, "answer_as"))
        return Part(pid, self.text(data, "ask", *path, what=f"part {pid}"), goal, {k: str(v) for k, v in uses.items()}, special,
                    conventions, expect, expect_text, data.get("figure"), answer_as, self.lines.of(*path), scope,
                    goals, values, self.text(data, "discussion", *path, what=f"part {pid}").strip(),
                    self.region(data.get("where"), scope, path))

    def region(self, value, scope: SymbolTable, path) -> list:
        """``where: 'W.T @ x + W0 > 0'`` (or a list of them): the inequalities a part is asked
        under (one side of a boundary). The checker takes them as standing conditions."""
        if value is None:
            return []
        texts = value if isinstance(value, list) else [value]
        out = []
        for k, text in enumerate(texts):
            if not isinstance(text, str):
                raise self.err(f"where gives a {_yaml_type(text)}; give an inequality such as 'W.T @ x + W0 > 0'", *path, "where")
            node = self.expr(text, scope, *path, "where")
            if not isinstance(node, A.Rel) or node.op not in ("<", "<=", ">", ">="):
                raise self.err(f"where '{text}' is not an inequality; give one such as 'W.T @ x + W0 > 0'", *path, "where")
            out.append(node)
        return out

    def specialization(self, special: dict, table: SymbolTable, path) -> None:
        """Dimensions become positive integers; a vector or matrix whose dimensions become 1 may
        be renamed to a scalar (X: x); any scalar, vector or matrix may be given a value (a
        number, '1/2', 'vec(1, -1)', 'mat([1, 1], [-1, -1])')."""
        for key, value in special.items():
            info = table.get(str(key))
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise self.err(f"specialize gives '{key}' a {_yaml_type(value)}; give a number, an expression such as "
                               "'vec(1, -1)', or a name", *path, "specialize", key)
            if info is None or info.kind == "dim":
                continue  # unknown names and dimension values are checked by part_table
            if _is_value(info, value):
                if info.kind not in ("scalar", "vector", "matrix"):
                    raise self.err(f"specialize can give values only to scalars, vectors and matrices; '{key}' is a "
                                   f"{info.kind}", *path, "specialize", key)
                continue
            if info.kind not in ("vector", "matrix"):
                raise self.err(f"specialize can rename only vectors and matrices whose dimensions become 1; "
                               f"'{key}' is a {info.kind} (give it a value such as 3 or '1/2' instead)",
                               *path, "specialize", key)

    def value(self, name, text, scope: SymbolTable, path):
        """A specialised value, typed against the symbol it replaces."""
        from .expr.build import Builder

        node = self.expr(text, scope, *path, "specialize", name)
        info = scope.get(str(name))
        got = Builder(scope, str(text)).build(node)
        want = info.shape if info is not None else None
        if (want is None) != (got.shape is None) or (want is not None and tuple(want) != tuple(got.shape)):
            shown = "a scalar" if want is None else f"shape {tuple(want)}"
            raise self.err(f"specialize gives '{name}' the value '{text}', which does not fit {shown}", *path, "specialize", name)
        return node


def _is_value(info, value) -> bool:
    """Is a specialize entry a value (number or expression) rather than a dimension or a rename?"""
    if info is None or info.kind == "dim" or isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value.strip())


def _did_you_mean(word: str, allowed) -> list[str]:
    close = difflib.get_close_matches(word, allowed, n=1, cutoff=0.5)
    if not close:
        close = [a for a in allowed if len(a) >= 4 and (word.startswith(a[:5]) or a.startswith(word[:5]))][:1]
    return close


def _yaml_type(value: Any) -> str:
    return {bool: "true/false value", list: "list", dict: "mapping", type(None): "empty value"}.get(type(value), type(value).__name__)


def table_error(reader: _Reader, table: SymbolTable, name: str, *path) -> SpecError:
    e = table.unknown(name)
    return reader.err(e.message, *path)


def _check_names(node: A.Node, table: SymbolTable, text: str) -> None:
    from .expr.build import KNOWN_FUNCTIONS

    for name in A.names_in(node):
        if name in table or name in ("I", "pi", "inf"):
            continue
        raise table.unknown(name, text)
    for n in A.walk(node):
        if isinstance(n, A.Call) and n.func not in KNOWN_FUNCTIONS and n.func not in table:
            close = difflib.get_close_matches(n.func, sorted(KNOWN_FUNCTIONS), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ParseError(f"unknown function '{n.func}'.{hint} Known: {', '.join(sorted(KNOWN_FUNCTIONS))}", text, n.pos)


def _defined_symbol(name: str, value):
    """An opaque symbol standing for a defined name, typed like its definition."""
    from sympy import MatrixSymbol, Symbol

    if value.shape is None:
        return Symbol(name, real=True)
    return MatrixSymbol(name, *value.shape)


def _earlier_part(parts: list[Part], pid: str):
    for p in parts:
        if p.id == pid:
            return p
    return None


def part_table(table: SymbolTable, special: dict, uses: dict, reader: _Reader | None = None, path=()) -> SymbolTable:
    """The symbol table a part sees: specialised dimensions and the names it ``uses``.

    ``specialize: {n: 1, d: 1, X: x}`` makes every matrix whose dimensions all become 1 a scalar
    of the same name (or of the name given), as a 1-D restatement of a matrix problem does."""
    from sympy import Integer, MatrixSymbol, Symbol

    scope = table.copy()
    dims = {}
    renames = {}
    for key, value in special.items():
        info = table.get(key)
        if info is None:
            if reader:
                raise reader.err(f"specialize names '{key}', which is not declared", *path, "specialize", key)
            raise SpecError(f"specialize names unknown '{key}'")
        if info.kind == "dim":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                if reader:
                    raise reader.err(f"specialize sets dimension '{key}' to a positive integer, not {value!r}", *path, "specialize", key)
            dims[info.obj] = Integer(value)
        else:
            renames[key] = str(value)
    for name, info in list(scope.symbols.items()):
        if info.shape is None:
            continue
        shape = tuple(_subs_dim(s, dims) for s in info.shape)
        if shape == (1, 1) and dims:
            target = renames.get(name, name)
            existing = scope.get(target)
            if existing is not None and existing.shape is None and existing.kind != "dim":
                scope.symbols.pop(name)
                continue
            kind = info.kind if info.kind == "defined" else "scalar"
            obj = make_scalar(target, info.assumptions, info.domain)
            if kind == "defined":
                obj = Symbol(target, real=True)
            new = SymbolInfo(target, kind, obj,
                             latex=_default_latex(target) if target != name else _unbold(info.latex),
                             assumptions=info.assumptions, domain=info.domain, description=info.description, line=info.line,
                             body=info.body)
            scope.symbols.pop(name)
            scope.add(new)
        elif shape != tuple(info.shape) and isinstance(info.obj, MatrixSymbol):
            from dataclasses import replace

            scope.symbols[name] = replace(info, shape=shape, obj=MatrixSymbol(name, *shape))
    for d, size in dims.items():
        scope.symbols[str(d)] = SymbolInfo(str(d), "dim", size, latex=str(size))
    for name, p in uses.items():
        if name in scope:
            continue  # an existing symbol: the engine substitutes the earlier result for it
        shape = p.answer_shape() if p is not None else None
        if shape is not None:
            shape = tuple(_subs_dim(s, dims) for s in shape)
        obj = Symbol(name, real=True) if shape is None or shape == (1, 1) and dims else MatrixSymbol(name, *shape)
        scope.add(SymbolInfo(name, "defined", obj, shape=None if obj.is_Symbol else shape, latex=_uses_latex(name, scope)))
    return scope


def _subs_dim(size, dims):
    from sympy import Integer

    return Integer(size) if isinstance(size, int) else size.subs(dims)


_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
          "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"}


def _default_latex(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z]+\d*(_[A-Za-z0-9]+)?", name):   # e.g. __class__, a_b_c: shown as written
        return "\\mathit{" + name.replace("_", "\\_") + "}"
    base, _, sub = name.partition("_")
    head = "\\" + base if base in _GREEK else base
    if not sub and re.fullmatch(r"[A-Za-z]+\d+", base):
        m = re.fullmatch(r"([A-Za-z]+)(\d+)", base)
        head, sub = m.group(1), m.group(2)
        head = "\\" + head if head in _GREEK else head
    return f"{head}_{{{sub}}}" if sub else head


def _uses_latex(name: str, scope: SymbolTable) -> str:
    """``eta_star`` naming an earlier part's η: η's own spelling with a star (η^{*}), as a
    student writes it; any other name gets the default spelling."""
    base, _, sub = name.partition("_")
    if sub == "star" and base in scope and scope[base].latex and "^" not in scope[base].latex:
        return scope[base].latex + "^{*}"
    return _default_latex(name)


def _unbold(latex: str) -> str:
    m = re.fullmatch(r"\\(?:mathbf|boldsymbol|bm)\{(.*)\}", latex)
    return m.group(1) if m else latex


def _sheet_id(source: dict) -> str:
    parts = [str(source.get(k, "")) for k in ("course", "year", "sheet")]
    return re.sub(r"[^a-z0-9]+", "-", " ".join(parts).lower()).strip("-")


def load_symbols(path: str | Path) -> SymbolTable:
    """A symbols-only YAML file (``symbols:`` and optional ``givens:`` in the spec format), for
    ``derive equiv --symbols``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SpecError(f"cannot read the file: {err}", str(path)) from None
    data, lines = load(text, str(path))
    reader = _Reader(str(path), lines)
    reader.check_keys(data, ("symbols", "givens"), what="a symbols file")
    table = reader.symbols(data.get("symbols") or {})
    reader.givens(data.get("givens") or {}, table)
    return table
