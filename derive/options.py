"""Command-line option types shared by several commands."""
from __future__ import annotations

import math

import click


class Seconds(click.ParamType):
    """A time limit in seconds: a finite number greater than zero (``--timeout 30``, ``2.5``)."""

    name = "seconds"

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
        else:
            try:
                number = float(str(value).strip())
            except ValueError:
                self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(number) or number <= 0:
            self.fail(f"{value!r} is not a time limit: give a finite number of seconds greater than 0",
                      param, ctx)
        return number


SECONDS = Seconds()
