"""Safe YAML reading that remembers where every value came from.

``load(text, file)`` returns plain Python data (dict / list / str / int / float / bool / None)
plus a ``Lines`` map from a value's path (a tuple of keys and indices) to its 1-based line, so
that every later error can name the file and line. Only YAML's safe constructors are used.
"""
from __future__ import annotations

from typing import Any

from .errors import SpecError


class Lines(dict):
    def of(self, *path) -> int | None:
        """The line of ``path``, or of its nearest located ancestor."""
        path = tuple(path)
        while path:
            if path in self:
                return self[path]
            path = path[:-1]
        return self.get((), None)


def load(text: str, file: str) -> tuple[Any, Lines]:
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise SpecError(f"invalid YAML: {problem}. Check indentation and quoting (quote expressions with ':' or '#').", file, line) from None
    lines = Lines()
    if node is None:
        raise SpecError("the file is empty; a spec needs at least id, title and parts", file, 1)
    return _convert(node, (), lines, file), lines


def _convert(node, path, lines: Lines, file: str):
    import yaml

    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise SpecError("mapping keys must be plain text", file, key_node.start_mark.line + 1)
            key = key_node.value
            if key in out:
                raise SpecError(f"duplicate key '{key}'", file, key_node.start_mark.line + 1)
            out[key] = _convert(value_node, path + (key,), lines, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(v, path + (i,), lines, file) for i, v in enumerate(node.value)]
    # scalars: resolve with the safe constructor (ints, floats, bools, null, strings)
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()
