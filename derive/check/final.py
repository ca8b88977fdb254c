"""Which line of a part is its final answer: the boxed one, else the last line that solves for
the unknown, else the last line, passing over what a student writes after the answer (a toy
case, a prose remark, a 'where y = …' clause, a side condition such as α > 0), and, in a show
part, the last checked line that reaches the identity."""
from __future__ import annotations

import re

from .equations import solution_name

NAMING = ("definition", "a change of variables", "an example value", "a worked example")
_INEQUALITY = re.compile(r"\\le|\\ge|\\leq|\\geq|[<>≤≥]")


def in_written_order(last_values, lines) -> list:
    """(line, value) pairs in the order the write-up has them (definitions were read first)."""
    written = {id(m): k for k, m in enumerate(lines)}
    return sorted(last_values, key=lambda item: written.get(id(item[0]), 0))


def choose_answer(last_values, steps, checker):
    """(math line, value) that answers the part."""
    if checker.part.goal.kind == "condition" and checker.condition_answer is not None:
        # before 'Sanity check: for ρ = 1 this is …', but not before a point the prose picks ('at t = 0 it is …')
        stated = _before_worked_example(last_values, (), checker.example_start)
        conditions = [(m, v) for m, v in stated if v is not None and _move(steps, m) in ("an equivalent condition", "condition")]
        if conditions and not any(m.boxed for m, _ in last_values):
            return conditions[-1]       # the condition stated, even after a point the prose picked (at t = 0, …)
    last_values = _before_worked_example(last_values, steps, checker.example_start)
    boxed = [(ml, v) for ml, v in last_values if ml.boxed]
    while len(last_values) > 1 and not last_values[-1][0].boxed and not _size_of_shape_part(checker, last_values[-1][0]) \
            and (not last_values[-1][0].display or last_values[-1][0].before == "(") \
            and _in_parentheses(last_values[-1][0].before):
        last_values = last_values[:-1]          # '(The same recursion with 3 × 3 filters gives … = 8.)': an aside
    while len(last_values) > 1 and _helper_for(steps, last_values[-1][0], last_values[-2][0]):
        last_values = last_values[:-1]          # 'V_k = diag(R(k), …), R(θ) = (…)': R serves the line before
    if any(ml.display and v is not None for ml, v in last_values):
        while len(last_values) > 1 and _remark(steps, checker, *last_values[-1], *last_values[-2]):
            last_values = last_values[:-1]      # a closing remark after the displayed work is not the answer
    ml, value = (boxed or _answer_lines(last_values, checker) or last_values)[-1]
    stated = [(m, v) for m, v in last_values if (m.line, m.latex) in checker.inequalities]
    stated = [(m, v) for m, v in stated if m.display] or stated     # not 'for v ≥ 0' in the prose after it
    final = last_values[-1][0]
    if checker.bound is not None and not ml.boxed and final.display and _INEQUALITY.search(final.latex) \
            and (final.line, final.latex) not in checker.inequalities:
        return final, None              # the bound stated last could not be read: not an earlier inequality
    if stated:
        at = last_values.index(stated[-1])
        if any(m.display and _step_status(steps, m) == "unparsed" for m, _ in last_values[at + 1:]):
            stated = []                 # the chain goes on past it through lines that cannot be read
    if checker.bound is not None and stated and not ml.boxed and (ml.line, ml.latex) not in checker.inequalities:
        ml, value = stated[-1]          # a bound part: its last inequality, not a remark after it (X + X = 2X)
    elif checker.bound is not None and not stated and (ml.line, ml.latex) in checker.inequalities \
            and checker.inequalities[(ml.line, ml.latex)][0] is None and ml is not last_values[-1][0]:
        return ml, None                 # an inner '≤ R' of a chain that goes on unread is no answer
    kind = checker.part.goal.kind
    if value is None and kind == "condition" and checker.condition_answer is not None:
        bounds = [(m, v) for m, v in last_values if v is not None and _move(steps, m) in ("an equivalent condition", "condition")]
        if bounds:
            ml, value = bounds[-1]              # α < bound, then a closing remark α > 0
    reached = None
    if (kind == "show" or value is None) and not ml.boxed:
        reached = _shown_at(last_values, steps, checker)
        if reached is not None:
            return reached                      # the identity was reached on a checked line: that line answers it
    if kind == "show" and not ml.boxed:
        ml, value = _last_of_answer_shape(last_values, steps, checker, ml, value)
    return ml, value


