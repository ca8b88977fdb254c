"""Checking one submission: split the file into the parts it answers, run a ``PartChecker`` over
each part's lines, and judge each part's final answer against the engine's derivation."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..errors import ParseError
from ..expr import ast as A
from .answers import resemblance
from .algebra import _direction
from .checker import AS_STATED, UNUSED_SYMBOL, PartChecker
from .final import choose_answer, in_written_order, section_prose, yes_or_no
from .line_forms import rebinding, unequal_tail, without_event_probabilities
from .results import AnswerResult, PartCheck, StepResult


@dataclass
class FileReport:
    file: str
    problem: str
    parts: list[PartCheck] = field(default_factory=list)
    error: str = ""                 # the file as a whole could not be checked (unreadable, too large, timed out)

    @property
    def steps(self) -> list[StepResult]:
        return [s for p in self.parts for s in p.steps]

    @property
    def first_wrong_step(self):
        return next((s.index for s in self.steps if s.status == "wrong"), None)

    @property
    def fully_right(self) -> bool:
        return (not self.error and self.first_wrong_step is None and bool(self.parts)
                and all(p.final_answer is not None and p.final_answer.status == "correct" for p in self.parts))


@dataclass
class Problem:
    """Everything a checker needs about one problem, prepared once per batch."""

    spec: object
    derivation: object
    definitions: dict            # part id -> definitions in force
    answers: dict                # part id -> [(convention, value)]
    conditions: dict = field(default_factory=dict)   # part id -> (unknown, op, bound) of a condition goal
    identities: dict = field(default_factory=dict)   # part id -> (lhs, rhs) of a show goal
    bounds: dict = field(default_factory=dict)       # part id -> (lhs, '>=' or '<=', rhs) of a bound goal
    refuted: dict = field(default_factory=dict)      # part id -> why its claim fails (a bound, a matrix that cannot exist)

    @classmethod
    def prepare(cls, spec, derivation):
        from ..engine import derive_part, part_definitions

        results = {p.id: p for p in derivation.parts}
        missing = [p for p in spec.parts if p.id not in results]
        if missing:
            for p in spec.parts:
                if p.id not in results:
                    results[p.id] = derive_part(spec, p, results)
        defs, answers = {}, {}
        for p in spec.parts:
            defs[p.id] = part_definitions(spec, p, results)[0]
            res = results[p.id]
            value = res.answer.rhs if hasattr(res.answer, "rhs") else res.answer
            answers[p.id] = [("as in the problem", value)] + [
                (v.name, v.answer.rhs if hasattr(v.answer, "rhs") else v.answer) for v in res.variants] + [
                (f"as {a.lhs}", a.rhs) for a in res.also if hasattr(a, "rhs")]
        conditions = {}
        for p in spec.parts:
            answer, op = results[p.id].answer, getattr(results[p.id].answer, "rel_op", None)
            if p.goal.kind == "condition" and op in ("<", "<=", ">", ">="):
                conditions[p.id] = (answer.lhs, op, answer.rhs)
        identities = {p.id: (results[p.id].answer.lhs, results[p.id].answer.rhs) for p in spec.parts
                      if p.goal.kind == "show" and hasattr(results[p.id].answer, "lhs")}
        bounds = {p.id: (results[p.id].answer.lhs, _direction([getattr(results[p.id].answer, "rel_op", "")]),
                         results[p.id].answer.rhs) for p in spec.parts
                  if p.goal.kind == "bound" and hasattr(results[p.id].answer, "lhs")}
        refuted = {p.id: (results[p.id].steps[-1].because, results[p.id].answer) for p in spec.parts     # an instance
                   if p.goal.kind in ("bound", "weight_matrix") and type(results[p.id].answer).__name__ == "And"
                   and results[p.id].steps}
        return cls(spec, derivation, defs, answers, conditions, identities, bounds, refuted)


def part_sections(text: str, part_ids: list[str]) -> list[tuple[int, str]]:
    """(line, part id) for each heading that names a part: Markdown '#', LaTeX \\section-like
    commands, '**1.2.2**' or 'Part 1.2.2' at the start of a line."""
    ids = sorted(part_ids, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w.])(" + "|".join(re.escape(i) for i in ids) + r")(?![\w.]|\.\d)")
    heading = re.compile(r"^\s*(#{1,6}\s|\\(sub)*section\*?\{|\\paragraph\*?\{|\*\*|\\textbf\{|(Part|Question|Problem|Q)\b)", re.I)
    out = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if heading.match(raw):
            m = pattern.search(raw)
            if m:
                out.append((n, m.group(1)))
    return out


def check_text(text: str, filename: str, problem: Problem, parts: list[str] | None = None,
               aliases: dict | None = None) -> FileReport:
    from .extract import MathLine, extract, prose_sizes

    spec = problem.spec
    report = FileReport(filename, spec.id)
    try:
        lines = extract(text, filename)
    except Exception as err:  # noqa: BLE001 - unreadable: one unparsed step says why
        message = (err.message if isinstance(err, ParseError) else "the file nests too deeply to read"
                   if isinstance(err, (RecursionError, MemoryError)) else
                   f"could not split the file into math lines ({type(err).__name__}: {err})"[:300])
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", message)) else 1
        pc = PartCheck((parts or [spec.parts[0].id])[0])
        pc.steps.append(StepResult(1, line, "", "unparsed", reason=message, part=pc.part))
        pc.final_answer = AnswerResult("", "unknown", reason="the file could not be read")
        report.parts.append(pc)
        return report
    all_ids = [p.id for p in spec.parts]
    sections = part_sections(text, all_ids)
    chosen = parts or sorted({pid for _, pid in sections}, key=all_ids.index) or None
    if not chosen:
        return _best_single_part(lines, filename, problem, all_ids, aliases, report)
    groups: dict[str, list] = {pid: [] for pid in chosen}
    for ml in lines:
        owner = None
        for start, pid in sections:
            if start <= ml.line:
                owner = pid
        if owner is None and len(chosen) == 1:
            owner = chosen[0]
        if owner is None and sections and ml.line < sections[0][0]:
            owner = chosen[0]   # "Throughout, s_i := …" before the first heading: the first part's (its names carry on)
        if owner in groups:
            groups[owner].append(ml)
    sizes: dict[str, list] = {pid: [] for pid in chosen}        # '**n × d**' in prose: a shape part's answer
    for line, latex, bold in prose_sizes(text, filename):
        owner = next((pid for start, pid in reversed(sections) if start <= line), None)
        if owner in sizes:
            sizes[owner].append(MathLine(line, latex, boxed=bold, display=False))     # bold: stated as the answer
    index, carried = 0, []
    for pid in chosen:
        pc, index = _check_part(groups[pid], problem, pid, aliases, index, carried, sizes[pid],
                                opens=sections[0][0] if sections else 0)
        if pid in problem.refuted:
            _whether_it_holds(pc, *problem.refuted[pid], section_prose(text, sections, pid))
        report.parts.append(pc)
        by_line = {(ml.line, ml.latex): ml for ml in groups[pid]}
        heads = {_defined_head(ml.latex) for ml in carried}
        for s in pc.steps:
            ml = by_line.get((s.line, s.latex))
            if ml is not None and s.status == "unknown" and s.move == "definition" and _first_link(ml.latex):
                ml, s = replace(ml, latex=_first_link(ml.latex)), replace(s, status="ok")   # e := ĝ − h = (unread)
            if ml is None or ml in carried or s.status != "ok" \
                    or s.move not in ("definition", "a change of variables", "names a quantity"):
                continue
            if _defined_head(ml.latex) not in heads:     # 'at w = 0, r = −2' after r := …: a value there, not r
                heads.add(_defined_head(ml.latex))
                carried.append(ml)
    return report


def _definitions_first(lines) -> list:
    """"y = s/ρ with s := Σ w_j x_j and ρ := ‖w‖" on one source line: the definitions of a line
    (``:=``, or a short name set equal to something and used earlier on the line) are read before
    its other statements, which use them."""
    out, k = [], 0
    while k < len(lines):
        j = k
        while j < len(lines) and lines[j].line == lines[k].line:
            j += 1
        same = lines[k:j]
        first = [m for n, m in enumerate(same) if ":=" in m.latex or (m.lead != "=>" and _defines_earlier(m, same[:n]))]
        out += first + [m for m in same if m not in first]
        k = j
    return out


def _defines_earlier(ml, before) -> bool:
    """Is ``ml`` ``name = …`` for a short name that a statement before it on the line uses?"""
    head = ml.latex.split("=", 1)[0].strip() if "=" in ml.latex else ""
    if (call := re.fullmatch(r"([^()=]+)\(\s*\\?[A-Za-z]+\s*\)", head)) is not None:
        head = call.group(1).strip()        # 'F = F_1 + F_2 with F_1(u) = …': the function F_1
    if not head or len(head) > 24 or any(c in head for c in "+-(),<>"):
        return False
    if not any(mark in head for mark in ("\\bar", "\\tilde", "\\hat", "_", "^")) \
            and not (call and any(head + "(" in m.latex.replace(" ", "") for m in before)):
        return False        # a bare μ = … is a value solved for (but R(θ) = … defines the R(k) used before it)
    if any(m.latex.split("=", 1)[0].strip() == head for m in before):
        return False        # 'Write δ_i = θ_i − θ_iᵗ … take δ_i = −ε': the name was introduced before
    if _CONSEQUENCE.search(ml.before):
        return False        # '2w₁ − ν = 0 and 2w₂ − ν = 0, so w₁ = w₂ = ν/2': a conclusion from them
    return any(head in m.latex for m in before)


_SUPPOSED_CASE = re.compile(r"\bif\s*\$[^$]*(?:[<>]|\\[lg]eq?\b|\\[lg]t\b)[^$]*\$[^.;$]*\bthen\s*$", re.I)
_CONSEQUENCE = re.compile(r"(\b(so|hence|thus|therefore|giving|gives|which gives|we get|implies)|\\implies|\\Rightarrow|⇒)"
                          r"\W*$", re.I)


_POINT = re.compile(r"^\s*\\?[A-Za-z]+(_\{?\w+\}?)?\s*=\s*-?\s*(\\[td]?frac\{?\d+\}?\{?\d+\}?|\d+(\.\d+)?(/\d+)?)\s*$")
_ONE_DIMENSION = re.compile(r"\b(in|with)\s+(one|1)[- ]?(dimension|dim\b|d\b)|\bone-dimensional\b|\bscalar case\b", re.I)
_FOR_EXAMPLE = re.compile(r"\b(e\.\s?g\.|for example|for instance|as an example)\W*(\w+\W*){0,3}$"
                          r"|\(\s*(for|when|if|in the case)\s*$"        # '(For $b = 1$ it is just …)': a special case
                          r"|\b(numeric(al)?|sanity|quick)\s+(check|test)\b[^.;$]*$", re.I)   # 'Quick numeric check, …: with $A = 2$'
_TAKE = re.compile(r"\b(take|choose|pick)\s*$", re.I)     # 'No. Take $\mu = 1$, …': the instance of a counterexample
_UNEQUAL = re.compile(r"^\s*\(?\s*([A-Za-z])\s*\\ne(?:q)?\s*([A-Za-z])\s*\)?\s*$")


def _index_conditions(lines) -> dict:
    """Source line -> pairs of index names the line says differ (``\\quad k \\neq l``)."""
    out: dict = {}
    for ml in lines:
        m = _UNEQUAL.match(ml.latex)
        if m:
            out.setdefault(ml.line, []).append((m.group(1), m.group(2)))
    return out


def _best_single_part(lines, filename, problem, all_ids, aliases, report):
    """No part named in the file: check it as each part and keep the one it answers best."""
    best = None
    for pid in all_ids:
        pc, _ = _check_part(lines, problem, pid, aliases, 0)
        first_wrong = next((k for k, s in enumerate(pc.steps) if s.status in ("wrong", "unparsed")), len(pc.steps))
        score = (pc.final_answer is not None and pc.final_answer.status == "correct",
                 -sum(s.status in ("wrong", "unparsed") or s.move in ("type error", UNUSED_SYMBOL) for s in pc.steps),
                 -sum(s.status == "unknown" for s in pc.steps),
                 first_wrong, pc.resemblance)
        if best is None or score > best[0]:
            best = (score, pc)
    report.parts.append(best[1])
    return report


def _whether_it_holds(pc, why: str, instance, prose: str) -> None:
    """A claim the derivation refutes ('does F lie below its tangent plane?', 'is there a matrix
    that shifts the encoding?'): the answer is the verdict the prose gives, 'No'/'fails' or
    'Yes'/'always holds', whatever the part's math ends on (the true inequality, or the failing
    one at the student's own instance)."""
    said = yes_or_no(prose)
    if said == "no":
        pc.final_answer = AnswerResult("", "correct", convention="it fails, as derived")
    elif said == "yes":
        from ..render.printing import text

        sides = re.search(r"left side is (\S+) and the right side is (\S+?)[,.]?(?:\s|$)", why)
        values = {str(v.lhs): text(v.rhs) for v in instance.args if getattr(v, "rel_op", None) == "=="}
        pc.final_answer = AnswerResult("", "wrong", reason="the write-up says it holds; it does not hold in general", counterexample={
            "values": values, "left": sides.group(1) if sides else "", "right": sides.group(2) if sides else ""})


def _definition_read(checker, index, ml, applied) -> StepResult | None:
    """``e := ĝ − h = (1/B)Σ_b(g_b − h)`` whose later links cannot be read: the name is still
    defined by its first link (the later lines use it), and the line is reported unknown."""
    from .latex_math import parse_chain

    head = _first_link(ml.latex)
    if head is None:
        return None
    try:
        terms, ops = parse_chain(head, checker.names(), given_functions=applied)
        result, _ = checker.check_line(index, replace(ml, latex=head), terms, ops, None)
    except Exception:  # noqa: BLE001 - the first link cannot be read either: the line stays unread
        return None
    if result.status != "ok" or result.move != "definition":
        return None
    return replace(result, latex=ml.latex, status="unknown",
                   reason=f"defines {head}; the rest of the chain could not be read")


def _first_link(latex: str) -> str | None:
    """``name := A`` of a chain ``name := A = B …`` (the first '=' after ':=' at brace depth 0)."""
    at = latex.find(":=")
    if at < 0:
        return None
    depth = 0
    for k in range(at + 2, len(latex)):
        ch = latex[k]
        depth += (ch in "{([") - (ch in "})]")
        if ch == "=" and depth == 0:
            return latex[:k].strip()
    return None


def _named_goal_slip(part, last_values, checker, answered) -> AnswerResult | None:
    """In a part with several named goals (neurons, parameters), a line headed by another goal's
    name (``\\text{neurons} = … = 7930``) states that goal's answer: the verdict when it is wrong."""
    from ..equivalence import same_value

    by_name = dict(checker.answers)
    expected = {g.name: checker.answers[0][1] if k == 0 else by_name[g.name] for k, g in enumerate(part.goals)
                if getattr(g, "name", None) and (k == 0 or g.name in by_name)}
    labelled = _labelled_sibling(last_values, answered)
    if labelled is not None:                    # w₁^{L2} = … beside the answered w₁^{WD} = …: one goal each
        ml, value = labelled
        verdicts = [same_value(value, expected, checker.ctx) for _, expected in checker.answers]
        if not any(v.ok for v in verdicts) and any(v.status == "not-equivalent" for v in verdicts):
            wrong = next(v for v in verdicts if v.status == "not-equivalent")
            return AnswerResult(ml.latex, "wrong", reason="this answer is none of the part's derived answers",
                                counterexample=checker._ce(wrong), line=ml.line)
    seen = set()
    for ml, value in reversed(last_values):     # the last line that names each goal
        head = re.match(r"^\s*(?:\\text\{|\\mathrm\{|\\operatorname\{)?\s*([A-Za-z]+)\s*\}?\s*=", ml.latex)
        goal = next((g for g in expected if head and len(head.group(1)) >= 4
                     and (g.startswith(head.group(1).lower()) or head.group(1).lower().startswith(g[:5]))), None)
        if goal is None or goal in seen:
            continue
        seen.add(goal)
        if ml is answered or value is None:
            continue
        verdict = same_value(value, expected[goal], checker.ctx)
        if verdict.status == "not-equivalent":
            return AnswerResult(ml.latex, "wrong", reason=f"the {goal} stated is not the derived {goal}",
                                counterexample=checker._ce(verdict), line=ml.line)
    return None


_LABELLED = re.compile(r"^\s*(?P<name>(?:\\mathbf\s*|\\boldsymbol\s*|\\bm\s*)?\{?\\?[A-Za-z]+\}?(?:_\{?\w+\}?)?)"
                       r"\s*\^\s*\{\s*(?:\\text|\\mathrm)\s*\{(?P<label>[^{}]+)\}\s*\}\s*=")


def _labelled_sibling(last_values, answered):
    """The line before ``answered`` that states the same name under another label (w₁^{L2} beside
    w₁^{WD}), with its value; None when there is none."""
    mine = _LABELLED.match(answered.latex)
    if mine is None:
        return None
    for ml, value in reversed(last_values):
        other = _LABELLED.match(ml.latex)
        if ml is not answered and value is not None and other is not None \
                and other.group("name") == mine.group("name") and other.group("label") != mine.group("label"):
            return ml, value
    return None


def _continued_from(ml, prev_last, last_values):
    """What a line that opens with '=' continues: the display chain, or, for inline math, the
    formula just before it on the same source line (a table row '$z_2 = bx$ | $= -3$')."""
    if not ml.display and ml.continues and last_values:
        before, value = last_values[-1]
        if before.line == ml.line and not before.display and value is not None:
            return value
    return prev_last


def _size_in_prose(checker, sizes):
    """A shape part's answer from the last size its prose gives in bold (``**n × d**``), or None."""
    return checker._answer_shape(sizes[-1]) if sizes else None      # (None in a part of another kind)


def _carry_definitions(checker, carried, applied) -> None:
    """The student's names from earlier parts of the file (``s := Σ_j w_j x_j``), read again
    silently so that this part knows them; a name this part cannot read is simply not carried."""
    from .latex_math import parse_chain

    checker.carrying = True
    for ml in carried:
        try:
            terms, ops = parse_chain(ml.latex, checker.names(), given_functions=applied)
            checker.check_line(0, ml, terms, ops, None)
        except Exception:  # noqa: BLE001 - a definition that does not carry over is left out
            continue
    checker.carrying = False
    checker.state = checker._initial_state()


def _stated_condition(ml, following, checker, applied):
    """``$∂a₁/∂z₁ = 1$ when $z₁ > 0$``: the inline inequality that follows a line on the same
    source line, as (terms, op), or None."""
    from .latex_math import parse_chain

    if not following or following[0].line != ml.line or ml.display or following[0].display:
        return None
    if _NEW_CLAUSE.match(ml.after):
        return None                             # '$E[r_k r_l] = q^2$, and for $k = l$ …': the next claim's case
    try:
        terms, ops = parse_chain(following[0].latex, checker.names(), given_functions=applied)
    except Exception:  # noqa: BLE001 - no readable condition, nothing to use
        return None
    if len(ops) == 1 and ops[0] == "=" and _index_names(terms, checker):
        return terms, "index"                  # E[ξ_k ξ_l] = τ² if k = l: read with l as k
    if len(ops) != 1 or ops[0] not in ("<", "<=", ">", ">="):
        return None
    return terms, ops[0]


_NEW_CLAUSE = re.compile(r"^\s*([.;]|,?\s*(and|but|while|whereas)\b)", re.I)
_SET_SYMBOL = re.compile(r"^\s*\\?[A-Za-z]+(_\{?\w+\}?)?\s*=[^=<>]+$")
_COMPARISON = re.compile(r"\b(compared (with|to)|unlike|whereas|versus|as opposed to|instead of|rather than)\b[^.;:$]*\(\s*$"
                         r"|\b(for|by) comparison\b[^.;]*$|\bin contrast\b[^.;]*$|\(\s*compare\b[^.;)]*$", re.I)
_CASE_OPENS = re.compile(r"\b(if|when|whenever|for)\s*$", re.I)
_CASE_WORD = re.compile(r"^[\s,(]*(?:[A-Za-z]+\s+){0,2}(if|when|whenever|for)\s*$", re.I)   # '(admissible when'
_CASE_THEN = re.compile(r"^[\s(,:;]*(?:(?:then|so|we)\s+)?(?:take|choose|pick|set|put|use|get|have|then|gives?)?[\s:]*$", re.I)


def _case_conditions(lines, checker, applied) -> tuple[dict, set]:
    """``if $g_i > 0$ (take $δ_i = −ε$)``: an inline claim right after an inline inequality that
    opens with 'if' or 'when', on the same line, holds under it; so does ``$δ_i = −ε$ if $g_i > 0$``.
    id(claim) -> (terms, op), and the ids of the conditions stated before their claims."""
    from .latex_math import parse_chain

    def inequality(cond):
        try:
            terms, ops = parse_chain(cond.latex, checker.names(), given_functions=applied)
        except Exception:  # noqa: BLE001 - no readable condition, no case
            return None
        return (terms, ops[0]) if len(ops) == 1 and ops[0] in ("<", "<=", ">", ">=") else None

    out, stated_before = {}, set()
    for cond, ml in zip(lines, lines[1:]):
        at = ml.before.rfind(cond.latex)
        between = ml.before[at + len(cond.latex):].lstrip("$\\)") if at >= 0 else "."
        if cond.line != ml.line or cond.display or ml.display or not _CASE_OPENS.search(cond.before) \
                or not _CASE_THEN.match(between) or "=" not in ml.latex:
            continue
        if (found := inequality(cond)) is not None:
            out[id(ml)] = found
            stated_before.add(id(cond))
    for i, cond in enumerate(lines):                # '- If $x > 0$: $w^* > 0$ and $f(x') = … = 0$ gives $ε = x$.'
        if cond.display or not _CASE_OPENS.search(cond.before) or not re.match(r"^\s*[:,]", cond.after) \
                or (found := inequality(cond)) is None:
            continue
        for ml in lines[i + 1:]:
            if ml.line != cond.line or ml.display:
                break
            if "=" in ml.latex and id(ml) not in out:
                out[id(ml)] = found
                stated_before.add(id(cond))
    for ml, cond in zip(lines, lines[1:]):           # '$δ_i = −ε$ if $g_i > 0$', read in the written order
        if id(ml) not in out and not ml.display and "=" in ml.latex and _said_as_case(ml, [cond]) \
                and (found := inequality(cond)) is not None:
            out[id(ml)] = found
    return out, stated_before


_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}


