"""The moment strategy's steps for random vectors and matrices: which rule of ``vectors.py``
applies next, recorded (and so certified) with the words of ``explanations_vectors.yaml``.

Called from ``Run._moment_step``: ``before_scalar_rules`` opens inner products so that the
scalar rules (linearity, bias–variance, independence) see the terms; ``after_scalar_rules``
evaluates the expectations and variances of the terms and then puts in the moments.
"""
from __future__ import annotations

from . import vectors


def arrays_of(run):
    cached = getattr(run, "_random_arrays", None)
    if cached is None or cached[0] is not run.table:
        run._random_arrays = (run.table, vectors.Arrays(run.table))
    return run._random_arrays[1]


def before_scalar_rules(run, expr, arrays):
    out = vectors.open_products(expr, arrays)
    if out is not None:
        run.rec.step("open-inner-products", expr, out)
        if run.show(out) == run.show(expr):
            run.rec.steps.pop()       # certified, but it reads the same: not shown as a step of its own
    return out


def after_scalar_rules(run, expr, arrays):
    out = vectors.mean_of_linear(expr, arrays)
    if out is not None:
        run.rec.step("mean-of-linear-form", expr, out)
        return out
    out, bases = vectors.second_moment(expr, arrays)
    if out is not None:
        base = bases[0]
        info = arrays.info[base]
        run.rec.step("second-moment-of-vector", expr, out, **_second_moment_words(run, info))
        return out
    out = vectors.variance_of_linear(expr, arrays)
    if out is not None:
        run.rec.step("variance-of-linear-form", expr, out)
        return out
    if expr.has(*_moment_nodes()[:2]):
        return None               # expectations left: the moments go in once they are evaluated
    out, used = vectors.substitute_moments(expr, arrays)
    if out is not None:
        _record_moments(run, expr, out, used)
        tidied = vectors.tidy_products(out)
        if tidied != out:
            run.rec.step("multiply-out", out, tidied)
            out = tidied
        symmetric = run.symmetry(out)          # Kᵀ → K for a declared symmetric K (its own step)
        if symmetric != out:
            out = symmetric
            tidied = vectors.tidy_products(out)
            if tidied != out:
                run.rec.step("multiply-out", out, tidied)
                out = tidied
        return out
    return None


def _moment_nodes():
    from ..expr.objects import E, Var

    return (E, Var)


def _record_moments(run, expr, out, used):
    from ..expr.objects import Mean
    from ..spec_random import covariance, draws

    show = run.show
    facts = "; ".join(f"{'𝔼' if isinstance(node, Mean) else 'Cov'}[{show(node.arg)}] = {show(value)}"
                      for node, value, _ in sorted(used, key=lambda u: (not isinstance(u[0], Mean), str(u[0]))))
    batch = [info for _, _, info in used if draws(info) is not None]
    if batch:
        info = batch[0]
        run.rec.step("minibatch-covariance", expr, out, name=show(info.obj), count=show(draws(info)),
                     cov=show(covariance(info)), facts=facts)
    else:
        run.rec.step("vector-moments", expr, out, facts=facts)


def _second_moment_words(run, info) -> dict:
    name = run.show(info.obj)
    if info.shape[1] == 1:
        rule = (f"𝔼[{name}ᵀK{name}] = 𝔼[{name}]ᵀK𝔼[{name}] + tr(K Cov[{name}]) and "
                f"𝔼[{name}{name}ᵀ] = 𝔼[{name}]𝔼[{name}]ᵀ + Cov[{name}]")
        return {"what": "vector", "name": name, "identity": rule}
    from ..spec_random import entry_variance

    s2 = run.show(entry_variance(info))
    rule = (f"with independent entries of variance {s2}, 𝔼[{name}ᵀK{name}] = 𝔼[{name}]ᵀK𝔼[{name}] + {s2}·tr(K)·I "
            f"and 𝔼[{name}K{name}ᵀ] = 𝔼[{name}]K𝔼[{name}]ᵀ + {s2}·tr(K)·I")
    return {"what": "matrix", "name": name, "identity": rule}
