"""Random inputs for the fuzzer: expressions and student files in the README's notation, and
mutations of them (and of the bundled specs). Everything is drawn from a ``random.Random``, so an
input is reproduced from its seed and index alone."""
from __future__ import annotations

import random

SCALARS = ["x", "t", r"\lambda", r"\epsilon", r"\varepsilon", "p", "n", "z", r"\sigma", r"\eta", "d", "r"]
VECTORS = [r"\mathbf{w}", r"\mathbf{x}", r"\mathbf{t}", r"\boldsymbol{w}", r"\bm{x}", "w", r"\mathbf{w}_0"]
MATRICES = ["X", "A", "B", "I"]
NUMBERS = ["0", "1", "2", "3", "10", "0.5", "1/2", r"\frac{1}{2}", "100", "-1", "1.5"]
TRANSPOSES = ["^T", r"^\top", r"^{\top}", r"^\intercal", "'"]
UNKNOWN_MACROS = [r"\foo", r"\begingroup", r"\endgroup", r"\csname", r"\endcsname", r"\relax", r"\def",
                  r"\input{/etc/passwd}", r"\left{", r"\right}", r"\big", r"\left.", r"\middle|"]
HOSTILE = ["__import__('os')", "\x00", "\ufffe", "\u202e", "%", "$", "$$", "&", "\\\\", "#", "~", "^^",
           "1.2.3", "9" * 45, "2^{10^{10}}", "e^{e^{e^{x}}}", "x^{-1}", "0^{-1}", "(B - B)^{-1}",
           r"\|Xw - t\|^8 3", r"\sum_{j=1}^{\infty}", r"\frac{d}{d}", r"\nabla_{}", r"\sqrt[]{x}"]


def scalar(rng: random.Random) -> str:
    return rng.choice(SCALARS + NUMBERS)


def expression(rng: random.Random, depth: int = 0) -> str:
    """One expression of the README's notation, up to a few levels deep."""
    if depth > 3 or rng.random() < 0.25:
        return rng.choice(SCALARS + NUMBERS + VECTORS + MATRICES)
    sub = lambda: expression(rng, depth + 1)  # noqa: E731
    forms = [
        lambda: f"{sub()} + {sub()}",
        lambda: f"{sub()} - {sub()}",
        lambda: f"{sub()} {sub()}",
        lambda: f"{sub()} \\cdot {sub()}",
        lambda: f"\\frac{{{sub()}}}{{{sub()}}}",
        lambda: f"\\dfrac{{{sub()}}}{{{sub()}}}",
        lambda: f"\\sqrt{{{sub()}}}",
        lambda: f"\\left( {sub()} \\right)",
        lambda: f"({sub()})^{rng.choice(['2', '{-1}', '3', '{1/2}'])}",
        lambda: f"{rng.choice(MATRICES + VECTORS)}{rng.choice(TRANSPOSES)}",
        lambda: f"\\|{sub()}\\|_2^2",
        lambda: f"\\|{sub()}\\|^2",
        lambda: f"|{sub()}|",
        lambda: f"\\sum_{{j=1}}^{{n}} {rng.choice(['w_j', 'x_j', 'm_j x_j'])}",
        lambda: f"\\mathbb{{E}}[{sub()}]",
        lambda: f"\\operatorname{{Var}}({sub()})",
        lambda: f"\\nabla_{{\\mathbf{{w}}}} {sub()}",
        lambda: f"\\frac{{d {sub()}}}{{d\\eta}}",
        lambda: f"e^{{{sub()}}}",
        lambda: f"\\exp({sub()})",
        lambda: f"\\log({sub()})",
        lambda: f"\\sigma({sub()})",
        lambda: "(X^T X + \\lambda I)^{-1} X^T \\mathbf{t}",
        lambda: f"{sub()}^{rng.choice(['2', '{10}', '{100}', '{101}'])}",
        lambda: f"-{sub()}",
    ]
    return rng.choice(forms)()


def variant(rng: random.Random, a: str) -> str:
    """Something to compare ``a`` with: itself rewritten (often equivalent) or another draw."""
    choice = rng.random()
    if choice < 0.3:
        return f"{a} + 0"
    if choice < 0.45:
        return f"\\left({a}\\right)"
    if choice < 0.55:
        return f"2 \\cdot \\frac{{{a}}}{{2}}"
    return expression(rng)


