"""Random vectors and matrices in specs: ``kind: random`` with a ``shape``.

Read by ``spec.py`` for a random symbol that has ``shape: [d]`` or ``shape: [n, d]``:

- ``dist: 'normal(mu, Sigma)'``: a Gaussian vector with mean ``mu`` (0 or a vector of shape
  [d]) and covariance ``Sigma`` (a d × d matrix, symmetric positive (semi)definite);
- ``dist: 'normal(mu, s**2)'``: i.i.d. entries with variance s² (covariance s²I for a vector);
  for a matrix the mean is 0 or a matrix of the same shape;
- ``mean_of: B`` (vectors only): the symbol is the mean of B i.i.d. draws from ``dist``.

The distribution is stored as ``("normal", mean, covariance)`` with the mean a matrix
expression (``ZeroMatrix`` for 0), and ``("normal", mean, covariance, B)`` for a mean of draws.
Helpers here are shared by the rules, the certifier and the renderers.
"""
from __future__ import annotations


def random_array(reader, info, decl: dict, table, path) -> None:
    """Fill ``info`` (shape, SymPy object, distribution) for a random vector or matrix."""
    from sympy import Integer, MatrixSymbol

    name = info.name
    shape = decl["shape"]
    if not isinstance(shape, list) or len(shape) not in (1, 2):
        raise reader.err(f"random '{name}' needs shape: [d] for a vector or [n, d] for a matrix", *path, "shape")
    dims = [reader.dim(v, table, *path, "shape") for v in shape]
    info.shape = (dims[0], dims[1] if len(dims) == 2 else Integer(1))
    info.obj = MatrixSymbol(name, *info.shape)
    info.dist = distribution(reader, info, decl, table, path)
    if decl.get("mean_of") is not None:
        if len(shape) != 1:
            raise reader.err(f"mean_of: is for a random vector (shape: [d]); '{name}' has shape "
                             f"[{', '.join(str(d) for d in info.shape)}]", *path, "mean_of")
        count = reader.dim(decl["mean_of"], table, *path, "mean_of")
        info.dist = info.dist + (count,)


def distribution(reader, info, decl, table, path) -> tuple:
    from sympy import MatrixSymbol, ZeroMatrix

    from .expr.build import Builder
    from .expr.parse import parse
    from .errors import ParseError
    from .spec import _check_names

    text = str(reader.require(decl, "dist", *path, what="a random symbol"))
    where = (*path, "dist")
    kind = "vector" if info.shape[1] == 1 else "matrix"
    try:
        node = parse(text)
    except ParseError as e:
        raise reader.err(f"in dist '{text}': {e.message}", *where) from None
    from .expr import ast as A

    if not isinstance(node, A.Call) or node.func != "normal" or len(node.args) != 2:
        raise reader.err(f"a random {kind} takes dist: normal(mean, covariance), e.g. 'normal(mu, Sigma)' or "
                         f"'normal(0, sigma**2)' for i.i.d. entries; not '{text}'", *where)
    values = []
    for a in node.args:
        try:
            _check_names(a, table, text)
            values.append(Builder(table, text).build(a))
        except ParseError as e:
            raise reader.err(f"in dist '{text}': {e.message} (declare its parameters as symbols)", *where) from None
    (mean, mshape), (cov, cshape) = ((v.expr, v.shape) for v in values)
    shown = _fmt(info.shape)
    if mshape is None:
        if mean != 0:
            raise reader.err(f"the mean of random {kind} '{info.name}' must be 0 or a {kind} of shape {shown}, "
                             f"not the scalar {mean}", *where)
        mean = ZeroMatrix(*info.shape)
    elif tuple(mshape) != tuple(info.shape):
        raise reader.err(f"the mean of random {kind} '{info.name}' has shape {_fmt(mshape)}, but '{info.name}' "
                         f"has shape {shown}", *where)
    if cshape is None:
        if cov.is_nonnegative is False:
            raise reader.err(f"the variance {cov} of the entries of '{info.name}' cannot be negative", *where)
        return ("normal", mean, cov)
    if kind == "matrix":
        raise reader.err(f"a random matrix takes normal(mean, s**2): i.i.d. entries with variance s**2; "
                         f"a covariance matrix {_fmt(cshape)} is only for a random vector", *where)
    d = info.shape[0]
    if cshape[0] != cshape[1]:
        raise reader.err(f"the covariance of '{info.name}' must be square ({_fmt((d, d))}); it has shape "
                         f"{_fmt(cshape)}", *where)
    if cshape[0] != d:
        raise reader.err(f"the covariance of '{info.name}' must be {_fmt((d, d))} to match its shape {shown}; "
                         f"it is {_fmt(cshape)}", *where)
    if isinstance(cov, MatrixSymbol):
        declared = table[str(cov.name)].assumptions if str(cov.name) in table else ()
        if not {"positive_definite", "positive_semidefinite"} & set(declared):
            raise reader.err(f"the covariance '{cov.name}' of '{info.name}' must be declared with "
                             "assume: [symmetric, positive_definite] (or positive_semidefinite)", *where)
    return ("normal", mean, cov)


def _fmt(shape) -> str:
    r, c = shape
    return f"[{r}]" if c == 1 else f"[{r}, {c}]"


# -- shared helpers ------------------------------------------------------------------------------
def is_array(info) -> bool:
    """A random vector or matrix (as opposed to a scalar random symbol or family)."""
    return info.kind == "random" and info.shape is not None


def draws(info):
    """B for a mean of B i.i.d. draws, else None."""
    return info.dist[3] if info.dist is not None and len(info.dist) > 3 else None


def covariance(info):
    """The covariance of a random vector as a matrix expression (σ²I for i.i.d. entries), and of
    one draw when it is a mean of draws."""
    from sympy import Identity, MatMul

    cov = info.dist[2]
    if getattr(cov, "is_Matrix", False):
        return cov
    return MatMul(cov, Identity(info.shape[0]))


def entry_variance(info):
    """The variance of each entry of a random array with i.i.d. entries, else None."""
    cov = info.dist[2]
    return None if getattr(cov, "is_Matrix", False) else cov


def describe(info, show) -> str:
    """'𝒩(μ, Σ)', '𝒩(0, σ²I)', 'i.i.d. entries 𝒩(0, s²)', 'mean of B i.i.d. draws of 𝒩(μ, Σ)' (``show``
    prints an expression as text)."""
    mean, cov = info.dist[1], info.dist[2]
    m = "0" if getattr(mean, "is_ZeroMatrix", False) else show(mean)
    if info.shape[1] != 1:
        text = f"i.i.d. entries 𝒩({m}, {show(cov)})" if m == "0" else f"entries 𝒩({m}ᵢⱼ, {show(cov)}), independent"
        return text
    c = show(cov) if getattr(cov, "is_Matrix", False) else _times_identity(show(cov))
    text = f"𝒩({m}, {c})"
    if draws(info) is not None:
        text = f"mean of {show(draws(info))} i.i.d. draws of {text}"
    return text


def _times_identity(s: str) -> str:
    return f"({s})I" if any(ch in s for ch in "+-−/ ") else f"{s}I"
