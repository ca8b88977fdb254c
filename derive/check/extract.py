"""Find the mathematics in a student write-up (Markdown or LaTeX), one ``MathLine`` per step.

Data flow: student file -> **``extract``** -> ``latex_math.parse_chain`` -> checker -> report.

pylatexenc's ``LatexWalker`` finds the math blocks (``$$…$$``, ``\\[…\\]``, ``$…$``, ``\\(…\\)``,
``equation``, ``align``, ``gather``, ``multline``, ``eqnarray`` and starred forms) with their
positions. Markdown code (fenced and inline) and HTML comments are blanked first, and in a LaTeX
file everything outside ``\\begin{document}…\\end{document}``, always keeping every character's
offset so line numbers stay true. Then each block is split here:

- rows at ``\\\\`` (inside ``aligned``/``split``/``gathered`` too, never inside a matrix or
  ``cases``); ``&``, ``\\label``, ``\\tag``, ``\\nonumber`` dropped;
- a row into segments at ``\\quad``, at prose (``\\text{hence}``, ``\\mbox``, ``\\intertext``) and
  before a mid-row ``\\Rightarrow``; a ``\\text{Var}`` or ``\\text{sign}`` is mathematics and stays;
- a segment that starts with a relation continues the previous one: ``continues=True``, the
  relation is stripped from ``latex`` and kept in ``lead`` ('=', '<=', '<', '>=', '>'); an
  implication arrow (``\\Rightarrow``, ``\\implies``, ``\\iff``, ``\\to``, ``\\therefore``, or prose
  such as "hence") gives ``lead='=>'``;
- ``\\boxed{…}`` is unwrapped and marks the final answer (``boxed=True``);
- declarations (``m_j \\sim \\mathrm{Ber}(p)``, ``x \\in \\mathbb{R}^d``) are not steps: dropped.

Inline math counts only when it holds a relation or a box (a lone ``$w$`` in prose is no step).
Files over 1 MB, or whose braces nest deeper than 100 levels, are refused with ``ParseError``;
long files are walked in pieces of about 16 KB cut at blank lines outside display math, since
pylatexenc slows down more than linearly (about 10 µs a character in pieces, so ~10 s at 1 MB of
hostile text, ~0.1 s for a real write-up). Nothing is read, included or executed:
``\\input{…}`` is just text.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace

from ..errors import ParseError
from ..expr.limits import MAX_DEPTH as MAX_NESTING
from ..expr.limits import MAX_FILE_BYTES as MAX_FILE
from .macros import definitions, expand

_PERCENT = "\uffff"    # stands for a Markdown '%' while pylatexenc reads the file (it is no comment)
CHUNK = 16_000

MATH_ENVS = {"equation", "align", "gather", "multline", "flalign", "eqnarray", "alignat", "displaymath",
             "math", "dmath"}
ROW_ENVS = {"aligned", "split", "gathered", "alignedat", "multlined", "align", "gather", "eqnarray"}
ARROWS = ("Longrightarrow", "Rightarrow", "implies", "iff", "Leftrightarrow", "Longleftrightarrow",
          "therefore", "longrightarrow", "rightarrow", "to")
LEADS = {"=": "=", "\\le": "<=", "\\leq": "<=", "\\leqslant": "<=", "<=": "<=", "<": "<",
         "\\ge": ">=", "\\geq": ">=", "\\geqslant": ">=", ">=": ">=", ">": ">", ":=": "="}
PROSE = ("text", "textrm", "textit", "textbf", "mbox", "hbox", "intertext", "textnormal", "mathrm")
MATH_WORDS = {"var", "cov", "sgn", "sign", "relu", "exp", "log", "ln", "tr", "trace", "diag", "det", "e",
              "argmin", "argmax", "arg min", "arg max", "min", "max", "d", "t", "i", "sigmoid", "const"}
CONNECTIVES = re.compile(r"\b(hence|thus|so|therefore|then|gives?|giving|implies|yields?|we get|"
                         r"it follows|which means|i\.e\.)\b", re.I)

_MARKUP = re.compile(
    r"\\\\\*?(?:\s*\[[^\]\n]*\])?"                          # row break, maybe \\[2pt]
    r"|\\(?:begin|end)\s*\{[^}]*\}"                         # environments
    r"|\\(?:label|tag\*?|eqref|ref)\s*\{[^}]*\}"            # references and tags
    r"|\\(?:nonumber|notag|hline|displaystyle|quad|qquad)(?![A-Za-z])"
    r"|\\(?:" + "|".join(PROSE) + r")\s*\{"                # prose (or a function name)
    r"|\\(?:boxed|fbox|underbrace|overbrace)\s*\{"
    r"|\\(?:" + "|".join(ARROWS) + r")(?![A-Za-z])"
    r"|\\[A-Za-z]+|\\.|[{}&]")


_CASES = re.compile(r"\\begin\s*\{(cases|[pbBvV]?matrix)\}.*?\\end\s*\{\1\}", re.S)
_THOUSANDS = re.compile(r"(?<=\d)(?:\{,\}|\\,|\\ |~|\\thinspace\s?)(?=\d{3}(?!\d))")   # 1{,}048{,}576, 1\,048\,576
COLUMN_ENVS = {"align", "aligned", "alignedat", "flalign"}
KEEP_AMPERSAND = {"cases", "matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix"}
_DECLARE = re.compile(r"\\(?:sim|in|notin|subset|subseteq|perp|forall|to|mapsto|rightarrow)(?![A-Za-z])")


@dataclass(frozen=True)
class MathLine:
    """One step of a write-up. ``line`` is the 1-based source line where the step starts;
    ``continues``: the step starts with a relation or an implication that links it to the step
    before (``lead`` says which: '=', '<=', '<', '>=', '>' or '=>'; '' when not continuing)."""

    line: int
    latex: str
    boxed: bool = False
    display: bool = True
    continues: bool = False
    lead: str = ""
    before: str = field(default="", compare=False)   # inline math: the prose just before it ("Equal iff"), for conditions
    after: str = field(default="", compare=False)    # inline math: the prose just after it ("otherwise"), up to the next math


def extract(text: str, filename: str = "") -> list[MathLine]:
    """Every step of the math in ``text`` (Markdown or LaTeX, decided by content), in order."""
    where = f"{filename}: " if filename else ""
    if not isinstance(text, str):
        raise ParseError(f"{where}expected the file's text, got {type(text).__name__}")
    if len(text) > MAX_FILE:
        raise ParseError(f"{where}the file is {len(text):,} characters long; the limit is {MAX_FILE:,} "
                         f"characters ({MAX_FILE / 1e6:g} MB). Check only the write-up itself.")
    src = _prepare(text, is_latex(text, filename))
    macros, spans = definitions(text)
    for lo, hi in spans:                        # a definition is no math to check
        src = src[:lo] + re.sub(r"[^\n]", " ", src[lo:hi]) + src[hi:]
    starts = [0] + [m.end() for m in re.finditer("\n", src)]
    line_of = lambda offset: bisect_right(starts, offset)   # noqa: E731
    _check_nesting(src, where, line_of)
    out: list[MathLine] = []
    for lo, hi, display in _blocks(src, where):
        for offset, latex in _named_braces(src, lo, hi):        # \underbrace{…}_{=: μ}: μ names it
            out.append(MathLine(line_of(offset), expand(latex, macros), False, display, False, "",
                                "" if display else _sentence_before(src, lo)))
        for seg in _segments(src, lo, hi):
            latex, lead, boxed, offset = seg
            latex = _THOUSANDS.sub("", expand(latex, macros))     # 1{,}048{,}576 is one number
            if display or boxed or lead or _has_relation(latex):
                before = "" if display else _sentence_before(src, lo)
                if lead == "aside":             # a remark in parentheses beside a row: its prose opens '('
                    lead, before = "", "("
                if lead == "<=>":             # a = b ⟺ c = d: two conditions said to be equivalent, neither claimed
                    lead, before = "=>", "iff"
                    if out and out[-1].line == line_of(offset):
                        out[-1] = replace(out[-1], before="iff")
                out.append(MathLine(line_of(offset), latex, boxed, display, bool(lead), lead, before,
                                    "" if display else _prose_after(src, hi)))
    return out


_BOLD_SIZE = re.compile(r"(?:\*\*|\\textbf\{)\s*\$?\s*([A-Za-z0-9]{1,3})\s*(?:×|\\times|x)\s*([A-Za-z0-9]{1,3})\s*\$?\s*(?:\*\*|\})")


_INLINE_SIZE = re.compile(r"(?<!\$)\$\s*([A-Za-z0-9]{1,3})\s*(?:×|\\times)\s*([A-Za-z0-9]{1,3})\s*\$(?!\$)")


def prose_sizes(text: str, filename: str = "") -> list[tuple[int, str, bool]]:
    """Sizes a write-up gives in prose, bold (``**n × d**``, ``\\textbf{n × 1}``) or as inline math
    that is only a size (``$d \\times 1$``), as (line, LaTeX, bold):
    a shape part's answer that is no math. Not steps: the checker reads them only as an answer."""
    src = _prepare(text, is_latex(text, filename))
    starts = [0] + [m.end() for m in re.finditer("\n", src)]
    found = sorted((m.start(), m, pattern is _BOLD_SIZE) for pattern in (_BOLD_SIZE, _INLINE_SIZE) for m in pattern.finditer(src))
    return [(bisect_right(starts, at), f"{m.group(1)} \\times {m.group(2)}", bold) for at, m, bold in found]


