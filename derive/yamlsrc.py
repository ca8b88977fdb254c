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


MAX_BYTES = 1_000_000           # a spec or symbols file is a few kilobytes
MAX_NODES = 50_000              # values in one file
PLAIN_TAGS = {"tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")}


def load(text: str, file: str) -> tuple[Any, Lines]:
    """Parse ``text`` as plain YAML data. Anchors and aliases (``&a``, ``*a``) are refused, so an
    alias bomb or a recursive alias costs nothing; so are tags other than YAML's plain types."""
    import yaml

    if len(text) > MAX_BYTES:
        raise SpecError(f"the file is {len(text.encode('utf-8', 'replace')) / 1e6:.1f} MB; a spec is at most "
                        f"{MAX_BYTES / 1e6:g} MB", file)
    node = _compose_once(text)
    if node is _FAILED:
        node = _compose_twice(text, file)
    lines = Lines()
    if node is None:
        raise SpecError("the file is empty; a spec needs at least id, title and parts", file, 1)
    scalars = yaml.SafeLoader("")
    try:
        return _convert(node, (), lines, file, scalars), lines
    finally:
        scalars.dispose()


_FAILED = object()
_ONE_PASS = None


class _Refused(Exception):
    pass


def _compose_once(text: str):
    """The node tree in one pass of the reader, refusing aliases, anchors and too many values as
    their events go by; ``_FAILED`` if anything goes wrong, and ``_compose_twice`` then reads
    the text again as it always did, so every refusal and its message are exactly as before.
    On success the events are the ones ``_refuse_aliases`` would have checked, every one of
    them consumed (a single document through to the end of the stream)."""
    import yaml

    if getattr(yaml, "__with_libyaml__", False) and "\t" not in text:
        return _compose_libyaml(text)
    global _ONE_PASS
    if _ONE_PASS is None:
        class OnePass(yaml.SafeLoader):
            events = 0

            def get_event(self):
                event = super().get_event()
                self.events += 1
                if self.events > MAX_NODES or isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                    raise _Refused
                return event

        _ONE_PASS = OnePass
    try:
        loader = _ONE_PASS(text)            # the reader checks the characters here
    except yaml.YAMLError:
        return _FAILED
    try:
        return loader.get_single_node()
    except (yaml.YAMLError, _Refused):
        return _FAILED
    finally:
        loader.dispose()


def _compose_libyaml(text: str):
    """``_compose_once`` with libyaml's parser (PyYAML's C extension, ten times faster than its
    pure-Python reader): the events are checked as ``_refuse_aliases`` checks them, then the
    text is composed with the same safe resolver, so the nodes (tags, values, lines) are those
    of the pure-Python composer. ``_FAILED`` on any refusal or error, and ``_compose_twice``
    then reads the text with the pure-Python reader, so every message is as before. Not used
    for a text with a tab: libyaml accepts a tab where PyYAML's reader refuses it ('a:<tab>b')."""
    import yaml

    try:
        count = 0
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            count += 1
            if count > MAX_NODES or isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return _FAILED
        return yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return _FAILED


def _compose_twice(text: str, file: str):
    """Check every event (``_refuse_aliases``), then compose: the reading whose errors are reported."""
    import yaml

    try:
        _refuse_aliases(text, file)
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise SpecError(f"invalid YAML: {problem}. Check indentation and quoting (quote expressions with ':' or '#').", file, line) from None


def _refuse_aliases(text: str, file: str) -> None:
    import yaml

    count = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        count += 1
        if count > MAX_NODES:
            raise SpecError(f"the file holds more than {MAX_NODES} values", file)
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor:
            raise SpecError(f"YAML anchors and aliases (&{anchor or 'name'}, *{anchor or 'name'}) are not allowed; "
                            "write the value out in full", file, event.start_mark.line + 1)


def _convert(node, path, lines: Lines, file: str, scalars):
    import yaml

    lines[path] = node.start_mark.line + 1
    if node.tag not in PLAIN_TAGS:
        raise SpecError(f"the YAML tag '{node.tag}' is not allowed; a spec holds plain text, numbers, lists and "
                        "mappings only", file, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise SpecError("mapping keys must be plain text", file, key_node.start_mark.line + 1)
            key = key_node.value
            if key in out:
                raise SpecError(f"duplicate key '{key}'", file, key_node.start_mark.line + 1)
            out[key] = _convert(value_node, path + (key,), lines, file, scalars)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(v, path + (i,), lines, file, scalars) for i, v in enumerate(node.value)]
    if node.tag.endswith(":timestamp"):
        return node.value  # a date stays the text it was written as
    # scalars: resolve with the safe constructor (ints, floats, bools, null, strings), one per file
    return scalars.construct_object(node, deep=True)
