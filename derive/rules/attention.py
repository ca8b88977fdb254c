"""Attention layers as structured matrices, and the softmax identities behind equivariance.

Rules (each returns the rewritten expression, or None when it does not apply):

- ``triangular_zeros``: a matrix declared lower triangular written out with its zeros;
- ``token_entries``: a map linear in an N × d input X (tokens as rows), its output rows written
  one after another, entry by entry, as linear forms in X's entries;
- ``permuted_softmax``: softmax(c·P S Pᵀ) = P softmax(c·S) Pᵀ for a permutation matrix P (the
  softmax acts on each row; permuting the rows and, alike, the entries in each row commutes
  with it);
- ``permutation_cancels``: PᵀP = PPᵀ = I for a permutation matrix;
- ``full_mask``: softmax(S, 1) = softmax(S): a mask that keeps every entry changes nothing.

Strategies: ``token_matrix_goal`` (a ``weight_matrix`` goal whose ``of:`` is a matrix) and
``attention_identities`` (called on each side of a ``show`` goal). Wording in
``explanations_structured.yaml``; the remark on shared and zero blocks is built by
``derive/blocks.py`` from the certified matrix.
"""
from __future__ import annotations

from sympy import ImmutableMatrix, MatMul, MatrixSymbol, OneMatrix, Symbol, Transpose, expand

from ..equivalence import Context
from ..errors import RuleError
from ..expr.attention import Rows, Softmax, named_entries
from .base import with_context


# -- a linear map of the tokens as one matrix ----------------------------------------------------
def triangular_zeros(e, table):
    """Each lower-triangular matrix symbol in ``e`` written out, 0 above its diagonal."""
    found = {m for m in e.atoms(MatrixSymbol) if "lower_triangular" in _words(table, m)}
    if not found:
        return None, ()
    explicit = {m: ImmutableMatrix(*m.shape, lambda i, j: m[i, j] if j <= i else 0) for m in found}
    return e.xreplace(explicit), tuple(sorted(found, key=str))


def token_entries(e, x, names):
    """rows(e) for e linear in the matrix x: a column of linear forms in ``names`` (x's entries,
    row by row), or None if some output is not such a form."""
    grid = ImmutableMatrix(x.shape[0], x.shape[1], lambda i, j: names[i * x.shape[1] + j])
    try:
        out = e.xreplace({x: grid}).as_explicit()
    except Exception:  # noqa: BLE001 - an expression SymPy cannot write out is not linear for us
        return None
    flat = [expand(out[i, j]) for i in range(out.rows) for j in range(out.cols)]
    return ImmutableMatrix(len(flat), 1, flat)


