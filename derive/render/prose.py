"""Prose for LaTeX documents: every character of a title, statement or justification printed
literally (``% & _ # \\input{...}`` included), Unicode scripts and accents set properly.

Where it sits: Derivation -> render/latex.py (``text`` filter) -> **escape_tex** -> .tex
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Characters that pylatexenc would set with TS1 text symbols (bitmap fonts without cm-super)
# go to math instead; ``_ ~ ^`` use the typewriter font's real glyphs (OT1 roman has none, so
# they would print as a rule or an accent and not be found by a search of the PDF); superscript and subscript runs (``⁻¹``, ``ᵀ``, ``ᵢⱼ``) become one script.
_TEX_OVERRIDES = {
    "|": r"{\textbar}", "✓": r"{\checkmark}", "∼": r"\ensuremath{\sim}", "_": r"\texttt{\char95}", "~": r"\texttt{\char126}",
    "^": r"\texttt{\char94}", "×": r"\ensuremath{\times}",
    "·": r"\ensuremath{\cdot}", "→": r"\ensuremath{\rightarrow}", "←": r"\ensuremath{\leftarrow}",
    "°": r"\ensuremath{^{\circ}}", "÷": r"\ensuremath{\div}", "¬": r"\ensuremath{\neg}",
    "µ": r"\ensuremath{\mu}", "½": r"\ensuremath{\tfrac{1}{2}}", "¼": r"\ensuremath{\tfrac{1}{4}}",
    "¾": r"\ensuremath{\tfrac{3}{4}}", "√": r"\ensuremath{\surd}", "€": "EUR",
}
# Unicode superscript / subscript letters -> what goes inside ^{...} / _{...}.
_SUP_MAP = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾", "0123456789+-=()"))
_SUP_MAP.update(zip("ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ", "abcdefghijklmnoprstuvwxyz"))
_SUP_MAP.update(zip("ᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵁⱽᵂ", "ABDEGHIJKLMNOPRUVW"))
_SUP_MAP["ᵀ"] = r"\top "
_SUB_MAP = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎", "0123456789+-=()"))
_SUB_MAP.update(zip("ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", "aehijklmnoprstuvx"))
_SUB_MAP.update({"ᵦ": r"\beta ", "ᵧ": r"\gamma ", "ᵨ": r"\rho ", "ᵩ": r"\phi ", "ᵪ": r"\chi "})
_SCRIPTS = re.compile(f"([{''.join(_SUP_MAP)}]+)|([{''.join(_SUB_MAP)}]+)")


@lru_cache(maxsize=1)
def _encoder():
    from pylatexenc.latexencode import (RULE_DICT, UnicodeToLatexConversionRule,
                                        UnicodeToLatexEncoder)

    extra = UnicodeToLatexConversionRule(RULE_DICT, {ord(k): v for k, v in _TEX_OVERRIDES.items()})
    return UnicodeToLatexEncoder(conversion_rules=[extra, "defaults"],
                                 unknown_char_policy="unihex", unknown_char_warning=False)


def _script(run: str, sup: bool) -> str:
    table, mark = (_SUP_MAP, "^") if sup else (_SUB_MAP, "_")
    return r"\ensuremath{" + mark + "{" + "".join(table[c] for c in run).strip() + "}}"


_ACCENTS = {"\u0300": "\\`", "\u0301": "\\'", "\u0302": "\\^", "\u0303": "\\~", "\u0304": "\\=",
            "\u0306": "\\u", "\u0307": "\\.", "\u0308": '\\"', "\u030a": "\\r", "\u030c": "\\v",
            "\u0327": "\\c"}


_MATH_ACCENTS = {"\u0300": r"\grave", "\u0301": r"\acute", "\u0302": r"\hat", "\u0303": r"\tilde",
                 "\u0304": r"\bar", "\u0306": r"\breve", "\u0307": r"\dot", "\u0308": r"\ddot",
                 "\u030c": r"\check"}


@lru_cache(maxsize=4096)
def _known(ch: str) -> bool:
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    try:
        UnicodeToLatexEncoder(unknown_char_policy="fail",
                              unknown_char_warning=False).unicode_to_latex(ch)
        return True
    except ValueError:
        return False


def _encode(seg: str) -> str:
    """Plain prose -> LaTeX; letters with accents pylatexenc lacks (``ỹ``) become ``\\~{y}``."""
    encode = _encoder().unicode_to_latex
    seg = unicodedata.normalize("NFC", seg)
    pieces: list[str] = []
    plain: list[str] = []
    i = 0
    while i < len(seg):
        j = i + 1
        while j < len(seg) and unicodedata.combining(seg[j]):
            j += 1
        cluster = seg[i:j]
        parts = unicodedata.normalize("NFD", cluster)
        if ((j > i + 1 or (ord(cluster) > 127 and not _known(cluster))) and len(parts) > 1
                and not unicodedata.combining(parts[0]) and all(m in _ACCENTS for m in parts[1:])):
            pieces.append(encode("".join(plain)))
            plain = []
            out = encode(parts[0])
            if out.startswith(r"\ensuremath{") and all(m in _MATH_ACCENTS for m in parts[1:]):
                out = out[len(r"\ensuremath{"):-1]          # a Greek letter: a math accent sits over it
                for mark in parts[1:]:
                    out = f"{_MATH_ACCENTS[mark]}{{{out}}}"
                pieces.append(r"\ensuremath{" + out + "}")
            else:
                for mark in parts[1:]:
                    out = f"{_ACCENTS[mark]}{{{out}}}"
                pieces.append("{" + out + "}")
        else:
            plain.append(cluster)
        i = j
    pieces.append(encode("".join(plain)))
    return "".join(pieces)


# A name with a subscript or superscript, as a statement writes it in prose (w_j, x_ij, π_ij,
# Σ_{j=1}^{T}, f_adv, C_{ℓ−1}, q_(n+k), e^(−z), 100^(−2j/6), ∇_b): shown as the mathematics it
# names, wⱼ, x_{ij}, f_adv with an upright "adv". A script's characters are a short whitelist
# (letters, digits, Greek, ℓ, signs), never a TeX special character, so prose stays literal.
_SCRIPT_CHARS = "A-Za-z0-9\u0391-\u03a9\u03b1-\u03c9ℓ+\\-−=,/*′"
_ONE_SCRIPT = rf"(?:\{{[{_SCRIPT_CHARS}]{{1,24}}\}}|\([{_SCRIPT_CHARS}]{{1,24}}\)|[A-Za-z0-9ℓ]+)"
NAME_IN_PROSE = re.compile(r"(?<![A-Za-z0-9_\\/.])([A-Za-z\u0391-\u03a9\u03b1-\u03c9∇]|\d+(?=\^))"
                           rf"(?:_({_ONE_SCRIPT}))?(?:\^({_ONE_SCRIPT}))?(?![A-Za-z0-9_])")
_DISTRIBUTED = re.compile(r"(?<=\s)~(?=\s+[A-Z\u0391-\u03a9𝒩])")   # m ~ Bernoulli(p), a ~ N(0, r²)
_UNICODE_SUB = dict(zip("0123456789aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_SCRIPT_TEX = {"−": "-", "ℓ": r"\ell ", "′": "'"}


def _subscript(sub: str) -> str:
    return sub[1:-1] if sub[:1] in "{(" else sub


def _script_tex(inner: str) -> str:
    """A script's characters as math: Greek letters by name, ℓ as \\ell, − as a minus."""
    return "".join(_SCRIPT_TEX.get(c) or (_greek(c) if not c.isascii() else c) for c in inner).strip()


