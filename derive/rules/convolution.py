"""Convolutions worked out by hand, and a linear layer's weight matrix read off its outputs.

Rules (each returns the rewritten expression, or None when it does not apply):

- ``turn_kernel``: a convolution is a cross-correlation with the kernel turned by 180°;
- ``pad_input``: zero padding written into an explicit input;
- ``slide``: an explicit cross-correlation computed window by window;
- ``entries``: each output of a convolution of a symbolic vector as a sum over its window
  (the terms that land on the padding are zero);
- ``weights_of``: explicit linear forms in x₁, …, xₙ as M x, M the matrix of coefficients.

Strategies: ``evaluate_convolutions`` (the ``evaluate`` goal on an expression holding one) and
``weight_matrix_goal``. Wording in ``explanations_structured.yaml``.
"""
from __future__ import annotations

from sympy import ImmutableMatrix, Integer, MatMul, MatrixSymbol, Symbol

from ..equivalence import Context
from ..errors import RuleError
from ..expr.conv import Conv
from .base import with_context


def _explicit(m) -> bool:
    return isinstance(m, ImmutableMatrix)


def turn_kernel(e):
    """x ∗ k  ->  x ⋆ rot180(k)   (k explicit)"""
    if not isinstance(e, Conv) or not e.flip or not _explicit(e.kernel):
        return None
    k = e.kernel
    turned = ImmutableMatrix(k.rows, k.cols, lambda a, b: k[k.rows - 1 - a, k.cols - 1 - b])
    return Conv(e.x, turned, e.pad, e.stride, 0)


def pad_input(e):
    """x ⋆ k with padding p  ->  pad(x) ⋆ k without   (x explicit)"""
    if not isinstance(e, Conv) or e.flip or not e.pad or not _explicit(e.x):
        return None
    x, p = e.x, e.pad
    pc = p if e.two_d else 0
    padded = ImmutableMatrix(x.rows + 2 * p, x.cols + 2 * pc,
                             lambda i, j: x[i - p, j - pc] if 0 <= i - p < x.rows and 0 <= j - pc < x.cols else 0)
    return Conv(padded, e.kernel, 0, e.stride, 0)


def slide(e):
    """x ⋆ k (no padding, both explicit)  ->  the matrix of Σ_ab k_ab x_(is+a)(js+b)"""
    if not isinstance(e, Conv) or e.flip or e.pad or not (_explicit(e.x) and _explicit(e.kernel)):
        return None
    x, k, s = e.x, e.kernel, e.stride
    rows, cols = (int(d) for d in e.shape)
    return ImmutableMatrix(rows, cols, lambda i, j: sum(
        (k[a, b] * x[i * s + a, j * s + b] for a in range(k.rows) for b in range(k.cols)), Integer(0)))


def entries(e, names):
    """x ⋆ k (x a symbolic vector)  ->  (Σₐ kₐ x₍ᵢₛ₊ₐ₋ₚ₎)ᵢ, the padding's terms dropped.
    ``names`` are the scalars standing for x's entries."""
    if not isinstance(e, Conv) or e.flip or e.two_d or not isinstance(e.x, MatrixSymbol) \
            or not _explicit(e.kernel):
        return None
    k, s, p, n = e.kernel, e.stride, e.pad, int(e.x.shape[0])
    rows = int(e.shape[0])
    return ImmutableMatrix(rows, 1, lambda i, _j: sum(
        (k[a, 0] * names[i * s + a - p] for a in range(k.rows) if 0 <= i * s + a - p < n), Integer(0)))


def weights_of(v, names):
    """(linear forms in x₁ … xₙ)  ->  M x, M the coefficients (None if a form is not linear)."""
    if not _explicit(v):
        return None
    m = v.jacobian(list(names))
    if m.has(*names) or (v - m * ImmutableMatrix(list(names))).applyfunc(lambda t: t.expand()) != v * 0:
        return None
    return ImmutableMatrix(m)