def _prose_after(src: str, hi: int) -> str:
    """The prose right after inline math ending at ``hi``, up to the next math or the end of the
    sentence (at most 60 characters): ' otherwise, so'."""
    text = src[hi:hi + 60].lstrip("$")
    return " ".join(re.split(r"\$|(?<=[.!?;])\s|\n\s*\n", text, maxsplit=1)[0].split())


def is_latex(text: str, filename: str = "") -> bool:
    """A LaTeX document (else Markdown): a preamble says so; a .tex name without Markdown signs."""
    if re.search(r"\\documentclass|\\begin\s*\{document\}", text):
        return True
    markdown = re.search(r"^(#{1,6} |```|~~~|\* |- |> )", text, re.M)
    return filename.lower().endswith((".tex", ".ltx")) and not markdown


def _prepare(text: str, latex: bool) -> str:
    """Blank what is not prose-with-math, keeping every offset (and so every line number)."""
    blank = lambda m: re.sub(r"[^\n]", " ", m.group())   # noqa: E731
    if latex:
        begin = re.search(r"\\begin\s*\{document\}", text)
        end = re.search(r"\\end\s*\{document\}", text)
        if begin:
            text = blank(re.match(r"[\s\S]*", text[:begin.end()])) + text[begin.end():]
        if end:
            text = text[:end.start()] + blank(re.match(r"[\s\S]*", text[end.start():]))
        return re.sub(r"(?<!\\)((?:\\\\)*)(%[^\n]*)", lambda m: m.group(1) + " " * len(m.group(2)), text)
    text = re.sub(r"^[ ]{0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^[ ]{0,3}\1[^\n]*$|\Z)", blank, text, flags=re.M)
    text = re.sub(r"(`+)(?!`)[^\n]*?(?<!`)\1(?!`)", blank, text)
    text = re.sub(r"<!--[\s\S]*?-->", blank, text)
    return re.sub(r"(?<!\\)((?:\\\\)*)%", "\\1" + _PERCENT, text)   # '%' is no comment in Markdown