def token_matrix_goal(run, goal, expr):
    """The matrix M with rows(EXPR) = M rows(X) for every X: the layer seen as one fully
    connected layer on the tokens written one after another."""
    from .convolution import weights_of

    x = run.table[goal.wrt].obj
    if not all(getattr(s, "is_Integer", False) for s in x.shape):
        raise RuleError(f"weight_matrix needs 'of:' to have a known size; '{goal.wrt}' is {x.shape[0]} × {x.shape[1]}")
    expr = run.substitute_all(expr)
    if not getattr(expr, "is_Matrix", False) or not all(getattr(s, "is_Integer", False) for s in expr.shape):
        raise RuleError("weight_matrix of a matrix input needs a matrix expression of known size")
    n, d = (int(s) for s in x.shape)
    names = [Symbol(f"{x.name}_{i + 1}{j + 1}", real=True) for i in range(n) for j in range(d)]
    ctx = Context(run.ctx.table, {**run.ctx.definitions, **{s: x[k // d, k % d] for k, s in enumerate(names)}},
                  seed=run.ctx.seed, trials=run.ctx.trials)
    zeroed, which = triangular_zeros(expr, run.table)
    if which:
        run.rec.step("lower-triangular-zeros", Rows(expr), Rows(zeroed), names=", ".join(run.name(m) for m in which))
        expr = zeroed
    spelled = token_entries(expr, x, names)
    m = weights_of(spelled, names) if spelled is not None else None
    spelled, m = named_entries(spelled), named_entries(m) if m is not None else None
    if m is None:
        raise RuleError("the outputs are not linear in the input's entries, so there is no weight matrix "
                        "(hold the attention weights at their values: they depend on the input)")
    rows, cols = (int(s) for s in expr.shape)
    with_context(run, ctx, lambda: run.rec.step("token-entries", Rows(expr), spelled, n=n, d=d, total=n * d,
                                                out=rows, width=cols, x=run.name(x)))
    product = MatMul(m, Rows(x), evaluate=False)
    with_context(run, ctx, lambda: run.rec.step("read-off-weights", spelled, product, x=run.name(Rows(x))))
    run.rec.note("remark", block_remark(m, [cols] * rows, [d] * n, run.name, "token"), None)
    return m


def block_remark(m, rows, cols, show, unit: str) -> str:
    """Which blocks of ``m`` are zero, which repeat a shared block, which rotate."""
    from ..blocks import describe

    blocks = describe(m, rows, cols)
    nr, nc = len(rows), len(cols)
    size = f"{rows[0]} × {cols[0]}" if len(set(rows)) == 1 and len(set(cols)) == 1 else "rectangular"
    text = [f"The {m.rows} × {m.cols} matrix is a {nr} × {nc} grid of {size} blocks; block (i, j) takes input "
            f"{unit} j to output {unit} i."]
    flat = [b for line in blocks for b in line]
    for base in _bases(flat):
        same = [(b.row, b.col) for b in flat if b.kind == "scaled" and b.base == base and b.scale == 1]
        scaled = [b for b in flat if b.kind == "scaled" and b.base == base and b.scale != 1]
        count = len(same) + len(scaled)
        weights = base.shape[0] * base.shape[1]
        if same:
            text.append(f"The blocks {_where(same, nr, nc)} are all {show(base)}, one block shared by {len(same)}.")
        if scaled:
            b = scaled[0]
            text.append(f"The blocks {_where([(s.row, s.col) for s in scaled], nr, nc)} are {show(base)} scaled by "
                        f"one number each (block ({b.row + 1}, {b.col + 1}) is {show(b.scale)} times {show(base)}).")
        text.append(f"So {weights} shared weights fill {count} blocks ({count * weights} entries).")
    rotations = [b for b in flat if b.kind == "rotation"]
    if rotations:
        angles = ", ".join(f"{show(b.angle)}" for b in rotations)
        text.append(f"The blocks {_where([(b.row, b.col) for b in rotations], nr, nc)} are 2 × 2 rotations "
                    f"[cos θ, sin θ; −sin θ, cos θ], by the angles θ = {angles}.")
    zeros = [(b.row, b.col) for b in flat if b.kind == "zero"]
    if zeros:
        text.append(f"The {len(zeros)} blocks {_where(zeros, nr, nc)} are 0: no connection.")
    else:
        text.append("No block is 0.")
    return " ".join(text)


def _bases(flat):
    out = []
    for b in flat:
        if b.kind == "scaled" and b.base not in out:
            out.append(b.base)
    return out


def _where(cells, nr, nc) -> str:
    cells = sorted(cells)
    every = [(i, j) for i in range(nr) for j in range(nc)]
    named = {"on the diagonal": [c for c in every if c[0] == c[1]],
             "off the diagonal": [c for c in every if c[0] != c[1]],
             "above the diagonal": [c for c in every if c[0] < c[1]],
             "below the diagonal": [c for c in every if c[0] > c[1]],
             "on and below the diagonal": [c for c in every if c[0] >= c[1]],
             "on and above the diagonal": [c for c in every if c[0] <= c[1]]}
    if cells == every:
        return "in every position"
    for words, where in named.items():
        if cells == where:
            return words
    return "at " + ", ".join(f"({i + 1}, {j + 1})" for i, j in cells)


def _words(table, m) -> tuple:
    info = table.get(str(m.name)) if hasattr(table, "get") else None
    return tuple(info.assumptions) if info is not None and info.obj == m else ()


# -- softmax identities for a show goal -------------------------------------------------------
def permuted_softmax(e, table):
    """softmax(c·P S Pᵀ) -> P softmax(c·S) Pᵀ, P a declared permutation (unmasked only)."""
    if not isinstance(e, Softmax) or e.mask is not None or not isinstance(e.scores, MatMul):
        return None
    coeff, mats = e.scores.as_coeff_matrices()
    if len(mats) < 3 or not isinstance(mats[0], MatrixSymbol) or "permutation" not in _words(table, mats[0]):
        return None
    p = mats[0]
    if mats[-1] != Transpose(p) and mats[-1] != p.T:
        return None
    inner = MatMul(coeff, *mats[1:-1]).doit() if coeff != 1 else MatMul(*mats[1:-1]).doit()
    return MatMul(p, Softmax(inner), p.T)


def permutation_cancels(e, table):
    """… Pᵀ P … -> … …  and  … P Pᵀ … -> … …  for a declared permutation P."""
    if not isinstance(e, MatMul):
        return None
    coeff, mats = e.as_coeff_matrices()
    mats = list(mats)
    for k in range(len(mats) - 1):
        a, b = mats[k], mats[k + 1]
        for p in (a, b):
            if isinstance(p, MatrixSymbol) and "permutation" in _words(table, p) and \
                    ((a == p.T and b == p) or (a == p and b == p.T)):
                rest = mats[:k] + mats[k + 2:]
                if not rest:
                    return None
                return MatMul(coeff, *rest).doit() if coeff != 1 else MatMul(*rest).doit()
    return None


def full_mask(e, table=None):
    """softmax(S, 1) -> softmax(S): every entry kept."""
    if isinstance(e, Softmax) and isinstance(e.mask, OneMatrix):
        return Softmax(e.scores)
    return None


def attention_identities(run, expr):
    """On one side of a ``show`` goal: a full mask dropped, permutations taken out of softmax and
    cancelled, one certified step each."""
    if not getattr(expr, "has", None) or not expr.has(Softmax):
        return expr
    for rule, step_id in ((full_mask, "softmax-full-mask"), (permuted_softmax, "softmax-permutation")):
        found = [s for s in expr.atoms(Softmax) if rule(s, run.table) is not None]
        if found:
            after = _flatten(expr.xreplace({s: rule(s, run.table) for s in found}))
            names = sorted({run.name(s.scores.as_coeff_matrices()[1][0]) for s in found}) if step_id == "softmax-permutation" else []
            run.rec.step(step_id, expr, after, p=", ".join(names))
            expr = after
    for _ in range(10):
        found = [m for m in expr.atoms(MatMul) if permutation_cancels(m, run.table) is not None]
        if not found:
            break
        after = _flatten(expr.xreplace({m: permutation_cancels(m, run.table) for m in found}))
        run.rec.step("permutation-orthogonal", expr, after)
        expr = after
    return expr


def _flatten(e):
    """Nested products written as one product (no other simplification)."""
    def flat(m):
        coeff, mats = m.as_coeff_matrices()
        return MatMul(coeff, *mats).doit(deep=False) if coeff != 1 else MatMul(*mats).doit(deep=False)

    return e.replace(lambda t: isinstance(t, MatMul), flat)