# -- strategies -------------------------------------------------------------------------------
def evaluate_convolutions(run, expr):
    """Turn the kernel, pad the input and slide the window, one certified step each."""
    for rule, step_id, fields in ((turn_kernel, "conv-turn-kernel", {}), (pad_input, "conv-zero-pad", {}),
                                  (slide, "conv-slide", {})):
        found = [c for c in expr.atoms(Conv) if rule(c) is not None]
        if not found:
            continue
        after = expr.xreplace({c: rule(c) for c in found})
        c = found[0]
        run.rec.step(step_id, expr, after, **_describe(c))
        expr = after
    return expr


def _describe(c: Conv) -> dict:
    if c.two_d:
        kernel = " × ".join(str(d) for d in c.kernel.shape) + " kernel"
        out = "a " + " × ".join(str(d) for d in c.shape) + " result"
        padding = f"{c.pad} ring{'s' if c.pad != 1 else ''} of zeros written round the input"
    else:
        kernel, out = f"width-{c.kernel.shape[0]} kernel", f"{c.shape[0]} outputs"
        padding = f"{c.pad} zero{'s' if c.pad != 1 else ''} written at each end of the input"
    return {"kernel": kernel, "pad": c.pad, "stride": c.stride, "out": out, "padding": padding}


def weight_matrix_goal(run, goal, expr):
    """The matrix W with EXPR = W x for every x: the outputs as sums over their windows, then
    the coefficient of each entry of x."""
    info = run.table[goal.wrt]
    if info.kind == "defined":                   # a vector of functions of a variable (rules/shifts.py)
        from .shifts import shift_matrix_goal

        return shift_matrix_goal(run, goal, expr)
    x = info.obj
    if isinstance(x, MatrixSymbol) and x.shape[1] != 1:   # tokens as rows (rules/attention.py)
        from .attention import token_matrix_goal

        return token_matrix_goal(run, goal, expr)
    if not isinstance(x, MatrixSymbol) or x.shape[1] != 1 or not x.shape[0].is_Integer:
        raise RuleError(f"weight_matrix needs 'of:' to name a vector of known length; '{goal.wrt}' is not one")
    expr = run.substitute_all(expr)
    expr = evaluate_convolutions_symbolic(run, expr)
    names = [Symbol(f"{x.name}_{i + 1}", real=True) for i in range(int(x.shape[0]))]
    ctx = Context(run.ctx.table, {**run.ctx.definitions, **{s: x[i, 0] for i, s in enumerate(names)}},
                  seed=run.ctx.seed, trials=run.ctx.trials)
    conv = expr if isinstance(expr, Conv) else None
    spelled = entries(conv, names) if conv is not None else None
    if spelled is None:
        raise RuleError("no rule writes this expression's outputs entry by entry (weight_matrix knows "
                        "convolutions and cross-correlations of a vector with an explicit kernel)")
    with_context(run, ctx, lambda: run.rec.step("conv-entries", expr, spelled, n=len(names), count=int(conv.shape[0]), **_describe(conv)))
    m = weights_of(spelled, names)
    if m is None:
        raise RuleError("the outputs are not linear in the input's entries, so there is no weight matrix")
    product = MatMul(m, x, evaluate=False)
    with_context(run, ctx, lambda: run.rec.step("read-off-weights", spelled, product, x=run.name(x)))
    run.rec.note("remark", sharing_remark(m, run.name), None)
    return m


def evaluate_convolutions_symbolic(run, expr):
    """Only the kernel can be turned while the input is symbolic."""
    found = [c for c in expr.atoms(Conv) if turn_kernel(c) is not None]
    if found:
        after = expr.xreplace({c: turn_kernel(c) for c in found})
        run.rec.step("conv-turn-kernel", expr, after, **_describe(found[0]))
        expr = after
    return expr


def sharing_remark(m, show) -> str:
    """Which weights the matrix shares, and how many entries are 0 (no connection)."""
    counts: dict = {}
    for value in m:
        if value != 0:
            counts[value] = counts.get(value, 0) + 1
    zeros = sum(1 for value in m if value == 0)
    shared = "; ".join(f"{show(w)} appears {k} time{'s' if k != 1 else ''}" for w, k in counts.items())
    return (f"The {m.rows} × {m.cols} matrix holds {len(counts)} distinct weights, shared across rows ({shared}); "
            f"{zeros} of its {m.rows * m.cols} entries are 0, an input the output is not connected to.")
