"""How the names in a student's line get their kinds: free indices, names the problem does not
know (a new scalar, or a column vector where only that type-checks: a multiplier in μᵀ(Xw − t),
the u in Xu, the e₁ in w* = e₁), a family ``a_i`` for the problem's a₁, a₂ checked member by
member, and ``dε/dλ`` read as the rate of the solution. A mixin of ``checker.PartChecker``."""
from __future__ import annotations

import difflib
import re
from dataclasses import replace

from ..errors import ParseError
from ..expr import ast as A
from ..expr.symbols import SymbolInfo, make_scalar
from .algebra import _family_copy, _index_names, _is_call_head, _rename
from .latex_lexicon import DECORATIONS
from .results import StepResult


_DECORATED = re.compile(r"^\\(tilde|widetilde|hat|widehat|bar|overline)\s*\{?\s*([A-Za-z])\s*\}?\s*_")

class NameTyping:
    """Kinds and shapes for the names of a line."""

    def _declare_indices(self, terms) -> None:
        """Build the line once so that its free indices (k, l) are in the table before the
        'k ≠ l' condition is applied to them."""
        if not self.distinct_names:
            return
        try:
            for t in terms:
                self._build(_rename(t, self._aliases()))
        except Exception:  # noqa: BLE001 - the line is judged (and its error reported) right after
            pass

    def _declare_unknown_names(self, terms) -> None:
        """Names the spec does not know: a new scalar (a multiplier, a constant) unless the name
        looks like a typo of a known one, which stays an error with a suggestion."""
        declared = []
        for t in terms:
            t = _rename(t, self._aliases())
            for name in sorted(A.names_in(t) - _index_names(t)):
                if name in self.table or name in ("I", "pi", "inf") or self._member_of_own_family(name):
                    continue
                if self._builder().numbered_scalars(name):
                    continue        # s in s_k: the problem's s1, s2, … (read under a sum over k)
                if _is_call_head(t, name):
                    continue
                if difflib.get_close_matches(name, list(self.table.symbols), n=1, cutoff=0.75):
                    continue
                self.table.add(SymbolInfo(name, "scalar", make_scalar(name, (), None), latex=name))
                self.new_symbols.append(name)
                self.line_new.append(name)
                declared.append(name)
        if declared:
            self._shape_new_names(declared, terms)

    def _shape_new_names(self, names: list[str], terms) -> None:
        """A new name that only type-checks as a column vector (the multiplier μ in
        ``wᵀw − μᵀ(Xw − t)``) becomes one, of the first size of the problem's that fits."""
        from itertools import product

        from sympy import MatrixSymbol

        for name in names:
            size = self._right_factor_of_matrix(name, terms)
            if size is not None:        # X u with X a matrix: u is a column of X's width
                self.table.symbols.pop(name, None)
                self.table.add(SymbolInfo(name, "vector", MatrixSymbol(name, size, 1), shape=(size, 1), latex=name))
        bare = [t.id for t in terms if isinstance(t, A.Name) and t.id in names]
        if len(bare) == 1 and len(terms) > 1:        # w* = e₁: a bare new name beside a vector is that vector
            others = [t for t in terms if not (isinstance(t, A.Name) and t.id == bare[0])]
            try:
                shape = self._build(others[0]).shape
            except Exception:  # noqa: BLE001 - no evidence from the other side
                shape = None
            if shape is not None and shape[1] == 1 and shape[0] != 1:
                self.table.symbols.pop(bare[0], None)
                self.table.add(SymbolInfo(bare[0], "vector", MatrixSymbol(bare[0], *shape), shape=shape, latex=bare[0]))
                return
        if self._builds(terms) is not False or len(names) > 2:
            return
        sizes = []
        for info in self.table.symbols.values():
            for n in info.shape or ():
                if n != 1 and n not in sizes:
                    sizes.append(n)
        scalars = {n: self.table[n] for n in names}
        for shapes in product([None] + sizes, repeat=len(names)):
            if all(s is None for s in shapes):
                continue
            for name, size in zip(names, shapes):
                self.table.symbols.pop(name, None)
                self.table.add(scalars[name] if size is None else
                               SymbolInfo(name, "vector", MatrixSymbol(name, size, 1), shape=(size, 1), latex=name))
            if self._builds(terms):
                return
        for name in names:
            self.table.symbols.pop(name, None)
            self.table.add(scalars[name])

    def _right_factor_of_matrix(self, name: str, terms):
        """The width of the matrix that ``name`` multiplies on the right (``X u``), or None."""
        for t in terms:
            for n in A.walk(t):
                if isinstance(n, A.BinOp) and n.op == "@" and isinstance(n.right, A.Name) and n.right.id == name:
                    try:
                        shape = self._build(n.left).shape
                    except Exception:  # noqa: BLE001 - no evidence from this product
                        continue
                    if shape is not None and shape[1] != 1 and shape[0] != 1:
                        return shape[1]
        return None

    def _builds(self, terms) -> bool | None:
        """True when every term builds, False on a shape error, None on any other failure."""
        try:
            for t in terms:
                self._build(t)
        except ParseError as err:
            return False if err.kind == "shape" else None
        except Exception:  # noqa: BLE001 - other failures are reported when the line is judged
            return None
        return True

    def _each_member(self, base, line, terms, ops, members) -> StepResult:
        """``g_i = 2a_i r`` where the problem has g₁, g₂ and a₁, a₂: the line for each member in turn."""
        bases, index, count = members
        # v_i = (1 − β)g_i², then √v_i = …: a family of the student's own, named member by member; not
        # one differentiated by (∂y_k/∂o_k: a derivative through the student's intermediate is not read)
        variables = {n.args[1].base.id for t in terms for n in A.walk(t) if isinstance(n, A.Call) and n.func == "diff"
                     and len(n.args) > 1 and isinstance(n.args[1], A.Index) and isinstance(n.args[1].base, A.Name)}
        own = {n.base.id for t in terms for n in A.walk(t) if isinstance(n, A.Index) and isinstance(n.base, A.Name)
               and n.index == A.Name(index) and n.base.id not in self.table and n.base.id not in bases} - variables
        results = []
        for k in range(1, count + 1):
            copy = [_family_copy(t, bases, index, k, own) for t in terms]
            try:
                result, _ = self._judge(base, line, copy, ops, None)
            except ParseError as err:
                result = self._parse_failure(base, err, copy)
            if result.status == "wrong":
                return replace(result, reason=f"for {index} = {k}: {result.reason}")
            results.append(result)
        if all(r.status == "ok" for r in results):
            return replace(base, move=f"for each {index} = 1…{count}", reason=f"holds for {', '.join(f'{index} = {k}' for k in range(1, count + 1))}")
        first = next(r for r in results if r.status != "ok")
        return replace(first, reason=f"for {index} = {results.index(first) + 1}: {first.reason}")

    def _rate_of_solution(self, expr):
        """``dε/dλ`` in a part that solves for ε: the derivative of the solution found so far (the
        student's own, else the derived one), not of a free symbol."""
        from sympy import Derivative

        u = self.unknown
        if u is None or not getattr(expr, "has", lambda *a: False)(Derivative):
            return expr
        value = self.ctx.definitions.get(u, self.answers[0][1] if self.answers else None)
        if value is None:
            return expr
        swap = {d: Derivative(self.ctx.expand_definitions(value), *d.variable_count).doit()
                for d in expr.atoms(Derivative) if d.expr == u and u not in {v for v, _ in d.variable_count}}
        return expr.xreplace(swap) if swap else expr

    def _decorated_shorthands(self) -> dict:
        """``ỹᵢ`` for the problem's ``ỹ_m(i)`` (dropout) in the part whose goal uses it: a decorated
        letter written without the label that tells the problem's variants apart, when exactly one
        variant is in this part's goal and the bare spelling names nothing else."""
        if not hasattr(self, "_shorthands"):
            goal_names = {n.func if isinstance(n, A.Call) else getattr(n, "id", None)
                          for g in self.part.goals for n in A.walk(g.expr)}
            found: dict = {}
            for name, info in self.table.symbols.items():
                m = _DECORATED.match(info.latex or "")
                if m and info.params and name in goal_names:
                    short = f"{m.group(2)}_{DECORATIONS[m.group(1)]}"
                    found[short] = None if short in found else name
            self._shorthands = {k: v for k, v in found.items() if v is not None and k not in self.table}
        return self._shorthands