def _check_nesting(src: str, where: str, line_of) -> None:
    depth = 0
    for m in re.finditer(r"\\[{}\\]|\\begin\s*\{[^{}]*\}|\\end\s*\{[^{}]*\}|[{}]", src):
        s = m.group()
        if s.startswith("\\begin") or s == "{":
            depth += 1
        elif s.startswith("\\end") or s == "}":
            depth = max(depth - 1, 0)
        if depth > MAX_NESTING:
            raise ParseError(f"{where}line {line_of(m.start())}: braces nest deeper than {MAX_NESTING} levels")


def _blocks(src: str, where: str):
    """(start, end, display) of every math block's content, in document order."""
    from pylatexenc.latexwalker import (LatexEnvironmentNode, LatexGroupNode, LatexMacroNode,
                                        LatexMathNode, LatexWalker)

    for at, stop in _chunks(src):
        try:
            nodes = LatexWalker(src[at:stop], tolerant_parsing=True).get_latex_nodes()[0]
        except RecursionError:
            raise ParseError(f"{where}the file nests too deeply to read") from None
        stack = list(reversed(nodes or []))
        while stack:
            n = stack.pop()
            if n is None:
                continue
            pos, end = at + n.pos, at + n.pos + n.len
            if isinstance(n, LatexMathNode):
                open_, close = n.delimiters
                yield pos + len(open_), end - len(close) if src.startswith(close, end - len(close)) else end, \
                    n.displaytype == "display"
            elif isinstance(n, LatexEnvironmentNode) and n.environmentname.rstrip("*") in MATH_ENVS:
                name = re.escape(n.environmentname)
                begin = re.compile(r"\\begin\s*\{" + name + r"\}(?:\s*\{[^}]*\})?").match(src, pos)
                close = None
                for close in re.finditer(r"\\end\s*\{" + name + r"\}", src[pos:end]):
                    pass
                yield (begin.end() if begin else pos), (pos + close.start() if close else end), \
                    n.environmentname.rstrip("*") != "math"
            elif isinstance(n, (LatexEnvironmentNode, LatexGroupNode)):
                stack.extend(reversed(n.nodelist or []))
            elif isinstance(n, LatexMacroNode) and n.nodeargd is not None:
                stack.extend(reversed([a for a in (n.nodeargd.argnlist or []) if a is not None]))


