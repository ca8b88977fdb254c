"""The engine's contract: a wrong rule is caught by certification, loudly, with the rule's name
and a counterexample, in place of that part's answer; and a derivation failure is exit code 1 on
the command line."""
import sympy as sp
from click.testing import CliRunner

from derive.bank import find
from derive.cli import main
from derive.engine import derive
from derive.rules import matrix
from derive.spec import load_spec


def test_a_wrong_rule_fails_certification_loudly(monkeypatch):
    real = matrix.absorb_scalar

    def broken(e):  # drops the factor instead of moving it inside the inverse
        out = real(e)
        return None if out is None else (sp.MatMul(2, out[0]), out[1])

    monkeypatch.setattr(matrix, "absorb_scalar", broken)
    part, = derive(load_spec(find("ridge-fgm")), ["1.2.2"]).parts
    message = part.error
    assert part.answer is None and not part.steps
    assert "absorb-scalar" in message and "failed certification" in message
    assert "the left side is" in message  # the counterexample is in the message


def test_certification_failure_is_exit_code_1(monkeypatch, tmp_path):
    monkeypatch.setenv("DERIVE_NO_CACHE", "1")
    monkeypatch.setattr(matrix, "mexpand", lambda e, prefer=None: sp.MatMul(3, e).doit() if e.is_Matrix else e)
    result = CliRunner().invoke(main, ["ridge-fgm", "--part", "1.1.2"])
    assert result.exit_code == 1
    assert "NOT DERIVED" in result.stdout and "step 'expand' failed certification" in result.stdout
    assert result.stderr.startswith("Error: 1 part(s) could not be derived: 1.1.2")


def test_every_bundled_step_is_certified_with_a_method():
    from derive.bank import entries

    for e in entries():
        for part in derive(load_spec(e.path)).parts:
            for step in part.steps:
                assert step.certified_by and step.relation in ("=", "⇔", "⇒", "→", "≤", "≥", "<", ">"), (e.id, part.id, step.rule)
