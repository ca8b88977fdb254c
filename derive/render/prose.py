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
    "|": r"{\textbar}", "✓": r"{\checkmark}", "_": r"\texttt{\char95}", "~": r"\texttt{\char126}",
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
            for mark in parts[1:]:
                out = f"{_ACCENTS[mark]}{{{out}}}"
            pieces.append("{" + out + "}")
        else:
            plain.append(cluster)
        i = j
    pieces.append(encode("".join(plain)))
    return "".join(pieces)


def escape_tex(s: str) -> str:
    """Prose -> LaTeX that prints every character literally (``%``, ``\\input``, ``_`` ...)."""
    out, pos = [], 0
    s = str(s)
    for m in _SCRIPTS.finditer(s):
        out.append(_encode(s[pos:m.start()]))
        out.append(_script(m.group(0), sup=m.group(1) is not None))
        pos = m.end()
    out.append(_encode(s[pos:]))
    return "".join(out)