_DISPLAY_MARK = re.compile(r"(?<!\\)\$\$|\\\[|\\\]|\\(?:begin|end)\s*\{(?:" + "|".join(MATH_ENVS) + r")\*?\}")


def _chunks(src: str):
    """(start, end) pieces of about CHUNK characters, cut at blank lines outside display math:
    pylatexenc slows down more than linearly on long input (1 MB of prose takes 30 s whole)."""
    start = pos = 0
    dollars, depth = False, 0
    for line in src.split("\n"):
        for m in _DISPLAY_MARK.finditer(line):
            mark = m.group()
            if mark == "$$":
                dollars = not dollars
            else:
                depth = max(depth + (1 if mark in ("\\[",) or mark.startswith("\\begin") else -1), 0)
        pos += len(line) + 1
        size = min(pos, len(src)) - start
        if size >= CHUNK and ((not line.strip() and not dollars and not depth) or size >= 4 * CHUNK):
            yield from _pieces(start, min(pos, len(src)))
            start = min(pos, len(src))
    if start < len(src):
        yield from _pieces(start, len(src))


def _pieces(start: int, end: int):
    """A hostile line with no newline for 64 KB is cut anywhere."""
    for a in range(start, end, 4 * CHUNK):
        yield a, min(a + 4 * CHUNK, end)


_BRACE_NAME = re.compile(r"\s*_\s*\{\s*(?:=:|:=|=)?\s*(?:\\[,;: ]\s*)*(\\?[A-Za-z]+(?:_\{?\w+\}?)?)\s*\}")