def _otherwise(ml, previous):
    """``$z² = 0$ otherwise`` after ``$z² = a²$ when $a > 0$``: the claim holds where the previous
    condition fails, (terms, negated op); None for any other line."""
    if ml.display or previous is None or previous[1] not in _NEGATED or not re.match(r"^\W*otherwise\b", ml.after, re.I):
        return None
    return previous[0], _NEGATED[previous[1]]


def _said_as_case(ml, following) -> bool:
    """``$δ_i = −ε$ when $g_i > 0$``: the inline math after a claim opens with 'if' or 'when'."""
    if not following or following[0].line != ml.line:
        return False
    at = following[0].before.rfind(ml.latex)
    return at >= 0 and bool(_CASE_WORD.match(following[0].before[at + len(ml.latex):].lstrip("$\\)")))



def _with_cases(ordered, lines, cases) -> list:
    """The claims made under a condition back in place, each right after the line written before it."""
    if not cases:
        return ordered
    out = list(ordered)
    for prev, ml in zip([None] + list(lines), lines):
        if id(ml) in cases:
            out.insert(0 if prev is None else out.index(prev) + 1 if prev in out else len(out), ml)
    return out


_TRAILING_CONDITION = re.compile(r"^(?P<claim>.*=.*?)(?:\\[;,:! ]|\\q?quad|~|\s)*"
                                 r"\((?P<cond>[^()]*(?:<|>|\\le|\\ge|\\lt|\\gt)[^()]*)\)\s*[.,;]?\s*$", re.S)


