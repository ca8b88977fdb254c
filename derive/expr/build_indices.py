"""Indices in expressions: entries of families, vectors and matrices (``w_j``, ``X_{ij}``, ``u_{0,i}``)
and sums over an index, with the range read off what the index indexes. A mixin of
``build.Builder``."""
from __future__ import annotations

from . import ast as A
from .symbols import SymbolInfo
from .build_values import Value, _PendingIdentity, _fmt


class IndexBuilding:
    """Entries and sums (``Builder``'s index methods)."""

    def _Index(self, node, env):
        if self.lenient and isinstance(node.base, A.Name) and node.base.id not in self.table \
                and isinstance(node.index, A.Name) and node.index.id in env:
            member = self._numbered_member(node, env)
            if member is not None:
                return member
        if self.lenient and isinstance(node.base, A.Name) and node.base.id in self.iterates:
            iterate = self._iterate(node, env)
            if iterate is not None:
                return iterate
        if self.lenient and isinstance(node.base, A.Index) and isinstance(node.base.index, A.Name) \
                and node.base.index.id not in self.table and node.base.index.id not in env:
            node = A.Index(node.base.base, node.index, node.pos)  # w_{ij} with row i fixed: the family w over j
        if not isinstance(node.base, (A.Name, A.Index)) and self.lenient:
            return self._entry_of_expression(node, env)       # (Xw₀ − t)_i: entry i of the vector
        if not isinstance(node.base, (A.Name, A.Index)):
            raise self.fail("only a named family can be indexed, e.g. m[j]", node)
        given = self.table.get(node.base.id) if isinstance(node.base, A.Name) else None
        if given is not None and given.kind == "function" and len(given.params) == 1:
            return self._Call(A.Call(node.base.id, (node.index,), node.pos), env)  # z_j for a given z(j)
        indices = [node.index]
        while isinstance(node.base, A.Index):       # m[i, j] is Index(Index(m, i), j)
            node = node.base
            indices.insert(0, node.index)
        info = self.table.get(node.base.id) if isinstance(node.base, A.Name) else None
        if (info is None or info.index is None and info.shape is None) and self.lenient \
                and isinstance(node.base, A.Name):
            info = self.family_spelled(node.base.id) or info
        if info is None:
            if not isinstance(node.base, A.Name):
                raise self.fail("only a named family can be indexed, e.g. m[j]", node)
            raise self.table.unknown(node.base.id, self.text, node.base.pos)
        if info.index is None and self.lenient and info.shape is not None:
            return self._component(info, indices, node, env)
        if info.index is None and self.lenient and info.shape is None and (matrix := self._capital_matrix(info)) is not None \
                and all(isinstance(k, A.Num) or (isinstance(k, A.Name) and k.id in env) for k in indices):
            return self._token(matrix, indices, node, env)      # x_m under Σ_m: token m, a row of X; a_{12}: A's entry
        if info.index is None:
            raise self.fail(f"'{node.base.id}' is not an indexed family; declare it with index: j", node)
        want = 2 if isinstance(info.index, tuple) else 1
        if len(indices) != want:
            shown = ", ".join(info.index) if want == 2 else info.index
            raise self.fail(f"'{node.base.id}' takes {want} ind{'ices' if want == 2 else 'ex'}: write {node.base.id}[{shown}]", node)
        built = []
        names = info.index if want == 2 else (info.index,)
        for index, name in zip(indices, names):
            family_range = self.table[name].range
            idx = self._index_value(index, env, family_range) if self.lenient else self._build(index, env)
            if isinstance(idx, _PendingIdentity) or idx.shape is not None:
                raise self.fail("an index must be a scalar", index)
            built.append(idx.expr)
        return Value(info.obj[tuple(built)] if want == 2 else info.obj[built[0]], None)

    # -- coordinates (student LaTeX): v_j, X_{ij}, sums over undeclared indices --------------
    def _entry_of_expression(self, node, env):
        """Entry i of a vector-valued expression, ``(XX^\top a)_i``, counted from 1."""
        base = self.build(node.base, env)
        if base.shape is None or (base.shape[1] != 1 and base.shape[0] != 1):
            raise self.fail("only a vector expression can take one index, e.g. (Xw)_i", node)
        column = base.shape[1] == 1
        dim = base.shape[0] if column else base.shape[1]
        k = self._in_range(self.as_scalar(self._index_value(node.index, env, (1, dim)), node.index) - 1, dim, node)
        return Value(base.expr[k, 0] if column else base.expr[0, k], None)

    def numbered_scalars(self, base: str) -> list:
        """The problem's scalars base1, base2, … (two to nine of them, numbered from 1), or []."""
        members = []
        while (info := self.table.get(f"{base}{len(members) + 1}")) is not None and info.kind == "scalar" \
                and info.obj is not None:
            members.append(info.obj)
        return members if 2 <= len(members) <= 9 else []

    def _numbered_member(self, node, env):
        """``e^{s_k}`` under a sum over k, for the problem's scalars s1 … s4 (no s of its own):
        member k of (s1, …, s4). None when the problem has no such numbered scalars."""
        from sympy import ImmutableMatrix

        members = self.numbered_scalars(node.base.id)
        if not members:
            return None
        k = self.as_scalar(self._index_value(node.index, env, (1, len(members))), node.index)
        return Value(ImmutableMatrix(members)[k - 1, 0], None)

    def _iterate(self, node, env):
        """``b_{k+1}`` in a part that unrolls b ← f(b) from b₁ for k steps: the iterate with that
        index (the answer at k + 1 − 1 steps). Only an index in the steps' own name is read so (a
        vector's v_j stays its entry j)."""
        first, kth, steps = self.iterates[node.base.id]
        names = A.names_in(node.index)
        if str(steps) not in names and (getattr(kth, "is_Matrix", False) or not names):
            return None         # a vector's v_j is its entry j; a scalar's b_i is an iterate for any i
        index = self._index_value(node.index, env, (first, first + 8)) if str(steps) not in names \
            else self.build(node.index, env)
        if index.shape is not None:
            return None
        value = kth.xreplace({steps: index.expr - first})
        return Value(value, getattr(value, "shape", None))

    def family_spelled(self, letter: str):
        """The one indexed family whose LaTeX is ``letter`` with decorations (``a^{(\\ell-1)}``
        for a student's ``a_j``), or None."""
        import re

        found = [info for info in self.table.symbols.values() if info.index is not None and info.latex
                 and re.sub(r"\\(mathbf|boldsymbol|bm|mathrm|tilde|hat|bar)\b|[{}\s]", "", info.latex)
                 .split("^")[0].split("_")[0].lstrip("\\") == letter]
        return found[0] if len(found) == 1 else None

    def _component(self, info, indices, node, env):
        """``w_j`` for a vector w, ``X_{ij}`` for a matrix X: one entry, counted from 1."""
        rows, cols = info.shape
        if len(indices) == 2 and (cols == 1 or rows == 1) and (matrix := self._capital_matrix(info)) is not None:
            info, (rows, cols) = matrix, matrix.shape       # x_{ij} beside a matrix X: a vector has no entry (i, j)
        if len(indices) == 1 and (cols == 1 or rows == 1):
            dim = rows if cols == 1 else cols
            k = self._in_range(self.as_scalar(self._index_value(indices[0], env, (1, dim)), indices[0]) - 1, dim, node)
            return Value(info.obj[k, 0] if cols == 1 else info.obj[0, k], None)
        if len(indices) == 2:
            i = self._in_range(self.as_scalar(self._index_value(indices[0], env, (1, rows)), indices[0]) - 1, rows, node)
            j = self._in_range(self.as_scalar(self._index_value(indices[1], env, (1, cols)), indices[1]) - 1, cols, node)
            return Value(info.obj[i, j], None)
        raise self.fail(f"'{info.name}' has shape {_fmt(info.shape)}; write one index for a vector, two for a matrix", node)

    def _token(self, matrix, indices, node, env):
        """``x_n`` beside a matrix X of known width: its row n, as a column (the n-th token or
        example); ``a_{nm}`` beside A: A's entry (n, m)."""
        from sympy import ImmutableMatrix, Integer

        rows, cols = matrix.shape
        if len(indices) == 2 or not getattr(cols, "is_Integer", False):
            return self._component(matrix, indices, node, env)
        k = self._in_range(self.as_scalar(self._index_value(indices[0], env, (1, rows)), indices[0]) - 1, rows, node)
        return Value(ImmutableMatrix([[matrix.obj[k, j]] for j in range(int(cols))]), (cols, Integer(1)))

    def _capital_matrix(self, info):
        """The problem's matrix named by the capital of vector ``info``'s name (X for x), or None:
        a student's ``x_{ij}``, the j-th feature of example i, is an entry of the design matrix."""
        other = self.table.get(info.name.upper()) if info.name.islower() else None
        if other is None or other.shape is None or other.index is not None or 1 in other.shape:
            return None
        return other

    def _in_range(self, k, size, node):
        """A number index (from 0 here) inside the size, or an error: s_0 of (s₁, …, s₆) is no
        entry (Python would read it as the last one)."""
        if getattr(k, "is_Integer", False) and (k < 0 or (getattr(size, "is_Integer", False) or isinstance(size, int)) and k >= size):
            raise self.fail(f"index {k + 1} is outside 1…{size}", node)
        return k

    def _index_value(self, index, env, span):
        """The value of an index: bound by a sum (env), declared in the spec, or a free index the
        student uses (``x'_j = x_j − ε w_j`` holds for every j), added to the table with the
        range of what it indexes so that checking draws it at random."""
        from sympy import Symbol

        if isinstance(index, A.Name) and index.id not in env and index.id not in self.table \
                and len(index.id) == 1 and index.id.isalpha():
            obj = Symbol(index.id, integer=True, positive=True)
            self.table.add(SymbolInfo(index.id, "index", obj, range=tuple(span), latex=index.id))
        value = self._build(index, env)
        if isinstance(value, _PendingIdentity) or value.shape is not None:
            raise self.fail("an index must be a scalar", index)
        if span is not None:
            self._spans.setdefault(value.expr, tuple(span))
        return value

    def _SumOver(self, node, env):
        from sympy import Sum, Symbol

        info = self.table.get(node.index)
        if (info is None or info.kind != "index") and self.lenient:
            # a student's own summation index: bound here, its range read off what it indexes
            var = Symbol(node.index, integer=True, positive=True)
            body = self.build(node.body, {**env, node.index: Value(var, None)})
            span = self._spans.get(var)
            lo = self.as_scalar(self.build(node.lower, env), node) if node.lower is not None else span and span[0]
            hi = self.as_scalar(self.build(node.upper, env), node) if node.upper is not None else span and span[1]
            dims = [i.obj for i in self.table.symbols.values() if i.kind == "dim" and i.obj is not None]
            if (lo is None or hi is None) and len(dims) == 1 and span is None:
                lo, hi = lo if lo is not None else 1, hi if hi is not None else dims[0]  # Σ_i r² in ℝᵏ: i = 1…k
            if lo is None or hi is None:
                raise self.fail(f"cannot tell the range of the sum over {node.index}; write its limits", node)
            if body.shape is not None and not (body.shape[0] == 1 and body.shape[1] == 1):
                from .objects import MatSum

                var = Symbol(node.index, integer=True, nonnegative=True)     # Σ_{j=0}^{k−1} Mʲ: from 0
                body = self.build(node.body, {**env, node.index: Value(var, None)})
                return Value(MatSum(body.expr, var, lo, hi), body.shape)
            return Value(Sum(self.as_scalar(body, node.body), (var, lo, hi)), None)
        if info is None or info.kind != "index":
            raise self.fail(f"'{node.index}' is not a declared index; declare it with kind: index and a range", node)
        body = self.build(node.body, env)
        lo = self.as_scalar(self.build(node.lower, env), node) if node.lower is not None else info.range[0]
        hi = self.as_scalar(self.build(node.upper, env), node) if node.upper is not None else info.range[1]
        if self.lenient and body.shape is not None and not (body.shape[0] == 1 and body.shape[1] == 1):
            from .objects import MatSum

            return Value(MatSum(body.expr, info.obj, lo, hi), body.shape)     # Σ_j Mʲρq over a declared index
        x = self.as_scalar(body, node.body)
        return Value(Sum(x, (info.obj, lo, hi)), None)
