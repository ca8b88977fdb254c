"""How symbols are spelt: a name's LaTeX (from the spec's table, or a default for an identifier
such as ``eta_star`` or ``wmin``) and the same spelling as terminal text (``\\mathbf{w}`` -> ``w``).

Where it sits: the two printers (``latex_printer.py``, ``text_printer.py``) ask here for every
symbol and function name; ``printing.symbol_text`` is the public face of the Unicode spelling.
"""
from __future__ import annotations

import re
from functools import lru_cache

_SUP = str.maketrans("0123456789-+()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁽⁾ⁿ")
_SUB = str.maketrans("0123456789aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUB_CHARS = "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"
_DEFAULT_LATEX = {"epsilon": r"\varepsilon"}
_GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
          "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega")
_GREEK_SHORT = {"eps": "epsilon", "lam": "lambda", "lamda": "lambda"}
# Words that qualify a one-letter name (``wmin``, ``fadv``, ``eta_star``) and how they are set.
_QUALIFIERS = {"star": "^{*}", "min": r"_{\min}", "max": r"_{\max}", "hat": r"\hat", "bar": r"\bar",
               "tilde": r"\tilde"}
_KNOWN_WORDS = ("adv", "rms", "lim", "opt", "new", "old", "avg", "init", "true", "reg", "ridge", "mle", "map")


def _default_spellings(name: str) -> set:
    """The LaTeX an identifier gets when nobody chose one: itself (``fadv``), or SymPy's and
    the spec reader's ``\\eta_{star}`` / ``L_{1}`` for a name with a subscript."""
    out = {name}
    base, _, sub = name.partition("_")
    m = re.fullmatch(r"([A-Za-z]+?)(\d+)", name)
    if m and not sub:
        base, sub = m.group(1), m.group(2)
    head = "\\" + base if base in _GREEK else base
    if sub:
        out |= {f"{head}_{{{sub}}}", f"{head}_{sub}"}
    else:
        out.add(head)
    return out


def _identifier_tex(name: str, names: dict) -> str | None:
    """A wordy identifier (a ``uses`` alias or a symbol declared without ``latex:``) set as a
    mathematician would write it: ``eta_star`` -> η*, ``wmin`` -> w_min, ``fadv`` -> f_adv,
    ``eps`` -> ε (ε* when ε is already another symbol's spelling). None for a name that is
    already conventional (``w``, ``L1``, ``theta_t``) or not recognisably a name and a qualifier."""
    base, _, sub = name.partition("_")
    if not sub:
        if name in _GREEK_SHORT:
            base, sub = _GREEK_SHORT[name], ""
        else:
            words = tuple(_QUALIFIERS) + _KNOWN_WORDS
            heads = [g for g in _GREEK if name.startswith(g)] + [name[0]]
            split = next(((h, name[len(h):]) for h in heads if name[len(h):] in words), None)
            if split is None:
                return None
            base, sub = split
    elif not re.fullmatch(r"[A-Za-z]+", sub) or len(sub) < 2 or "_" in sub:
        return None
    if not (len(base) == 1 or base in _GREEK):
        return None
    head = names.get(base) or ("\\" + base if base in _GREEK else base)
    if not sub:
        tex = head
    elif sub in _QUALIFIERS and _QUALIFIERS[sub].startswith("\\"):
        tex = f"{_QUALIFIERS[sub]}{{{head}}}"
    elif sub in _QUALIFIERS:
        tex = head + _QUALIFIERS[sub]
    else:
        tex = rf"{head}_{{\mathrm{{{sub}}}}}"
    taken = {v for k, v in names.items() if k != name}
    if tex in taken:
        tex = tex + "^{*}" if "^" not in tex else None
    return tex if tex not in taken else None


def _symbol_tex(name: str, names: dict) -> str | None:
    """The LaTeX spelling of a symbol: the spec's, else a readable one for a wordy identifier."""
    given = names.get(name)
    if given is None or given in _default_spellings(name):
        return _identifier_tex(name, names) or given
    return given


def _function_tex(func: str, names: dict) -> str | None:
    """A function's spelling from the spec (``ell`` -> ``\\ell``; its derivative ``ell'`` ->
    ``\\ell'``); SymPy's ``sign`` is written sgn, as ``Sgn`` is."""
    base = func.rstrip("'")
    primes = func[len(base):]
    if base == "sign":
        return r"\operatorname{sgn}" + primes
    tex = _symbol_tex(base, names) if base in names else None
    return tex + primes if tex else None


_BOLD = re.compile(r"^\\(?:mathbf|boldsymbol|bm)\{(.*)\}$")


_SUPERSCRIPTED = re.compile(r"^([^_^]+)\^(\{.*\}|[^{}])$")


def _with_subscript(base: str, index: str) -> str:
    """``a^{(l)}`` indexed by ``j`` is ``a_{j}^{(l)}``; other decorated bases are braced."""
    m = _SUPERSCRIPTED.match(base)
    if m:
        return f"{m[1]}_{{{index}}}^{m[2]}"
    if "_" in base or "^" in base:
        base = "{" + base + "}"
    return base + "_{" + index + "}"


def _subscript(idx: str) -> str:
    """``ᵢ`` when Unicode has every character as a subscript, else ``_j`` or ``_{i,j}``."""
    sub = idx.translate(_SUB)
    if all(c in _SUB_CHARS for c in sub):
        return sub
    return f"_{idx}" if len(idx) == 1 else f"_{{{idx}}}"


_WRAPPERS = re.compile(r"\\(?:mathbf|boldsymbol|bm|mathrm|mathit|mathsf|mathnormal|vec)\s*")


@lru_cache(maxsize=512)
def _latex_to_unicode(tex: str) -> str:
    """A symbol's LaTeX spelling as terminal text: ``\\mathbf{w}`` -> ``w``, ``x_1`` -> ``x₁``."""
    from pylatexenc.latex2text import LatexNodes2Text

    plain = LatexNodes2Text().latex_to_text(_WRAPPERS.sub("", tex)).strip()

    def script(m: re.Match, table, marks: str) -> str:
        body = m.group(1) or m.group(2)
        out = body.translate(table)
        return out if all(c in marks for c in out) else m.group(0)

    plain = re.sub(r"_\{?([A-Za-z0-9]+)\}?|_(.)", lambda m: script(m, _SUB, _SUB_CHARS), plain)
    plain = re.sub(r"\^\{?([0-9n+-]+)\}?|\^(.)", lambda m: script(m, _SUP, "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ⁿ*"), plain)
    return plain or tex


def symbol_text(tex: str) -> str:
    """A symbol's LaTeX spelling as terminal text (``\\boldsymbol{\\delta}`` -> ``δ``)."""
    return _latex_to_unicode(tex)