def _size_of_shape_part(checker, ml) -> bool:
    """'(n × d)' beside a display in a shape part: the answer, not an aside."""
    return checker.part.goal.kind == "shape" and re.fullmatch(r"\s*[A-Za-z0-9]{1,3}\s*(\\times|×)\s*[A-Za-z0-9]{1,3}\s*", ml.latex) is not None


def _helper_for(steps, ml, before) -> bool:
    """Is ``ml`` a function the line before it (on the same source line) uses, defined after it?"""
    step, head = _step(steps, ml), re.match(r"\s*(\\?[A-Za-z]+)\s*\(", ml.latex)
    return step is not None and step.move == "definition" and before.line == ml.line and head is not None \
        and head.group(1) + "(" in before.latex.replace(" ", "")


def _in_parentheses(before: str) -> bool:
    """Does the prose before an inline formula leave a parenthesis open (an aside)?"""
    text = re.sub(r"\$[^$]*\$", "", before or "")          # the prose only, not earlier formulas
    return text.count("(") > text.count(")")


def _step(steps, ml):
    return next((s for s in reversed(steps) if (s.line, s.latex) == (ml.line, ml.latex)), None)


def _step_status(steps, ml) -> str:
    step = _step(steps, ml)
    return step.status if step is not None else ""


def _move(steps, ml) -> str:
    step = _step(steps, ml)
    return step.move if step is not None else ""


def _before_worked_example(last_values, steps, example_start=None) -> list:
    """Without a box, a toy case after the answer (``n = 2``, 'for example p = 0.8') is not the answer."""
    start = next(((s.line, s.latex) for s in steps if s.move == "a worked example"), example_start)
    if start is None or any(ml.boxed for ml, _ in last_values):
        return last_values
    cut = next((k for k, (ml, _) in enumerate(last_values) if (ml.line, ml.latex) == start), len(last_values))
    if any(ml.display and _move(steps, ml) == "gives the derived solution" for ml, _ in last_values[cut + 1:]):
        return last_values      # 'at z = 0 …; all three cases together: z₁ = …': the general answer follows
    return last_values[:cut] or last_values


def _remark(steps, checker, ml, value, before, before_value) -> bool:
    """'equal iff ‖w‖∞ = 1', 'touches the line w₁ + w₂ = 1' in prose, or ', y = σ(…)' beside the
    line before (a 'where' clause for a symbol that line uses)."""
    step = _step(steps, ml)
    head = checker.heads.get((ml.line, ml.latex))
    goal = checker.part.goal
    if goal.kind == "step" and goal.wrt in checker.table and head is not None and head == checker.table[goal.wrt].obj:
        return False            # 'the update leaves w₁ = −1/10': the new w₁, the step's answer
    where = before.line == ml.line and step is not None and (step.move.startswith("substitutes") or step.move == "definition") \
        and head is not None and getattr(before_value, "has", lambda h: False)(head)
    aside = not ml.display or where
    if not ml.display and step is not None and step.status == "unknown":
        return True         # 'the minimiser stops on the boundary, where h = 1/2': not checked, not the answer
    return aside and (value is None or (step is not None and step.status == "ok" and (
        step.move.startswith("substitutes") or step.move in ("identity", "definition", "inequality", "takes expectations"))))


def _last_of_answer_shape(last_values, steps, checker, ml, value):
    """A show part whose last line is unreadable or only names something: its last checked line
    of the answer's shape."""
    shape = getattr(checker.answers[0][1], "shape", None)
    status = {(s.line, s.latex): (s.status, s.move) for s in steps}

    def state(m):
        return status.get((m.line, m.latex), ("", ""))

    shaped = [(m, v) for m, v in last_values if v is not None and getattr(v, "shape", None) == shape
              and state(m)[0] != "unknown" and state(m)[1] not in NAMING]
    current = state(ml)
    if shaped and (value is None or current[0] == "unknown" or current[1] in NAMING):
        return shaped[-1]
    if current[1] in NAMING:
        return ml, None         # a name defined last is no answer to the identity: say so, not 'wrong'
    return ml, value


