"""Expressions: a grammar of our own (``parse.py``) producing a small AST (``ast.py``), typed
against a symbol table and built into SymPy objects (``build.py``). Untrusted text never reaches
``eval``, ``sympify`` or ``parse_expr``."""