def _name_math(base: str, sub: str | None, sup: str | None = None) -> str:
    """A name with its scripts as math-mode LaTeX (no delimiters)."""
    out = r"\nabla " if base == "∇" else (_greek(base) if not base.isascii() else base)
    if sub:
        inner = _subscript(sub)
        word = len(inner) > 2 and inner.isalpha()          # a word (adv, min): upright, not a product of indices
        out += "_{" + (r"\mathrm{" + inner + "}" if word else _script_tex(inner)) + "}"
    if sup:
        out += "^{" + _script_tex(_subscript(sup)) + "}"
    return out


def _is_script(m) -> bool:
    """A match with a script (a bare letter or number is prose)."""
    return bool(m.group(2) or m.group(3))


def names_as_unicode(s: str) -> str:
    """Prose for terminals: ``w_j`` as ``wⱼ`` where every subscript character has a Unicode
    subscript (``f_adv`` stays as written)."""
    def one(m):
        inner = _subscript(m.group(2) or "")
        if inner and not m.group(3) and all(c in _UNICODE_SUB for c in inner):
            return m.group(1) + "".join(_UNICODE_SUB[c] for c in inner)
        return m.group(0)

    return NAME_IN_PROSE.sub(one, str(s))


def names_as_markdown(s: str, escape) -> str:
    """Prose for Markdown: ``w_j`` as ``$w_{j}$``, the rest through ``escape``."""
    out, pos = [], 0
    for m in NAME_IN_PROSE.finditer(s):
        if not _is_script(m):
            continue
        tex = _name_math(m.group(1), m.group(2), m.group(3))
        out += [escape(s[pos:m.start()]), f"${tex}$"]
        pos = m.end()
    out.append(escape(s[pos:]))
    return "".join(out)


def _greek(letter: str) -> str:
    """π -> \\pi, Σ -> \\Sigma; a Latin letter as it is."""
    name = unicodedata.name(letter, "")
    if not name.startswith("GREEK"):
        return letter
    word = name.split()[-1].lower()
    return "\\" + (word.capitalize() if "CAPITAL" in name else word) + " "


def _escape_plain(s: str) -> str:
    out, pos = [], 0
    for m in _SCRIPTS.finditer(s):
        out.append(_encode(s[pos:m.start()]))
        out.append(_script(m.group(0), sup=m.group(1) is not None))
        pos = m.end()
    out.append(_encode(s[pos:]))
    return "".join(out)


def escape_tex(s: str) -> str:
    """Prose -> LaTeX that prints every character literally (``%``, ``\\input``, ``_`` ...),
    except a one-letter name with a subscript (``w_j``), which is set as math."""
    out, pos = [], 0
    s = _DISTRIBUTED.sub("∼", str(s))          # 'z ~ N(μ, s²)': distributed as, not a tilde accent
    for m in NAME_IN_PROSE.finditer(s):
        if not _is_script(m):
            continue
        out += [_escape_plain(s[pos:m.start()]), r"\ensuremath{" + _name_math(m.group(1), m.group(2), m.group(3)) + "}"]
        pos = m.end()
    out.append(_escape_plain(s[pos:]))
    return "".join(out)