def _own_condition(latex: str, names, applied):
    """``\\frac{da_1}{dz_1} = \\alpha \\;(z_1 < 0)``: a claim with its condition in parentheses at
    the end, as (the claim's LaTeX, (terms, op) of the condition); else (latex, None)."""
    from .latex_math import parse_chain

    m = _TRAILING_CONDITION.match(latex)
    if m is None:
        return latex, None
    try:
        terms, ops = parse_chain(m.group("cond"), names, given_functions=applied)
    except Exception:  # noqa: BLE001 - not a condition after all: the line is read as written
        return latex, None
    if len(ops) != 1 or ops[0] not in ("<", "<=", ">", ">="):
        return latex, None
    return m.group("claim"), (terms, ops[0])


def _rests_on_undefined(reason: str, value) -> bool:
    """Does the final value use the name the line reported as defined nowhere ('MHA')?"""
    m = re.match(r"'(\w+)' is not defined in the problem", reason or "")
    return m is not None and any(str(s) == m.group(1) for s in getattr(value, "free_symbols", ()))


def _judged_answer(verdict: AnswerResult, ml, value, last_step, last_values, checker) -> AnswerResult:
    """A 'wrong' final answer reconsidered: unknown when it rests on a name defined nowhere or the
    last line only restates a given; correct when another relation on the same line answers."""
    if verdict.status != "wrong":
        return verdict
    if last_step is not None and last_step.status == "unknown" and _rests_on_undefined(last_step.reason, value):
        return AnswerResult(ml.latex, "unknown", reason=last_step.reason, line=ml.line)    # MHA(Z)
    if (sibling := _answered_beside(ml, last_values, checker, last_step)) is not None:
        return sibling                  # r₃ = 9, j₃ = 4 on the last line: r₃ answers the part
    if (guessed := _guessed_names(value, checker) or sorted(checker.line_names.get((ml.line, ml.latex), set())
                                                             & checker.guessed_names)):
        return AnswerResult(ml.latex, "unknown", line=ml.line,                         # A11 defined nowhere
                            reason=f"'{guessed[0]}' is not defined in the problem or the write-up")
    if _restates_a_piece(value, ml, checker):
        return AnswerResult(ml.latex, "unknown", line=ml.line,                         # B(kω₁) = …: one block, written out
                            reason="the last line writes out one of the student's own quantities, not of the answer's shape")
    if _states_a_given(last_step, checker, ml):
        return AnswerResult(ml.latex, "unknown", line=ml.line,                         # ρ = p, then the answer in prose
                            reason="the last line states a given of the problem, not this part's answer")
    return verdict


