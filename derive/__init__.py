"""derive: a symbolic derivation engine for machine-learning coursework.

Data flows one way: spec (``spec.py``) -> engine (``engine.py`` + ``rules/``) -> derivation
(``steps.py``, plain data) -> renderers (``render/``). Student work flows
file -> ``check/`` parser -> checker -> report. Heavy imports (SymPy) happen lazily.

In Python and notebooks (``api.py``)::

    import derive
    d = derive.derive("ridge-fgm")          # or a path to a spec file
    d.data                                  # what `derive ridge-fgm --json` prints
    d                                       # in Jupyter: the derivation as rendered math
    r = derive.check("ridge-fgm", "hw/alice.md")   # or the write-up's text
"""
__version__ = "0.1.0"


def derive(problem, parts=None, timeout=None):
    """Derive a problem (a bank id or a spec file's path); see ``derive.api.derive``."""
    from .api import derive as _derive

    return _derive(problem, parts=parts, timeout=timeout)


# ``derive.check`` is both the checker's package (``derive/check/``) and the API's function: the
# import system sets the package as the attribute whenever any ``derive.check.*`` module is
# imported, so a plain function here would be replaced. Instead the package itself is made
# callable. Its ``__init__`` is empty, so this costs nothing (no SymPy).
import types as _types

from . import check as _check_package


class _CallablePackage(_types.ModuleType):
    def __call__(self, problem, path_or_text, parts=None, aliases=None, timeout=60.0, name="submission.md"):
        """Check one write-up (a path or its text) against a problem; see ``derive.api.check``."""
        from .api import check as _check

        return _check(problem, path_or_text, parts=parts, aliases=aliases, timeout=timeout, name=name)


_check_package.__class__ = _CallablePackage
del _types

__all__ = ["__version__", "check", "derive"]
