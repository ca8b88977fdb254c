"""The lexicon of student LaTeX: limits, the tables of commands, fonts, Greek letters,
functions and relations, and the tokenizer.

Where it sits: student file -> extract -> **this module + latex_math (the parser)** -> checker.
"""
from __future__ import annotations

import re

from ..errors import ParseError
from ..expr.limits import MAX_DEPTH, MAX_DIGITS, MAX_EXPONENT, MAX_LINE  # noqa: F401 - re-exported

GREEK = set("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu "
            "xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega ell Gamma Delta "
            "Theta Lambda Xi Pi Upsilon Phi Psi Omega".split())
FONTS = set("mathbf boldsymbol bm vec pmb mathit mathnormal symbf bf mathcal mathscr mathsf mathrm rm "
            "text textrm textit textbf mathbb operatorname mbox".split())
DECORATIONS = {"tilde": "tilde", "widetilde": "tilde", "hat": "hat", "widehat": "hat", "bar": "bar",
               "overline": "bar", "dot": "dot", "ddot": "ddot", "check": "check", "breve": "breve"}
ALIASES = {"varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "varrho": "rho",
           "varpi": "pi", "varsigma": "sigma", **DECORATIONS}
FUNC_WORDS = {"var": "Var", "cov": "Cov", "sgn": "sign", "sign": "sign", "relu": "relu", "exp": "exp",
              "log": "log", "ln": "log", "tr": "trace", "trace": "trace", "diag": "diag", "det": "det",
              "argmin": "argmin", "argmax": "argmax", "min": "min", "max": "max", "e": "E",
              "sigmoid": "sigmoid", "inv": "inv", "logit": "logit", "softplus": "softplus", "tanh": "tanh",
              "sech": "sech", "sin": "sin", "cos": "cos"}
_SINGLE_FUNCS = {("mathbb", "E"): "E", ("mathbb", "V"): "Var", ("mathrm", "E"): "E",
                 ("operatorname", "E"): "E", ("mathsf", "E"): "E"}
LETTER_FUNCS = {"Var", "var", "Cov", "E", "sgn", "sign", "ReLU", "relu", "exp", "log", "ln", "tr", "diag"}
# \logit, \sigmoid, \softplus: commands students declare with \DeclareMathOperator
FUNC_CMDS = {"exp", "log", "ln", "det", "tr", "sgn", "sign", "E", "Var", "Cov", "relu", "ReLU", "logit", "sigmoid", "softmax",
             "softplus", "tanh", "sech", "sin", "cos"}
FUNCTION_BASES = {"f", "h", "F", "L", "J", "ell", "scriptL", "scriptJ"}   # f(...) is a call; w(...) is a product
INDEX_LETTERS = set("ijklmn")
CASE_WORDS = ("if", "for", "when", "whenever", "otherwise", "else", "elsewhere")   # a case's condition, first the leads
RELATIONS = {"=": "=", "le": "<=", "leq": "<=", "leqslant": "<=", "ge": ">=", "geq": ">=",
             "geqslant": ">=", "lt": "<", "gt": ">", "coloneqq": "=", "triangleq": "=", "eqqcolon": "=",
             "approx": "~", "leftarrow": "<-", "gets": "<-", "longleftarrow": "<-"}
NOT_RELATIONS = {
    **dict.fromkeys(("Rightarrow", "implies", "Longrightarrow", "iff", "Leftrightarrow", "therefore",
                     "to", "rightarrow", "longrightarrow"), "an implication arrow: write one step per line"),
    **dict.fromkeys(("ne", "neq", "propto", "sim", "simeq", "cong", "in", "subset",
                     "subseteq", "mid", "perp", "gg", "ll"), "a relation the checker cannot verify"),
}
_OPENERS = {"(": ")", "[": "]", "\\{": "\\}"}
_OPEN_DELIMS = ("(", "[", "\\{", "|<", "‖<")
_CLOSE_DELIMS = (")", "]", "\\}", "|>", "‖>")
_SCRIPT_FONTS = ("\\mathsf", "\\mathrm", "\\rm", "\\sf", "\\text", "\\mathbf")
_SIZERS = set("left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr bigm "
              "Bigm".split())
_SKIP = set(", ; : ! quad qquad displaystyle textstyle scriptstyle limits nolimits nonumber notag "
            "enspace thinspace medspace thickspace negthinspace hfill".split()) | {" "}
_DELIMS = {"{": "\\{", "}": "\\}", "|": "‖", "lbrace": "\\{", "rbrace": "\\}", "lbrack": "[",
           "rbrack": "]", "vert": "|", "Vert": "‖", "lvert": "|<", "rvert": "|>", "lVert": "‖<",
           "rVert": "‖>", "star": "*", "ast": "*"}
