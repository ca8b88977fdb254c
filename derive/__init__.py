"""derive: a symbolic derivation engine for machine-learning coursework.

Data flows one way: spec (``spec.py``) -> engine (``engine.py`` + ``rules/``) -> derivation
(``steps.py``, plain data) -> renderers (``render/``). Student work flows
file -> ``check/`` parser -> checker -> report. Heavy imports (SymPy) happen lazily.
"""
__version__ = "0.1.0"