def _answered_beside(ml, last_values, checker, last_step=None):
    """A correct verdict for another relation on the final line's source line, or None. When the
    final line is a wrong value for a name the other uses (``w₁ ← … (y − t) …, y = σ(0.2(1 − α))``),
    the other is judged with the student's value of that name."""
    relation = checker.relations.get((ml.line, ml.latex))
    where = {}
    if last_step is not None and last_step.status == "wrong" and getattr(getattr(relation, "lhs", None), "is_Symbol", False):
        where = {relation.lhs: relation.rhs}
    for other, value in last_values:
        if other.line == ml.line and other is not ml and value is not None:
            verdict = checker.final_answer(other, value.xreplace(where) if where and hasattr(value, "xreplace") else value)
            if verdict.status == "correct":
                return verdict
    return None


def _entries_of_the_answer(pc, last_values, checker, final) -> None:
    """``Y_{12} = … = −3`` before a wrong final ``Y = (…)``: a line that named an entry of the
    answer by its name and index states that entry; where it differs from the derived answer's,
    that line is the wrong one (an error in the set-up, not the arithmetic)."""
    head = checker.heads.get((final.line, final.latex))
    if head is None:
        return
    name = str(head)
    for ml, value in last_values:
        entry = str(checker.heads.get((ml.line, ml.latex), ""))
        m = re.fullmatch(re.escape(name) + r"(\d)(\d)", entry)
        if m is None or value is None or ml is final:
            continue
        i, j = int(m.group(1)) - 1, int(m.group(2)) - 1
        verdict, convention = checker._entry_verdict(value, i, j)
        if convention is not None or verdict is None or verdict.status != "not-equivalent":
            continue
        for k, step in enumerate(pc.steps):
            if (step.line, step.latex) == (ml.line, ml.latex) and step.status == "ok":
                pc.steps[k] = replace(step, status="wrong", move="an entry of the answer", counterexample=checker._ce(verdict),
                                      reason=f"entry ({i + 1}, {j + 1}) of the derived answer is not this")