_UNICODE = {"α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\epsilon",
            "ϵ": r"\epsilon", "ζ": r"\zeta", "η": r"\eta", "θ": r"\theta", "ι": r"\iota", "κ": r"\kappa",
            "λ": r"\lambda", "μ": r"\mu", "ν": r"\nu", "ξ": r"\xi", "π": r"\pi", "ρ": r"\rho",
            "σ": r"\sigma", "τ": r"\tau", "φ": r"\phi", "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega",
            "Δ": r"\Delta", "Λ": r"\Lambda", "Σ": r"\sum", "∑": r"\sum", "ℓ": r"\ell", "ᵀ": "^T",
            "⊤": r"\top", "⁻¹": "^{-1}", "²": "^2", "³": "^3", "‖": r"\|", "·": r"\cdot",
            "⋅": r"\cdot",
            "×": r"\times", "−": "-", "≤": r"\le", "≥": r"\ge", "√": r"\sqrt", "∇": r"\nabla",
            "∂": r"\partial", "∞": r"\infty", "⇒": r"\Rightarrow", "′": "'", "∗": "*", "≠": r"\neq"}
_UNICODE_RE = re.compile("|".join(sorted(map(re.escape, _UNICODE), key=len, reverse=True)))
_TOKEN = re.compile(r"\\(?:[A-Za-z]+|.)|\s+|.", re.S)
_SYMBOLS = set("{}()[]^_'+-=<>,;|/*!.:&")


def tokenize(text: str) -> tuple[list[tuple[str, str, int]], dict[int, int]]:
    """Tokens (kind, value, column) -- kinds: d digit, l letter, c command, s symbol -- and the
    index of the matching ``}`` for every ``{``. Refuses deep nesting and long numbers here,
    before any recursion."""
    raw: list[tuple[str, str, int]] = []
    for m in _TOKEN.finditer(text):
        s, pos = m.group(), m.start()
        if s[0] == "\\" and len(s) > 1:
            name = s[1:]
            if name in _SKIP or name.isspace():
                continue
            raw.append(("s", _DELIMS[name], pos) if name in _DELIMS else ("c", name, pos))
        elif s.isspace() or s == "~":
            continue
        elif "0" <= s <= "9":
            raw.append(("d", s, pos))
        elif s.isascii() and s.isalpha():
            raw.append(("l", s, pos))
        elif s in _SYMBOLS:
            raw.append(("s", s, pos))
        else:
            raise ParseError(f"unexpected character {shown_char(s)} at column {pos + 1}", text, pos)
    toks: list[tuple[str, str, int]] = []
    match: dict[int, int] = {}
    braces: list[int] = []
    depth = run = 0
    i = 0
    while i < len(raw):
        kind, value, pos = raw[i]
        if kind == "c" and value in _SIZERS:
            if i + 1 >= len(raw):
                raise ParseError(f"\\{value} at column {pos + 1} needs a delimiter after it", text, pos)
            if raw[i + 1][0] == "c" and raw[i + 1][1] in ("langle", "rangle", "lfloor", "rfloor", "lceil", "rceil"):
                toks.append(raw[i + 1])                           # \left\langle a, b \right\rangle, \left\lfloor
                i += 2
                continue
            value = _sized_delimiter(value, raw[i + 1], text)
            i += 2
            if value is not None:
                toks.append(("s", value, pos))
                depth += (value in _OPEN_DELIMS) - (value in _CLOSE_DELIMS)
            continue
        adjacent = toks and toks[-1][0] == "d" and toks[-1][2] == pos - 1
        run = run + 1 if kind == "d" and adjacent else int(kind == "d")
        if run > MAX_DIGITS:
            raise ParseError(f"number at column {pos - run + 2} has more than {MAX_DIGITS} digits", text, pos)
        if value == "{" and kind == "s":
            braces.append(len(toks))
            depth += 1
        elif value == "}" and kind == "s":
            if not braces:
                raise ParseError(f"unbalanced '}}' at column {pos + 1}", text, pos)
            match[braces.pop()] = len(toks)
            depth -= 1
        elif kind == "s":
            depth += (value in _OPEN_DELIMS) - (value in _CLOSE_DELIMS)
        if depth > MAX_DEPTH:
            raise ParseError(f"the expression nests deeper than {MAX_DEPTH} levels", text, pos)
        toks.append((kind, value, pos))
        i += 1
    if braces:
        pos = toks[braces[-1]][2]
        raise ParseError(f"'{{' at column {pos + 1} is never closed", text, pos)
    return toks, match


def shown_char(s: str) -> str:
    """A character for a message: a NUL byte or another invisible one by its code point."""
    if s == "\x00":
        return "U+0000 (a NUL byte)"
    return repr(s) if s.isprintable() else f"U+{ord(s):04X} (an invisible character)"


def _sized_delimiter(sizer: str, tok, text: str) -> str | None:
    kind, value, pos = tok
    if kind == "s" and value in "{}":
        raise ParseError(f"\\{sizer}{value} at column {pos + 1}: write \\{sizer}\\{value} for a brace", text, pos)
    if kind != "c" and value not in ("(", ")", "[", "]", "|", "‖", ".", "\\{", "\\}", "|<", "|>", "‖<", "‖>"):
        raise ParseError(f"\\{sizer} at column {pos + 1} is followed by {value!r}, not a delimiter", text, pos)
    if kind == "c":
        raise ParseError(f"\\{sizer} at column {pos + 1} is followed by \\{value}, not a delimiter", text, pos)
    if value == ".":
        return None
    side = "<" if sizer.endswith(("left", "l")) else ">" if sizer.endswith(("right", "r")) else ""
    return value + side if value in ("|", "‖") else value
