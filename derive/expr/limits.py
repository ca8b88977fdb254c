"""The input limits, stated once. Both parsers (the spec grammar in ``parse.py`` and the student
LaTeX parser in ``derive/check``) and the file reader refuse input beyond these, with a message
that names the limit.

Nesting depth counts one level per bracket of any kind (``( [ {``, ``\\left(``, ``|…|``, a
function's argument list, a TeX group) and per prefix operator or exponent applied to a nested
operand (``- - x``, ``a^{b^{c}}``). Long flat sums and products are not nesting: the parsers read
them in a loop.
"""
from __future__ import annotations

MAX_EXPRESSION = 10_000      # characters in one spec expression
MAX_LINE = 2_000             # characters in one student math line (or one ``derive equiv`` side)
MAX_DEPTH = 100              # nesting levels, counted as above
MAX_DIGITS = 40              # digits in one number
MAX_EXPONENT = 100           # largest constant exponent
MAX_FILE_BYTES = 1_000_000   # bytes in one student file (1 MB)