def student_file(rng: random.Random, part: str, latex: bool) -> str:
    """A short write-up for one part: a heading, prose, a few math lines, a boxed answer."""
    rows = [f"{rng.choice(SCALARS + VECTORS)} = {expression(rng)}" for _ in range(rng.randint(1, 4))]
    if rng.random() < 0.3:
        rows.append(f"= {expression(rng)}")
    boxed = f"\\boxed{{{expression(rng)}}}"
    if latex:
        body = "\n".join([f"\\section*{{Question {part}}}", "We expand the objective.",
                          "\\begin{align}", " \\\\\n".join(f"  {r.replace('=', '&=', 1)}" for r in rows),
                          "\\end{align}", "Hence", f"\\[ {rows[0].split('=')[0]} = {boxed} \\]"])
        return "\\documentclass{article}\n\\begin{document}\n" + body + "\n\\end{document}\n"
    blocks = [f"## {part}", "", "Setting the gradient to zero:", ""]
    for r in rows:
        blocks += ["$$", r, "$$", ""]
    blocks += [f"so $w = {boxed}$ is the answer.", ""]
    return "\n".join(blocks)


# -- mutations ------------------------------------------------------------------------------------

def _tokens(text: str) -> list[str]:
    out, i = [], 0
    while i < len(text):
        j = i + 1
        if text[i] == "\\":
            while j < len(text) and text[j].isalpha():
                j += 1
            j = max(j, i + 2)
        out.append(text[i:j])
        i = j
    return out


def mutate(rng: random.Random, text: str) -> str:
    """One to three random edits of ``text``."""
    for _ in range(rng.randint(1, 3)):
        text = rng.choice(_MUTATIONS)(rng, text)
    return text


def _delete(rng, text):
    toks = _tokens(text)
    if toks:
        del toks[rng.randrange(len(toks))]
    return "".join(toks)


def _duplicate(rng, text):
    toks = _tokens(text)
    if toks:
        k = rng.randrange(len(toks))
        toks.insert(k, toks[k])
    return "".join(toks)


def _swap(rng, text):
    toks = _tokens(text)
    if len(toks) > 1:
        i, j = rng.randrange(len(toks)), rng.randrange(len(toks))
        toks[i], toks[j] = toks[j], toks[i]
    return "".join(toks)


def _insert(rng, text):
    toks = _tokens(text)
    what = rng.choice(["{", "}", "(", ")", "[", "]", "^", "_", "=", "\\", "|", "\\|", "&", "\\\\"]
                      + UNKNOWN_MACROS + HOSTILE)
    toks.insert(rng.randint(0, len(toks)), what)
    return "".join(toks)


def _huge_exponent(rng, text):
    return text + rng.choice(["^{99999}", "^{10^{10}}", "^{" + "9" * 39 + "}", "^{-100}", "^{1e9}", "^{2^{2^{2}}}"])


def _deep(rng, text):
    n = rng.choice([50, 99, 100, 101, 150, 400])
    opener, closer = rng.choice([("(", ")"), ("{", "}"), ("\\left(", "\\right)"), ("\\sqrt{", "}"),
                                 ("\\frac{1}{", "}"), ("-", ""), ("e^{", "}"), ("|", "|")])
    return opener * n + text + closer * n


def _flat(rng, text):
    n = rng.choice([100, 500, 999, 2000])
    op = rng.choice(["+", "-", " ", "\\cdot", "*"])
    term = rng.choice(["x", "1", text[:20] or "x"])
    return f" {op} ".join([term] * n)


def _random_bytes(rng, text):
    junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))).decode("utf-8", "replace")
    k = rng.randint(0, len(text))
    return text[:k] + junk + text[k:]


def _nul(rng, text):
    k = rng.randint(0, len(text))
    return text[:k] + "\x00" + text[k:]


def _truncate(rng, text):
    return text[:rng.randint(0, len(text))]


_MUTATIONS = [_delete, _duplicate, _swap, _insert, _insert, _huge_exponent, _deep, _flat, _random_bytes,
              _nul, _truncate]


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """A file's bytes with invalid UTF-8 or NULs spliced in (for the file reader)."""
    k = rng.randint(0, len(data))
    return data[:k] + rng.choice([b"\xff", b"\xc3", b"\x00", b"\xed\xa0\x80", b"\xfe\xff"]) + data[k:]
