"""The goals a part can state, read from a spec: which keys each kind takes, and how each is
checked as it is read (a mixin of the spec reader, ``spec._Reader``)."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from .errors import ParseError
from .expr import ast as A
from .expr.parse import parse
from .expr.symbols import SymbolTable
from .spec_layers import LayerReading

GOAL_KEYS = {
    "simplify": ("simplify", "abbreviate"),
    "evaluate": ("evaluate",),
    "minimize": ("minimize", "wrt", "subject_to", "abbreviate"),
    "solve": ("solve", "for", "abbreviate", "monotone_in"),
    "mean": ("mean", "abbreviate"),
    "variance": ("variance", "abbreviate"),
    "gradient": ("gradient", "wrt", "order", "form"),
    "show": ("show",),
    "condition": ("condition", "for"),
    "match": ("match", "for", "every"),
    "step": ("step", "rule", "wrt", "from", "rate", "decay", "penalty"),
    "unroll": ("unroll", "state", "from", "steps"),
    "bound": ("bound",),
    "weight_matrix": ("weight_matrix", "of"),
    "count": ("count", "input", "layers"),
    "shape": ("shape", "wrt"),
}
STEP_RULES = {"gradient": (), "weight-decay": ("decay",), "proximal": ("penalty",)}
GOAL_KINDS = tuple(GOAL_KEYS)
RELATION_GOALS = {"solve": ("=",), "show": ("=",), "match": ("=",), "condition": ("<", "<=", ">", ">="),
                  "bound": ("<=", ">=")}


@dataclass
class Goal:
    kind: str
    expr: A.Node                      # the main expression or relation
    text: str
    wrt: str | None = None            # minimize/gradient/shape: the variable; solve/condition/match: the unknown
    subject_to: A.Node | None = None
    constraint_text: str = ""
    abbreviate: dict[str, A.Node] = field(default_factory=dict)
    monotone_in: str | None = None    # solve: also say how the solution changes with this symbol
    order: int = 1                    # gradient: 2 for the Hessian / second derivative
    every: str | None = None          # match: the symbol the identity must hold for
    name: str = ""                    # within a part's goals: what this answer is
    line: int | None = None
    rule: str = ""                    # step: gradient | weight-decay | proximal
    start: A.Node | None = None       # step, unroll: the point the update starts from ('from')
    rate: A.Node | None = None        # step: the step size
    decay: A.Node | None = None       # step (weight-decay): the shrink, w ← (1 − decay)w − rate·∇L(w)
    penalty: A.Node | None = None     # step (proximal): the penalty R kept exact in the proximal problem
    state: str | None = None          # unroll: the iterate the update map is written in
    steps: str | None = None          # unroll: the number of steps (an integer symbol ≥ 0)
    form: str = ""                    # gradient: "chain" stops at the chain rule written abstractly
    count: str = ""                   # count: neurons | parameters | receptive_field
    input_shape: tuple = ()           # count: (height, width, channels) of the input
    layers: tuple = ()                # count: the layers, as read by spec_layers.py


class GoalReading(LayerReading):
    """Reading a goal mapping (needs the reader's err, check_keys, require, expr, text)."""

    def goal(self, data: Any, table: SymbolTable, *path) -> Goal:
        if not isinstance(data, dict):
            raise self.err(f"goal must be a mapping with one of: {', '.join(GOAL_KINDS)}", *path)
        kinds = [k for k in data if k in GOAL_KINDS]
        if len(kinds) != 1:
            unknown = [k for k in data if k not in sum(GOAL_KEYS.values(), ()) and k != "name"]
            if unknown and not kinds:
                close = difflib.get_close_matches(str(unknown[0]), GOAL_KINDS, n=1)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                raise self.err(f"unknown goal kind '{unknown[0]}'.{hint} Kinds: {', '.join(GOAL_KINDS)}.", *path, unknown[0])
            raise self.err(f"a goal needs exactly one of: {', '.join(GOAL_KINDS)}", *path)
        kind = kinds[0]
        self.check_keys(data, GOAL_KEYS[kind] + ("name",), *path, what=f"a {kind} goal")
        if kind == "count":
            goal = Goal(kind, A.Num("0"), str(data[kind]), line=self.lines.of(*path, kind),
                        name=self.text(data, "name", *path, what="a count goal"))
            self.count_goal(goal, data, path)
            return goal
        node = self.expr(data[kind], table, *path, kind)
        text = str(data[kind])
        goal = Goal(kind, node, text, line=self.lines.of(*path, kind),
                    name=self.text(data, "name", *path, what=f"a {kind} goal"))
        if kind in RELATION_GOALS and not (isinstance(node, A.Rel) and node.op in RELATION_GOALS[kind]):
            want = "an equation 'lhs = rhs'" if RELATION_GOALS[kind] == ("=",) else "an inequality such as 'lhs < rhs'"
            raise self.err(f"{kind} needs {want}, got '{text}'", *path, kind)
        if kind in ("minimize", "gradient"):
            goal.wrt = self.name_of(data, "wrt", table, path, kind)
        if kind in ("solve", "condition", "match"):
            goal.wrt = self.name_of(data, "for", table, path, kind)
        if kind == "minimize" and data.get("subject_to") is not None:
            goal.constraint_text = str(data["subject_to"])
            goal.subject_to = self.constraint(goal.constraint_text, table, *path, "subject_to")
        if kind == "solve" and data.get("monotone_in") is not None:
            goal.monotone_in = self.name_of(data, "monotone_in", table, path, kind)
        if kind == "gradient":
            goal.order = self.order(data.get("order", 1), *path, "order")
            if "form" in data:
                if data["form"] != "chain":
                    raise self.err(f"form must be 'chain' (the chain rule written as a product of local "
                                   f"derivatives), not {data['form']!r}", *path, "form")
                goal.form = "chain"
        if kind == "weight_matrix":
            goal.wrt = self.name_of(data, "of", table, path, kind)
        if kind == "shape" and data.get("wrt") is not None:      # the shape of ∂EXPR/∂wrt
            goal.wrt = self.name_of(data, "wrt", table, path, kind)
            if table[goal.wrt].kind not in ("scalar", "vector", "matrix") or table[goal.wrt].index:
                raise self.err(f"wrt of a shape goal must name a declared scalar, vector or matrix, not "
                               f"'{goal.wrt}'", *path, "wrt")
        if kind == "match":
            goal.every = self.name_of(data, "every", table, path, kind)
        if kind == "step":
            self.update_step(goal, data, table, path)
        if kind == "unroll":
            self.recurrence(goal, data, table, path)
        goal.abbreviate = self.abbreviations(data.get("abbreviate") or {}, table, path)
        return goal

    def update_step(self, goal: Goal, data: dict, table: SymbolTable, path) -> None:
        """``step: LOSS, rule: R, wrt: w, from: w0, rate: eta`` (+ ``decay`` or ``penalty``)."""
        rule = self.require(data, "rule", *path, what="a step goal")
        if rule not in STEP_RULES:
            close = difflib.get_close_matches(str(rule), STEP_RULES, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise self.err(f"unknown update rule '{rule}'.{hint} Rules: {', '.join(STEP_RULES)}.", *path, "rule")
        goal.rule = rule
        for key in ("decay", "penalty"):
            if key in STEP_RULES[rule]:
                self.require(data, key, *path, what=f"a {rule} step")
            elif key in data:
                owner = next(r for r, keys in STEP_RULES.items() if key in keys)
                raise self.err(f"'{key}' belongs to the {owner} rule, not to a {rule} step", *path, key)
        goal.wrt = self.name_of(data, "wrt", table, path, "step")
        shape = self.parameter_shape(goal.wrt, table, path, "wrt", "the parameter")
        self.shaped(goal.expr, goal.text, table, None, path, "step", "the loss")
        goal.start = self.shaped_key(data, "from", table, shape, path, "the starting point")
        goal.rate = self.shaped_key(data, "rate", table, None, path, "the step size")
        if rule == "weight-decay":
            goal.decay = self.shaped_key(data, "decay", table, None, path, "the decay")
        if rule == "proximal":
            goal.penalty = self.shaped_key(data, "penalty", table, None, path, "the penalty")

    def recurrence(self, goal: Goal, data: dict, table: SymbolTable, path) -> None:
        """``unroll: MAP, state: x, from: x0, steps: k``: the k-th iterate of x ← MAP(x)."""
        goal.state = self.name_of(data, "state", table, path, "unroll")
        shape = self.parameter_shape(goal.state, table, path, "state", "the state")
        self.shaped(goal.expr, goal.text, table, shape, path, "unroll", "the update map")
        goal.start = self.shaped_key(data, "from", table, shape, path, "the starting point")
        goal.steps = self.name_of(data, "steps", table, path, "unroll")
        info = table[goal.steps]
        words = set(info.assumptions)
        if info.kind != "scalar" or "integer" not in words or not words & {"nonnegative", "positive"}:
            raise self.err(f"steps must name a scalar declared with assume: [integer, nonnegative]; "
                           f"'{goal.steps}' is not", *path, "steps")
        from .expr.build import Builder

        for key, node in (("unroll", goal.expr), ("from", goal.start)):
            if table[goal.steps].obj in Builder(table).build(node).expr.free_symbols:
                raise self.err(f"the number of steps '{goal.steps}' cannot appear in '{key}': the update map and "
                               "the start are the same at every step", *path, key)

    def parameter_shape(self, name: str, table: SymbolTable, path, key: str, what: str):
        info = table[name]
        if info.kind not in ("scalar", "vector") or info.index:
            raise self.err(f"{what} '{name}' must be a declared scalar or vector, not a {info.kind}", *path, key)
        return info.shape

    def shaped_key(self, data: dict, key: str, table: SymbolTable, shape, path, what: str) -> A.Node:
        text = self.require(data, key, *path, what=f"a {'step' if 'step' in data else 'unroll'} goal")
        node = self.expr(text, table, *path, key)
        self.shaped(node, str(text), table, shape, path, key, what)
        return node

    def shaped(self, node, text: str, table: SymbolTable, shape, path, key: str, what: str) -> None:
        """Refuse an expression whose shape is not ``shape`` (None: a scalar or a 1×1 product)."""
        from .expr.build import Builder

        got = Builder(table, text).build(node).shape
        scalar = got is None or tuple(got) == (1, 1)
        if shape is None and scalar or shape is not None and got is not None and tuple(got) == tuple(shape):
            return
        want = "a scalar" if shape is None else f"shape {_shape_text(shape)}"
        have = "a scalar" if got is None else f"shape {_shape_text(got)}"
        raise self.err(f"{what} '{text}' must be {want}, not {have}", *path, key)

    def name_of(self, data: dict, key: str, table: SymbolTable, path, kind: str) -> str:
        name = self.require(data, key, *path, what=f"a {kind} goal")
        if not isinstance(name, str):
            raise self.err(f"'{key}' of a {kind} goal must name a declared symbol", *path, key)
        self.declared(name, table, *path, key)
        return name

    def order(self, value: Any, *path) -> int:
        if value not in (1, 2) or isinstance(value, bool):
            raise self.err(f"order must be 1 (gradient) or 2 (Hessian / second derivative), not {value!r}", *path)
        return int(value)

    def abbreviations(self, data: Any, table: SymbolTable, path) -> dict:
        out = {}
        if isinstance(data, list):
            for name in data:
                info = table.get(str(name))
                if info is None or info.kind != "defined":
                    raise self.err(f"abbreviate names '{name}', which is not a given; declare it under givens", *path, "abbreviate")
                out[str(name)] = info.body
        elif isinstance(data, dict):
            for name, atext in data.items():
                out[str(name)] = self.expr(atext, table, *path, "abbreviate", name)
        else:
            raise self.err("abbreviate must be a list of givens or a mapping name: expression", *path, "abbreviate")
        return out

    def goals(self, data: dict, table: SymbolTable, path) -> list[Goal]:
        """A part's ``goal:`` (one) or ``goals:`` (a list: the answer is a tuple)."""
        if ("goal" in data) == ("goals" in data):
            raise self.err("a part needs exactly one of goal: (one goal) or goals: (a list of goals)", *path)
        if "goal" in data:
            return [self.goal(data["goal"], table, *path, "goal")]
        items = data["goals"]
        if not isinstance(items, list) or not items:
            raise self.err("goals must be a non-empty list of goal mappings", *path, "goals")
        return [self.goal(g, table, *path, "goals", k) for k, g in enumerate(items)]

    def declared(self, name: str, table: SymbolTable, *path) -> None:
        if name not in table:
            raise self.err(table.unknown(name).message, *path)

    def constraint(self, text: str, table: SymbolTable, *path) -> A.Node:
        from .spec import _check_names

        try:
            node = parse(text)
        except ParseError as e:
            raise self.err(f"in '{text}': {e.message}", *path) from None
        if isinstance(node, A.Rel) and node.op == "=":
            try:
                _check_names(node, table, text)
                from .expr.build import Builder

                Builder(table, text).build(node)
            except ParseError as e:
                raise self.err(f"in '{text}': {e.message}", *path) from None
            return node
        if not isinstance(node, A.Rel) or node.op not in ("<=", "<"):
            raise self.err(f"subject_to must be 'norm(v) <= r', 'norm(v, inf) <= r', 'norm(v, 1) <= r' or an "
                           f"equation 'A @ v = b', got '{text}'", *path)
        left = node.left
        if not (isinstance(left, A.Call) and left.func == "norm" and len(left.args) in (1, 2)):
            raise self.err(f"subject_to must constrain norm(v), norm(v, 1) or norm(v, inf), got '{text}'", *path)
        if len(left.args) == 2 and left.args[1] not in (A.Name("inf"), A.Num("2"), A.Num("1")):
            raise self.err("the norm in subject_to must be the 1-norm, the 2-norm or inf", *path)
        _check_names(A.Rel(node.op, left.args[0], node.right), table, text)
        return node


def _shape_text(shape) -> str:
    return " × ".join(str(x) for x in shape)
