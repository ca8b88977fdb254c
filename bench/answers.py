"""Dump every part's result for the whole bank, to diff before and after a speed change.

    python bench/answers.py OUT.txt
    python bench/answers.py --assumptions-seed 1 OUT.txt     (reproducible: see below)

One block per problem: for each part its answer, every step (rule, before, after, how it was
certified), its notes, variants and certificate as ``srepr`` text, then the problem's JSON
output. Dummy indices (which depend on creation order) are normalised away. Not a test.

Run it with PYTHONHASHSEED=0: the order of a set of SymPy objects follows their hashes, and so
does the form of a few answers (a constant factored out or not). SymPy also draws a random base
for Dummy indices in every process, which moves those hashes; the dump fixes that base.

What still varies from run to run is SymPy's assumption system: a query for a fact it does not
know (is_positive, …) asks the related facts in an order shuffled by a generator of its own,
seeded afresh in every process, and the order can decide the form of an answer (which side of a
product a constant lands on, in one-step-convexity and online-logistic). With
``--assumptions-seed N`` that generator is seeded, and two runs of the same code give the same
text: ``python bench/answers.py --assumptions-seed 1 OUT.txt``. Old and new code compared with
the same seed (a few seeds) must then give identical files, a stricter test than
``answers_compare.py``'s variants.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

_DUMMY = re.compile(r"dummy_index=\d+")


def _s(e) -> str:
    from sympy import srepr

    try:
        return _DUMMY.sub("dummy_index=_", srepr(e))
    except Exception:  # noqa: BLE001 - plain data
        return repr(e)


def _steps(steps, indent="  ") -> list[str]:
    out = []
    for st in steps:
        out.append(f"{indent}step {st.rule} [{st.relation}] {st.certified_by}")
        out.append(f"{indent}  before {_s(st.before)}")
        out.append(f"{indent}  after  {_s(st.after)}")
        out += _steps(st.substeps, indent + "    ")
    return out


def dump(entry) -> str:
    from derive.engine import derive
    from derive.render.json_out import render_json
    from derive.spec import load_spec

    d = derive(load_spec(entry.path))
    lines = [f"== {entry.id}"]
    for p in d.parts:
        lines.append(f"part {p.id} error={p.error!r}")
        lines.append(f"  answer {_s(p.answer)}")
        lines.append(f"  certificate {p.certificate}")
        lines += _steps(p.steps)
        lines += [f"  note {n.kind} {n.text} {_s(n.math)}" for n in p.notes]
        for v in p.variants:
            lines.append(f"  variant {v.name} {v.role} {_s(v.answer)} {v.certificate}")
            lines += _steps(v.steps, "    ")
        lines += [f"  also {_s(a)}" for a in p.also]
    lines.append(_DUMMY.sub("", render_json(d)))
    return "\n".join(lines)


def main(argv=None) -> int:
    from importlib import import_module

    from sympy import Dummy

    Dummy._base_dummy_index = 1_000_003       # reproducible Dummy hashes (see the docstring)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--assumptions-seed"]:
        import_module("sympy.core.random")._assumptions_rng.seed(int(argv[1]))     # before derive asks anything
        argv = argv[2:]

    from derive.bank import entries

    out = Path(argv[0]) if argv else None
    text = "\n".join(dump(e) for e in entries()) + "\n"
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