def _in_prose(result: StepResult, ml, last_values, checker) -> StepResult:
    """A wrong inline relation reconsidered from the prose around it: an aside after the boxed
    answer, a point the prose picks, a comparison with something else, a value 'where' something
    happens. Each is unknown, not wrong; any other stays wrong."""
    def unknown(reason, **more):
        return replace(result, status="unknown", counterexample=None, reason=reason, **more)

    if any(m.boxed for m, _ in last_values):           # "(unlike FGM, where ε = …)"
        return unknown("an aside in prose after the boxed answer; not graded: " + result.reason)
    if re.search(r"\b(at|for)\s*$", ml.before, re.I) and _SET_SYMBOL.match(ml.latex) and not _POINT.match(ml.latex) \
            and checker.case is None:                   # "the logit at $s = m/ρ + v$ is …"
        return unknown("a point the prose picks, not a claim: " + result.reason)
    if re.search(r"\b(with|where|for which|such that|whose|at which)\s*$", ml.before, re.I) \
            and re.match(r"^\s*(\||\\lvert|\\left\|)?\s*(\\mathbf\{?|\\boldsymbol\{?)?\\?[A-Za-z]+\}?_\{?[ijkl]\}?\s*"
                         r"(\||\\rvert|\\right\|)?\s*=\s*-?\d+(\.\d+)?\s*$", ml.latex):
        return unknown("picks an index ('the coordinate with |p_i| = 3'), not a claim for every i; not graded")
    if _COMPARISON.search(ml.before):                   # "compared with attacking the logit ($s = …$)"
        return unknown("an aside comparing with something else; not graded: " + result.reason)
    if re.search(r"\b(but|and|or)\s+not\s*$|\bnot\s+(for|at|when|if)\s*$|\bunlike\s*$"
                 r"|\bno\b[^.;]*\b(with|such that|satisfying|satisf(y|ies)|obeys?|gives?|makes?|for which|where)\s*$",
                 ml.before, re.I):
        return unknown("a case the prose sets aside or denies ('but not …', 'no … with …'), not a claim; not graded")
    if (case := re.match(r"^\W*((for|when|if|whenever|on)\s+(all\s+|the\s+)?(strictly\s+)?"
                         r"(positive|negative|non-?negative|non-?positive)\b(\s+\w+)?)", getattr(ml, "after", ""), re.I)):
        # '$a_1 = z_1$ for positive inputs and $a_1 = αz_1$ for negative ones'
        return unknown(f"stated for a case the prose describes in words ('{case.group(1)}'); not checked")
    if re.match(r"^\W*(outside|beyond|except|apart from|away from)\b", getattr(ml, "after", ""), re.I):
        return unknown("stated only outside a range the prose gives ('v_j = 0 outside …'); not checked")
    if _SUPPOSED_CASE.search(ml.before):                # 'If $z>0$ is optimal then $(z-w)/τ + ν = 0$'
        return unknown("a claim in a case the prose supposes ('If … then'), which may not be the solution's; "
                       "not graded: " + result.reason)
    if re.search(r"\b(abbreviate|denote|notation)\b[^.;]*$", ml.before, re.I):
        return unknown("notation the prose introduces ('abbreviate …'), not a claim: " + result.reason)   # f_j = f_j(θ⁽ʲ⁾)
    if re.search(r"\b(near|close to|about|around|approximately|roughly)\s*$", ml.before, re.I):
        return unknown("a value the prose gives as approximate ('near …'), not checked")   # "stays near q(1 − q) = 0.09"
    if re.search(r"\b(where|there|at which|at that point)\s*$", ml.before):      # "stops on the boundary, where h = 1/2"
        return unknown("stated with 'where': a value at a place the prose describes, not checked")
    if re.search(r"\b(at|near|for)\s*$", ml.before, re.I) and _POINT.match(ml.latex):
        checker.worked_example = ml.latex               # "at $h = 1/2$, $t = 1$ the factor is …": an example point
        return unknown("a point the prose picks; the lines after it on that point are not graded", move="a worked example")
    return result