def _named_braces(src: str, lo: int, hi: int) -> list:
    """(offset, ``name := content``) for each ``\\underbrace{content}_{=: name}`` (or ``_{name}``)
    in the block src[lo:hi]: the label names the expression under the brace."""
    out = []
    for m in re.finditer(r"\\underbrace\s*\{", src[lo:hi]):
        start = lo + m.end()
        close = _matching(src, start, hi)
        label = _BRACE_NAME.match(src, close + 1, hi)
        if label is not None and close < hi:
            out.append((lo + m.start(), f"{label.group(1)} := {' '.join(src[start:close].split())}"))
    return out


def _aside_parentheses(text: str, at: int, blank) -> bool:
    """``… \\qquad (D_{n+1} \\ge 0)`` at the end of a row: the parentheses of a side remark are
    not part of the claim inside them (which becomes a segment of its own)."""
    opened = re.match(r"\s*\(", text[at:])
    if opened is None:
        return False
    start, depth = at + opened.end() - 1, 0
    for k in range(start, len(text)):
        ch = text[k]
        if ch in "\n" or text.startswith("\\\\", k):
            return False
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            if re.match(r"\s*[.,;]?\s*(\\\\|\\(label|tag|nonumber|notag|end)\b|\n|$)", text[k + 1:]) is None:
                return False
            blank(start, start + 1)
            blank(k, k + 1)
            return True
    return False


def _matching(src: str, i: int, hi: int) -> int:
    """Offset of the '}' closing the group whose '{' is just before ``i`` (or ``hi``)."""
    depth = 1
    for m in re.compile(r"\\.|[{}]").finditer(src, i, hi):
        if m.group() == "{":
            depth += 1
        elif m.group() == "}":
            depth -= 1
            if depth == 0:
                return m.start()
    return hi


