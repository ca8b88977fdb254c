"""A write-up's own LaTeX macros: ``\\newcommand{\\vg}{\\mathbf{g}}`` in the preamble, or
``\\renewcommand``, ``\\providecommand``, ``\\def`` and ``\\DeclareMathOperator`` anywhere (Markdown
renderers read them inside ``$$ … $$``). The math of the write-up is read with them expanded.

Student files are untrusted, so expansion is bounded: at most ``MAX_MACROS`` definitions, bodies
of at most ``MAX_BODY`` characters, ``MAX_PASSES`` rounds (a macro that uses another one), and a
result of at most ``MAX_GROWTH`` times its input. A line that would grow past that is left as
written, and the parser then says which command it does not know."""
from __future__ import annotations

import re

MAX_MACROS = 100
MAX_BODY = 400
MAX_PASSES = 4
MAX_GROWTH = 8

_DEFINITION = re.compile(r"\\(?:(?:re|provide)?newcommand\*?|DeclareMathOperator\*?|def)\s*"
                         r"(?:\{\s*\\(?P<braced>[A-Za-z]+)\s*\}|\\(?P<bare>[A-Za-z]+))")


def _group(text: str, at: int) -> tuple[str, int] | None:
    """The balanced ``{…}`` group starting at ``at`` (after spaces): (its content, the offset after it)."""
    while at < len(text) and text[at] in " \t\n":
        at += 1
    if at >= len(text) or text[at] != "{":
        return None
    depth = 0
    for k in range(at, min(len(text), at + MAX_BODY + 2)):
        c = text[k]
        if c == "\\":
            continue
        if c == "{" and (k == 0 or text[k - 1] != "\\"):
            depth += 1
        elif c == "}" and text[k - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[at + 1:k], k + 1
    return None


def definitions(text: str) -> tuple[dict, list]:
    """The macros ``text`` defines, name -> (number of arguments, body), and the (start, end)
    spans of their definitions."""
    macros, spans = {}, []
    for m in _DEFINITION.finditer(text):
        if len(macros) >= MAX_MACROS:
            break
        name, at, nargs = m.group("braced") or m.group("bare"), m.end(), 0
        if m.group().startswith("\\def"):
            params = re.match(r"(#\d)*", text[at:])          # \def\f#1{…}
            nargs, at = len(params.group()) // 2, at + params.end()
        else:
            count = re.match(r"\s*\[(\d)\]", text[at:])
            if count:
                nargs, at = int(count.group(1)), at + count.end()
        body = _group(text, at)
        if body is None:
            continue
        content, end = body
        if m.group().startswith("\\DeclareMathOperator"):
            content = f"\\operatorname{{{content}}}"
        macros[name] = (nargs, content)
        spans.append((m.start(), end))
    return macros, spans


_USE = re.compile(r"\\([A-Za-z]+)")


def expand(latex: str, macros: dict) -> str:
    """``latex`` with the write-up's macros expanded (bounded; see the module's note)."""
    if not macros or "\\" not in latex:
        return latex
    written, limit = latex, MAX_GROWTH * len(latex) + 200
    for _ in range(MAX_PASSES):
        out, k, changed = [], 0, False
        for m in _USE.finditer(latex):
            if m.start() < k or m.group(1) not in macros:
                continue
            nargs, body = macros[m.group(1)]
            at, args = m.end(), []
            for _ in range(nargs):
                group = _group(latex, at)
                if group is None:                 # \f x: a one-token argument
                    token = re.match(r"\s*(\\[A-Za-z]+|\S)", latex[at:])
                    if token is None:
                        break
                    args.append(token.group(1))
                    at += token.end()
                else:
                    args.append(group[0])
                    at = group[1]
            if len(args) != nargs:
                continue
            for n, arg in enumerate(args, 1):
                body = body.replace(f"#{n}", arg)
            before = latex[k:m.start()]
            if re.search(r"\\[A-Za-z]+$", before) and re.match(r"[A-Za-z]", body):
                body = " " + body                   # w^\top\xx: \top then x^{(i)}, not \topx
            out += [before, body]                       # as TeX does: no braces added
            k, changed = at, True
        if not changed:
            return latex
        latex = "".join(out) + latex[k:]
        if len(latex) > limit:
            return written
    return latex