def _answer_lines(last_values, checker) -> list:
    """Without a box, the answer is the last line that gives the unknown a value (``c = (XXᵀ)⁻¹t``
    before a closing remark ``ŵ = Xᵀc = w*``), if any line does."""
    u = checker.unknown
    if u is None:
        return []
    solved = [(ml, v) for ml, v in last_values
              if checker.heads.get((ml.line, ml.latex)) == u and v is not None]
    if not solved or solved[-1][0] is last_values[-1][0]:
        return []
    key = (last_values[-1][0].line, last_values[-1][0].latex)
    final = getattr(checker.relations.get(key), "lhs", None)
    head = checker.heads.get(key)           # w_min = (t/‖a‖²)a = … = (4/5, 2/5): the chain's head names it
    if last_values[-1][0].display and any(x is not None and solution_name(str(x), checker.part.goal.wrt or "")
                                          for x in (final, head)):
        return []       # u = t(1, 3) with 10t = 3, then $$u_{min} = (3/10, 9/10)$$: the display answers
    stated_as = checker.part.answer_as[0] if checker.part.answer_as else None
    if final is not None and stated_as and stated_as in checker.table and final == checker.table[stated_as].obj:
        return []       # θ* = θᵗ + δ: the answer stated through the spec's answer_as
    return solved


def _shown_at(last_values, steps, checker):
    """The last checked line whose value is an answer: the identity's right-hand side in a show
    part, or, when the final line cannot be read, a derived answer reached on a checked line."""
    from ..equivalence import same_value

    status = {(s.line, s.latex): s.status for s in steps}
    identity = checker.identity
    for ml, value in reversed(last_values):
        if status.get((ml.line, ml.latex)) == "wrong" and value is not None:
            return None         # the write-up went on past a checked line, through a wrong one: it ends there
        if status.get((ml.line, ml.latex)) != "ok":
            continue
        if identity is not None and _rearranges(checker, (ml.line, ml.latex), identity):
            return ml, identity[1]          # the identity, rearranged: it answers the part
        if value is None:
            continue
        try:
            if any(same_value(value, answer, checker.ctx).ok for _, answer in checker.answers
                   if getattr(answer, "shape", None) == getattr(value, "shape", None)):
                return ml, value
        except Exception:  # noqa: BLE001 - a value that cannot be compared answers nothing
            continue
    return None


def _rearranges(checker, key, identity) -> bool:
    """Is the line's equation (its first item = its last) the show goal's identity rearranged:
    the same difference of sides, up to sign, term by term (numbers cannot tell two identities
    apart: both sides of each are always equal)?"""
    from ..rules.calculus import scalar_if_1x1

    head, relation = checker.heads.get(key), checker.relations.get(key)
    if head is None or relation is None:
        return False
    try:
        mine = scalar_if_1x1(head) - scalar_if_1x1(relation.rhs)
        goal = scalar_if_1x1(identity[0]) - scalar_if_1x1(identity[1])
        return (mine - goal).expand() == 0 or (mine + goal).expand() == 0   # symbolically: both sides are identities
    except Exception:  # noqa: BLE001 - sides of different kinds rearrange nothing
        return False


_NO = re.compile(r"^\W*(no|false)\b|\b(does|do|need|can|will|would)(\s*not|n't)\s+(hold|lie|apply|stay|remain|follow)"
                 r"|\bcannot\s+(hold|lie|apply|stay|remain|follow)|\bfails?\b|\bis\s+false\b|\bnot\s+true\b"
                 r"|\bcounter-?\s?example\b|\bviolat|\b(does\s+not|cannot|can't)\s+exist|\bimpossible\b|\bnot\s+possible\b"
                 r"|\b(there\s+is|exists?)\s+no\b|\bno\s+(such\s+)?(matrix|linear\s+map|choice|solution)\b", re.I)
_YES = re.compile(r"^\W*(yes|true)\b|\balways\s+holds\b|\bholds\s+for\s+(all|every)\b", re.I)
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|\\\[.*?\\\]|\\begin\{(\w+\*?)\}.*?\\end\{\1\}", re.S)


def section_prose(text: str, sections, pid: str) -> str:
    """The prose of part ``pid``'s section (its headings' lines excluded, math blanked), for a
    verdict given in words."""
    lines, starts = text.splitlines(), sorted(n for n, _ in sections)
    out = []
    for n, owner in sections:
        if owner == pid:
            end = next((m for m in starts if m > n), len(lines) + 1)
            out.append("\n".join(lines[n:end - 1]))
    prose = _MATH.sub(" M ", "\n".join(out))
    prose = re.sub(r"\\(noindent|textbf|emph|textit|item|par|medskip|smallskip|bigskip)\b|[{}*]", " ", prose)
    return re.sub(r"\\end\{document\}", " ", prose)


def yes_or_no(prose: str) -> str | None:
    """'no' when the prose says a claim fails ('No.', 'does not hold', 'fails', a counterexample),
    'yes' when it says it holds ('Yes.', 'always holds') and never that it fails, else None."""
    if _NO.search(prose):
        return "no"
    return "yes" if _YES.search(prose) else None