def _segments(src: str, lo: int, hi: int):
    """(latex, lead, boxed, offset) for each step in the block src[lo:hi]."""
    buf = list(src[lo:hi].replace(_PERCENT, "%"))
    cuts: dict[int, str] = {}           # offset in buf -> lead hint for the segment starting there
    boxes: list[tuple[int, int]] = []
    blank = lambda a, b: buf.__setitem__(slice(a, b), " " * (b - a))   # noqa: E731
    depth, envs, amps = 0, [], 0        # amps: the row's '&' so far (align pairs its columns)
    outer = re.search(r"\\begin\s*\{(?:align|alignat|flalign)\*?\}(?:\s*\{[^}]*\})?\s*$", src[max(0, lo - 40):lo])
    text = "".join(buf)
    for m in _MARKUP.finditer(text):
        s, a, b = m.group(), m.start(), m.end()
        if "".join(buf[a:b]) != s:       # already blanked (inside prose or a label)
            continue
        name = re.match(r"\\([A-Za-z]+\*?)", s)
        name = name.group(1) if name else s
        rows_here = all(e in ROW_ENVS for e in envs)
        if s.startswith("\\\\"):
            if depth == 0 and rows_here:
                blank(a, b)
                cuts[b] = "row"                 # a new row: nothing carries over from the row before
                amps = 0
        elif name in ("begin", "end") and re.search(r"\{([^}]*)\}", s) is None:
            continue                    # \begin without {name}: no environment (hostile input)
        elif name in ("begin", "end"):
            env = re.search(r"\{([^}]*)\}", s).group(1).rstrip("*")
            if s.startswith("\\begin"):
                envs.append(env)
                amps = 0
            elif envs:
                envs.pop()
            if env in ROW_ENVS:
                blank(a, b)
                if s.startswith("\\begin") and env.startswith("alignedat"):
                    arg = re.match(r"\s*\{[^}]*\}", text[b:])
                    if arg:
                        blank(b, b + arg.end())
        elif name.startswith(("label", "tag", "eqref", "ref", "nonumber", "notag", "hline", "displaystyle")):
            blank(a, b)
        elif name in ("quad", "qquad"):
            blank(a, b)
            if depth == 0 and rows_here:
                cuts[b] = "aside" if _aside_parentheses(text, b, blank) else cuts.get(b, "")
        elif name in PROSE and s.endswith("{"):
            close = _matching(text, b, len(text))
            word = re.sub(r"\\[,;: ]|\s+", " ", text[b:close]).strip()
            script = re.search(r"[_^]\s*\{?\s*$", text[max(0, a - 4):a]) is not None   # w^{\text{new}}: a label
            argument = (re.search(r"[\[(]\s*$", text[max(0, a - 3):a]) is not None       # E[\text{loss}]: a name
                        and re.match(r"\s*[\])]", text[close + 1:close + 3]) is not None)
            head = (re.fullmatch(r"[A-Za-z]+", word) is not None and re.match(r"\s*&?\s*=(?!>)", text[close + 1:close + 9]) is not None
                    and re.search(r"(^|\n|\\\\|&|\$)\s*$", text[max(0, a - 40):a]) is not None)    # \text{result} = (…): a name
            if (word.lower() in MATH_WORDS or (name == "mathrm" and " " not in word) or "cases" in envs
                    or ((script or argument or head) and re.fullmatch(r"[A-Za-z]+", word))
                    or (script and re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,5}", word))):      # w^{\text{L2}}: a label
                depth += 1
                continue
            blank(a, min(close + 1, len(buf)))
            if depth == 0 and rows_here:
                cuts[a] = "=>" if CONNECTIVES.search(word) else ""
                cuts[close + 1] = "=>" if CONNECTIVES.search(word) else ("all" if _QUANTIFIER.search(word) else "")
        elif name in ("boxed", "fbox", "underbrace", "overbrace") and s.endswith("{"):
            close = _matching(text, b, len(text))
            blank(a, b)
            blank(close, min(close + 1, len(buf)))
            if name in ("boxed", "fbox"):
                boxes.append((a, close))
            else:
                label = re.match(r"\s*[_^]\s*\{", text[close + 1:])
                if label:
                    start = close + 1 + label.end()
                    blank(close + 1, min(_matching(text, start, len(text)) + 1, len(buf)))
        elif name in ARROWS:
            if depth == 0 and rows_here and name != "to":      # x \to 0 mid-row is no implication
                cuts[a] = "<=>" if name in ("iff", "Leftrightarrow", "Longleftrightarrow") else "=>"
        elif s == "&" and not KEEP_AMPERSAND & set(envs):   # in cases and matrices, & parts entries
            blank(a, b)
            amps += 1
            if amps % 2 == 0 and depth == 0 and (envs[-1] in COLUMN_ENVS if envs else outer):
                cuts[b] = "col"         # 'a &= b, & c &= d': every second '&' opens another equation
        elif s == "{":
            depth += 1
        elif s == "}":
            depth = max(depth - 1, 0)
    text = "".join(buf)
    edges = sorted(set(cuts) | {0, len(text)})
    pending = ""                        # a connective ("hence") carries over blank segments
    pieces = [(a + k, a + k + len(part)) for a, b in zip(edges, edges[1:]) for k, part in _listed(text[a:b])]
    for a, b in pieces:
        seg = text[a:b]
        hint = cuts.get(a, "")
        if hint == "row":               # a remark's '(' stays in its row; a connective ('so' ending a row) goes on
            hint, pending = "", ("" if pending in ("aside", "all") else pending)
        hint = hint or pending
        latex, lead = _strip_lead(seg)
        if not re.search(r"[A-Za-z0-9]", latex):
            pending = hint if hint != "all" else ""     # a connective, or a remark's '(' before its prose
            continue
        pending = ""
        if _is_declaration(seg) or (hint == "all" and not _has_relation(seg)):
            continue                    # '\\text{for all } z, b': the variables a claim quantifies, no line
        hint = "" if hint == "all" else hint
        offset = lo + a + len(seg) - len(seg.lstrip())
        boxed = any(x < b and a < y for x, y in boxes)
        if hint == "aside":             # '\\qquad (D_{n+1} \\ge 0)': a remark beside the row, not its next step
            yield latex, "aside", boxed, offset
            continue
        if hint == "col":               # a column of its own: its label was prose, its '=' no continuation
            hint, lead = "", lead if lead == "=>" else ""
        lead = hint if hint == "<=>" else (lead or hint)
        yield latex, lead, boxed, offset


def _listed(seg: str) -> list[tuple[int, str]]:
    """``w_1 = w_2, \\; 2w_1 = 1``: equations listed with commas, as (offset, text) pieces. A
    comma splits only at depth 0 and only when every piece holds a relation (so ``f(x, y) = 0``
    and ``w = (1, 1)`` stay whole)."""
    cuts, depth = [], 0
    inside = [range(m.start(), m.end()) for m in _CASES.finditer(seg)]     # 1, & z > 0: one case
    for i, ch in enumerate(seg):
        if any(i in r for r in inside):
            continue
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth = max(depth - 1, 0)
        elif ch == "," and depth == 0 and (i == 0 or seg[i - 1] != "\\"):
            cuts.append(i)
    if not cuts:
        return [(0, seg)]
    bounds = [-1] + cuts + [len(seg)]
    parts = [(a + 1, seg[a + 1:b]) for a, b in zip(bounds, bounds[1:])]
    if all(_has_relation(text) for _, text in parts):
        return [(0, parts[0][1])] + parts[1:]
    return [(0, seg)]


def _strip_lead(seg: str) -> tuple[str, str]:
    """Split off a leading relation or implication arrow; tidy spaces and end punctuation."""
    latex, lead = " ".join(seg.split()), ""
    while True:
        latex = re.sub(r"^(?:\\[,;:! ]|~|\s)+", "", latex)
        m = re.match(r"(\\(?:" + "|".join(ARROWS) + r")(?![A-Za-z]))\s*", latex)
        if m:
            latex, lead = latex[m.end():], "=>"
            continue
        m = re.match(r"(\\(?:leqslant|geqslant|leq|geq|le|ge)(?![A-Za-z])|:=|<=|>=|=|<|>)\s*", latex)
        if m and not lead:
            latex, lead = latex[m.end():], LEADS[m.group(1)]
        break
    latex = re.sub(r"(?:\s*(?:[.,;]|\\[,;:!]))+$", "", latex).strip()
    return latex.lstrip(",; "), lead


_QUANTIFIER = re.compile(r"\b(for (all|every|each|any)|whenever)\s*$", re.I)


def _is_declaration(seg: str) -> bool:
    """m_j ~ Ber(p), x in R^d, f: R^d -> R: a statement about a variable, not a derivation step."""
    if re.search(r"\\in\s*\\mathbb", seg) and re.search(r"\\nabla|\\partial|\\frac\s*\{\s*d", seg.split("\\in")[0]):
        return False        # ∇ₓJ(x) ∈ ℝ^{d×1}: the shape of a derivative, a claim (a shape part's answer)
    return bool(_DECLARE.search(seg)) and not _has_relation(_DECLARE.sub("", seg))


def _has_relation(latex: str) -> bool:
    return bool(re.search(r"[=<>]|\\(?:le|leq|ge|geq|leqslant|geqslant|neq|ne|leftarrow|gets|longleftarrow|"
                          + "|".join(ARROWS) + r")(?![A-Za-z])", latex))


def _sentence_before(src: str, lo: int) -> str:
    """The prose of the sentence before inline math at ``lo`` (at most 160 characters, from the
    last full stop or blank line), with whitespace collapsed: 'If w₀ is optimal, the gradient vanishes there,'."""
    text = src[max(0, lo - 160):lo].rsplit("$", 1)[0] if "$" in src[max(0, lo - 160):lo] else src[max(0, lo - 160):lo]
    text = re.split(r"(?<=[.!?])(?<![eE]\.g\.)(?<![iI]\.e\.)\s|\n\s*\n|\\end\s*\{[^}]*\}|\\\]|\$\$", text)[-1]
    return " ".join(text.split())