def _first_item(terms, checker):
    """The value of a line's first item, or None when it cannot be built."""
    try:
        return checker._build(terms[0]).expr
    except Exception:  # noqa: BLE001 - an item that cannot be built gives no value
        return None


def _defined_head(latex: str) -> str:
    """What a definition line defines, as written before its first '=' (``r :=`` and ``r =`` alike)."""
    return re.split(r":?=", latex, maxsplit=1)[0].replace(" ", "").rstrip(":")


def _guessed_names(value, checker) -> list[str]:
    """The names in a final value that nothing defines (declared only because a line used them)."""
    guessed = checker.guessed_names
    return sorted(str(s) for s in getattr(value, "free_symbols", ()) if str(s) in guessed)


def _guessed_in_counterexample(result, checker) -> list[str]:
    """The derivatives of functions nothing defines (g′ of a g the write-up never defines) that a
    wrong line's counterexample gives values to: no real counterexample can rest on them. (A
    multiplier the student introduces is a guessed name too, but it is a variable to solve for.)"""
    values = (result.counterexample or {}).get("values") or {}
    return sorted(n for n in values if n in checker.guessed_names and n.endswith("_prime"))


def _restates_a_piece(value, ml, checker) -> bool:
    """Does the last line write out a quantity of the student's own (``B(kω₁) = (…)``, a block of
    the answer) whose shape no derived answer has?"""
    from ..expr.symbols import FUNCTION_OF_SCALAR

    shape = getattr(value, "shape", None)
    m = re.match(r"\s*([A-Za-z]+)\s*(?:\\left|\\big|\\Big)?\(", ml.latex)       # the function applied, B
    own = {n.removesuffix(FUNCTION_OF_SCALAR) for n in checker.student_names
           if getattr(checker.table.get(n), "kind", "") == "function"}
    return m is not None and m.group(1) in own and shape is not None and all(getattr(a, "shape", None) != shape for _, a in checker.answers)


def _states_a_given(step, checker, ml) -> bool:
    """Is the last line a true statement of a given's definition (``ρ = p`` with α = β = 0), whose
    name is not the part's unknown? Then it is no answer, and not a wrong one."""
    head = checker.heads.get((ml.line, ml.latex))
    return step is not None and step.status == "ok" and step.move.startswith("substitutes") \
        and getattr(head, "is_Symbol", False) and head != checker.unknown


def _index_names(terms, checker) -> bool:
    """``k = l``: two distinct one-letter names that the problem and write-up leave free (indices)."""
    symbols = checker.table.symbols
    return all(isinstance(t, A.Name) and len(t.id) == 1
               and (t.id not in symbols or getattr(symbols[t.id], "kind", "") == "index") for t in terms) \
        and terms[0].id != terms[1].id


def _earlier_results(problem: Problem, pid: str, table) -> dict:
    """Symbol -> (part id, answer) for the parts before ``pid`` that solve for a symbol."""
    out = {}
    for p in problem.spec.parts:
        if p.id == pid:
            break
        goal = p.goal
        if goal.wrt and goal.kind in ("minimize", "maximize", "solve") and goal.wrt in table and problem.answers.get(p.id):
            out[table[goal.wrt].obj] = (p.id, problem.answers[p.id][0][1])
    return out


def _named_results(problem: Problem, pid: str, table) -> dict:
    """Symbol -> (part id, answer) for the quantities some part names a result by (``uses: {q:
    2a-q}``), in that part and every later one: ``q = E[y′] = …`` in part 2a-q itself states that
    result, and ρ in a part after the one that found ρ is that ρ."""
    order = [p.id for p in problem.spec.parts]
    out = {}
    for p in problem.spec.parts:
        for name, used in p.uses.items():
            answers = problem.answers.get(used)
            if answers and used in order and order.index(used) <= order.index(pid) and name in table \
                    and table[name].kind in ("scalar", "vector", "matrix"):
                out[table[name].obj] = (used, answers[0][1])
    return out


