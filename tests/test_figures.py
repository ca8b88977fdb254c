"""Figures come from the derivation: the toy problem's line, contours and minimum-norm point."""
import sympy as sp

from derive.bank import find
from derive.engine import derive
from derive.spec import load_spec


def test_weight_space_figure_is_derived():
    d = derive(load_spec(find("ridge-toy")))
    fig = d.parts[1].figure
    w1, w2 = fig["vars"]
    line = fig["line"]["eq"]
    # independent computation: the foot of the perpendicular from the origin to the line a·w = c
    a = sp.Matrix([sp.diff(line.lhs - line.rhs, v) for v in (w1, w2)])
    c = -(line.lhs - line.rhs).subs({w1: 0, w2: 0})
    foot = a * c / (a.T * a)[0]
    assert sp.Matrix(fig["point"]["at"]) == foot
    assert sp.simplify(fig["touching"] - sp.sqrt((foot.T * foot)[0])) == 0
    assert fig["touching"] in fig["contours"]["radii"]
    # the point lies on the line and no other point of the line is closer to the origin
    assert sp.simplify(line.lhs.subs({w1: foot[0], w2: foot[1]}) - line.rhs.subs({w1: foot[0], w2: foot[1]})) == 0


def test_figure_appears_in_the_latex_document():
    from derive.render.latex import render_latex

    tex = render_latex(derive(load_spec(find("ridge-toy"))))
    assert "\\begin{tikzpicture}" in tex and "axis" in tex
