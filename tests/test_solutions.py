"""The real solution documents: every problem and sheet of the bank compiles to a PDF, and the
PDF text holds the title and, part by part, the final answer (its symbols, in order)."""
import os
import re
import shutil
import subprocess

import pytest

from derive import service
from derive.bank import entries
from derive.render.pdf import tex_available
from derive.render.printing import text as expr_text


def _tex_or_skip():
    missing = tex_available() or (None if shutil.which("pdftotext") else "pdftotext (poppler-utils) is missing")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    _tex_or_skip()
    out = tmp_path_factory.mktemp("solutions")
    service.build(out, pdf=True)
    return out


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


LETTER = re.compile(r"[A-Za-zα-ωΑ-Ω]")
SAME = str.maketrans({"ε": "ϵ", "ϵ": "ϵ", "Σ": "X",   # pdftotext reads the big ∑ glyph as X
                      "µ": "μ", "‖": "∥", "²": "2",       # and μ as the micro sign
                      "\u2019": "'"})                       # LaTeX sets an apostrophe as ’


def letters(s: str) -> list[str]:
    s = s.replace("exp(", "e(")     # the text printer writes exp(z) where LaTeX shows e^z
    return LETTER.findall(s.translate(SAME))


def contains(needle, hay) -> bool:
    from collections import Counter

    return not Counter(needle) - Counter(hay)


def answer_window(section: str, size: int = 30) -> str:
    """The text around the boxed answer: ``size`` lines either side of the 'Answer:' label (a
    large matrix comes out of pdftotext one entry per line, so its window grows with it)."""
    lines = section.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Answer"))
    return "\n".join(lines[max(0, at - size): at + size])


@pytest.mark.parametrize("entry", entries(), ids=lambda e: e.id)
def test_problem_pdf_has_title_and_each_final_answer(built, entry):
    text = pdf_text(built / f"{entry.id}.pdf")
    flat = " ".join(text.split())
    assert " ".join(entry.title.split()).translate(SAME) in flat.translate(SAME)
    d = service.derivation(entry.id)
    sections = re.split(r"(?:\n|\x0c)Part ", text)
    for part in d.parts:
        section = next((s for s in sections if s.split("\n", 1)[0].strip() == part.id), None)
        assert section is not None, f"no 'Part {part.id}' in the PDF"
        assert "Answer" in section
        names = {**{r.name: r.latex for r in d.symbols}, **part.names}
        want = letters(expr_text(part.answer, names))
        window = answer_window(section, max(30, 2 * len(want)))
        assert contains(want, letters(window)), f"part {part.id}: answer {want} not found in the PDF text"


def test_sheet_pdfs_collect_their_problems(built):
    by_sheet = {}
    for e in entries():
        by_sheet.setdefault(e.sheet, []).append(e)
    for sheet, items in by_sheet.items():
        flat = " ".join(pdf_text(built / f"{sheet}.pdf").split())
        for e in items:
            assert " ".join(e.title.split()).translate(SAME) in flat.translate(SAME), f"{e.title} missing from {sheet}.pdf"


def test_same_spec_gives_byte_identical_tex(tmp_path):
    a = service.render("ridge-fgm", "latex", use_cache=False)
    b = service.render("ridge-fgm", "latex", use_cache=False)
    assert a == b