def _check_part(lines, problem: Problem, pid: str, aliases, index: int,
                carried: list | None = None, sizes=(), opens: int = 0) -> tuple[PartCheck, int]:
    """Check one part's lines; ``opens`` is the line of the file's first part heading (the lines
    before it set up notation and are never the part's answer)."""
    from .latex_math import given_functions, parse_chain

    spec = problem.spec
    part = spec.part(pid)
    checker = PartChecker(spec, part, problem.definitions[pid], problem.answers[pid], aliases)
    checker.earlier = _earlier_results(problem, pid, checker.table) | _named_results(problem, pid, checker.table)
    goal_names = set().union(*(A.names_in(g.expr) for g in part.goals))
    for symbol, (_, value) in checker.earlier.items():
        if str(symbol) not in goal_names and symbol != checker.unknown and symbol not in checker.ctx.definitions:
            checker.ctx.definitions[symbol] = value     # 'c = wᵀw' after the part that found w: that w
            checker.ctx.held.add(symbol)
    checker.condition_answer = problem.conditions.get(pid)
    checker.identity, checker.bound = problem.identities.get(pid), problem.bounds.get(pid)
    checker._vectors_of_named_entries()
    checker._region_of_part()
    names, applied = checker.names(), given_functions(checker.table)
    if carried:
        _carry_definitions(checker, carried, applied)
    pc = PartCheck(pid)
    prev_last = None
    last_values = []
    unequal = _index_conditions(lines)
    cases, stated_before = _case_conditions(lines, checker, applied)
    ordered = _definitions_first([ml for ml in lines if id(ml) not in cases]) if cases else _definitions_first(lines)
    ordered = _with_cases(ordered, lines, cases)
    index_case = None
    prev_end = None                 # the bound a display row ended on ('≤ Σ s_j'): '= …' on the next row goes on from it
    first_example = None            # (line, the checker's state before it) of the first example value
    previous_condition = None       # the last condition a line was checked under ('… when a > 0 and … otherwise')
    for at, ml in enumerate(ordered):
        index += 1
        if id(ml) in stated_before:
            pc.steps.append(StepResult(index, ml.line, ml.latex, "ok", move="a case",
                                       reason="the claim after it is checked where this holds", part=pid))
            continue
        if ml is index_case:
            pc.steps.append(StepResult(index, ml.line, ml.latex, "ok", move="condition on the indices",
                                       reason="the step before is read with these indices equal", part=pid))
            continue
        checker.condition = cases.get(id(ml)) or _stated_condition(ml, ordered[at + 1:at + 2], checker, applied) \
            or _otherwise(ml, previous_condition)
        previous_condition = checker.condition if checker.condition is not None else previous_condition
        checker.case = checker.condition if id(ml) in cases or _said_as_case(ml, ordered[at + 1:at + 2]) else None
        index_case = ordered[at + 1] if checker.condition is not None and checker.condition[1] == "index" else None
        if pc.steps and pc.steps[-1].move in (AS_STATED, "a case of the solution") and ordered[at - 1].line == ml.line \
                and not _TRAILING_CONDITION.match(ordered[at - 1].latex) and id(ml) not in cases:
            pc.steps.append(StepResult(index, ml.line, ml.latex, "ok", move="the condition",
                                       reason="the line before holds under it", part=pid))
            continue
        if ml.line in unequal and _UNEQUAL.match(ml.latex):
            pc.steps.append(StepResult(index, ml.line, ml.latex, "ok", move="condition on the indices",
                                       reason="the other steps of this line are checked with the indices different",
                                       part=pid))
            continue
        if not checker.worked_example and _ONE_DIMENSION.search(ml.before):
            checker.worked_example = "in one dimension"     # 'a counterexample in one dimension with x = 0'
        checker.distinct_names = unequal.get(ml.line, ())
        differs, events = "", []
        try:
            names = checker.names()                     # with the functions the student has defined so far
            applied = given_functions(checker.table)    # Φ(u) after Φ(u) := …: a call of it
            wrt = checker.part.goal.wrt                 # v(τ) for the unknown vector v along a parametrisation:
            if wrt and getattr(checker.table.get(wrt), "kind", "") == "vector":     # v itself (v(1 − τ) and
                applied = applied | {"~" + wrt}                                     # a scalar's ε(w*)² stay products)
            latex, own = _own_condition(ml.latex, names, applied)
            latex, differs = unequal_tail(latex)
            latex, renamed = rebinding(latex)
            if renamed and not re.search(r"[=<>]|\\(le|ge|leq|geq|neq|ne)\b", latex):
                latex, renamed = f"{renamed} = {latex}", ""      # v_3 =: τ names v₃'s value τ
            if renamed:
                try:
                    checker.rebound |= {t.id for t in parse_chain(renamed, names, given_functions=applied)[0]
                                        if isinstance(t, A.Name)}
                except Exception:  # noqa: BLE001 - a name that cannot be read renames nothing
                    pass
            latex, events = without_event_probabilities(latex)
            if events and "=" not in latex:
                raise ParseError(f"the probability of an event ({events[0]}) is read as a name, not checked",
                                 ml.latex, kind="relation")
            if own is not None:
                checker.condition = own                 # ∂a₁/∂z₁ = α \;(z₁ < 0)
            terms, ops = parse_chain(latex, names, given_functions=applied)
        except ParseError as err:
            status = "unknown" if err.kind == "relation" else "unparsed"     # a ≠ b: read, not checked
            pc.steps.append(StepResult(index, ml.line, ml.latex, status, reason=err.message, part=pid))
            prev_last = None
            last_values.append((ml, None))
            continue
        except (RecursionError, MemoryError):
            pc.steps.append(StepResult(index, ml.line, ml.latex, "unparsed", reason="too deeply nested to read", part=pid))
            prev_last = None
            last_values.append((ml, None))
            continue
        except Exception as err:  # noqa: BLE001 - a parser bug loses this line, never the file
            pc.steps.append(StepResult(index, ml.line, ml.latex, "unparsed", part=pid,
                                       reason=f"could not read this line ({type(err).__name__}: {err})"[:300]))
            prev_last = None
            last_values.append((ml, None))
            continue
        opener = _FOR_EXAMPLE.search(ml.before) or _TAKE.search(ml.before)
        if opener and checker.example_start is not None and ml.line != checker.example_start[0] \
                and checker.before_example is not None:
            checker.restore(checker.before_example)     # 'e.g. μ = 0' after an earlier example: its values are gone
            checker.example_start = checker.before_example = None
        example = checker.example_start is None and opener
        before_example = checker.snapshot() if example or first_example is None else None
        continued = prev_end if ml.display and ml.lead == "=" and prev_end is not None else prev_last
        result, last = checker.check_line(index, ml, terms, ops, _continued_from(ml, continued, last_values))
        aside = ml.display and ml.before == "("         # '\qquad (D_{n+1} \ge 0)' beside a row: the chain goes on past it
        prev_end = checker.chain_end if ml.display and not aside else prev_end
        if result.status == "unparsed" and (defined := _definition_read(checker, index, ml, applied)) is not None:
            result, last = defined, None
        if first_example is None and result.move == "an example value":
            first_example = (ml.line, before_example)   # 'for P = I it reduces to …': not in force for an answer before it
        if example and (result.move == "an example value" or not _TAKE.search(ml.before) and (
                result.move == "a condition" and _POINT.match(ml.latex) or result.status == "wrong" and _POINT.match(ml.latex))):
            checker.example_start = (ml.line, ml.latex)     # 'E.g. w = (2, −½) gives …': not the answer
            checker.before_example = before_example         # (its value does not hold for the answer)
            if result.status == "wrong":                    # 'with A = 2' for a matrix A: the example's own value
                result = replace(result, status="unknown", counterexample=None, move="an example value",
                                 reason="a value of the example the prose sets up (a numeric check), not a claim")
        elif result.status == "wrong" and checker.example_start is not None and ml.line == checker.example_start[0] \
                and ((result.counterexample or {}).get("values") or result.move == "type error"):
            result = replace(result, status="unknown", counterexample=None,     # 'e.g. s = 2 and |v − μ| = 1 give …'
                             reason="inside the example, whose other values are not all given: " + result.reason)
        unchecked = ([f"'≠ {differs}'"] if differs else []) + events
        if unchecked and result.status == "ok":
            result = replace(result, reason=(result.reason + "; " if result.reason else "") + ", ".join(unchecked) + " not checked")
        if result.status == "wrong" and not ml.display:
            result = _in_prose(result, ml, last_values, checker)
        if result.status == "wrong" and (free := _guessed_in_counterexample(result, checker)):
            result = replace(result, status="unknown", counterexample=None,     # g′(w₁) = … for a g never defined
                             reason=f"'{free[0]}' is not defined in the problem or the write-up, so the values that "
                                    f"differ say nothing: " + result.reason)
        if checker.supposing and result.move != "a condition":
            checker.supposing -= 1
            if result.status == "wrong":                # 's_k = W_k s_0 = 0' from 'Suppose some W_k did …': a contradiction sought
                result = replace(result, status="unknown", counterexample=None,
                                 reason="follows a supposition ('Suppose …') that may be false; not graded: " + result.reason)
        pc.steps.append(result)
        if ml.display and not aside or prev_last is None:
            prev_last = last        # an inline aside in prose ($E[ξ²] = τ²$) does not break a display chain
        if last is None and ml.boxed and ops and ops[0] != "=":
            last = _first_item(terms, checker)          # '$\boxed{9/40} > 0$': the boxed value opens the line
        last_values.append((ml, last))
    if not last_values:
        pc.final_answer = AnswerResult("", "missing", reason="no math found for this part")
        if (stated := _size_in_prose(checker, sizes)) is not None:
            pc.final_answer = stated        # '**n × 1**' is the whole answer
        return pc, index
    last_values = in_written_order(last_values, lines)
    boxed = [(ml, v) for ml, v in last_values if ml.boxed]
    checker.table.symbols.update(checker.replaced_symbols)         # the answer comes before any example
    ml, value = choose_answer(last_values, pc.steps, checker)
    if checker.before_example is not None and ml.line <= checker.example_start[0] \
            and (ml.line, ml.latex) != checker.example_start:
        checker.restore(checker.before_example)        # '(For b = 1 it is just …)' after the answer
    elif first_example is not None and ml.line < first_example[0]:
        checker.restore(first_example[1])              # the boxed v* = …, then 'for P = I it reduces to …'

    pc.resemblance = resemblance(value, checker.answers)
    checker.in_cases = any(s.move in (AS_STATED, "the condition", "a case", "a case of the solution") for s in pc.steps)
    last_step = next((s for s in reversed(pc.steps) if (s.line, s.latex) == (ml.line, ml.latex)), None)
    try:
        if value is None and last_step is not None and last_step.move == "type error" and last_step.status == "wrong":
            pc.final_answer = AnswerResult(ml.latex, "wrong", reason=last_step.reason, line=ml.line)
        elif last_step is not None and last_step.move == AS_STATED and last_step.status == "ok" \
                and _TRAILING_CONDITION.match(ml.latex):
            pc.final_answer = AnswerResult(ml.latex, "unknown", line=ml.line,     # 1 (z > 0), α (z < 0)
                                           reason="given case by case; each case was checked where its condition holds")
        else:
            pc.final_answer = _judged_answer(checker.final_answer(ml, value), ml, value, last_step, last_values, checker)
        if pc.final_answer.status == "wrong":
            _entries_of_the_answer(pc, last_values, checker, ml)
        if len(part.goals) > 1 and pc.final_answer.status == "correct" \
                and (named := _named_goal_slip(part, last_values, checker, ml)) is not None:
            pc.final_answer = named     # 'neurons = … = 7930' beside a right 'params = …': that count is wrong
        if len(part.goals) > 1 and len(boxed) > 1 and pc.final_answer.status == "correct":
            # a part with several answers (a tuple): every boxed one must be right
            for other, other_value in boxed[:-1]:
                verdict = checker.final_answer(other, other_value)
                if verdict.status == "wrong":
                    pc.final_answer = verdict
                    break
    except Exception as err:  # noqa: BLE001 - hostile input must never stop the batch
        pc.final_answer = AnswerResult(ml.latex, "unknown", reason=f"could not compare ({type(err).__name__}: {err})"[:300], line=ml.line)
    if ml.line < opens:                                     # only the set-up before the first heading
        pc.final_answer = AnswerResult("", "missing", reason="no math found for this part")
    if (pc.final_answer.status in ("unknown", "missing") or sizes and sizes[-1].boxed and sizes[-1].line >= ml.line) \
            and (stated := _size_in_prose(checker, sizes)) is not None:
        pc.final_answer = stated                            # the size given in bold prose after the work
    return pc, index
