"""Reads loan files (YAML) into plain values plus the line of every field.

The loader resolves only null, booleans and integers: dates and decimals stay text so the
domain parses them exactly (no float money, no crash on 2026-13-45), and every problem can
name its line. Anchors (`&a`) and aliases (`*a`) are refused at the line of the first one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from creditmend.domain.problems import Problem, ProblemsError


class _PlainLoader(yaml.SafeLoader):
    """SafeLoader that resolves only null, true/false and decimal integers, and refuses anchors
    and aliases: a loan or plan file is data, not an object graph, and nested aliases (a
    "billion laughs") would expand into a tree too big to walk."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            line = event.start_mark.line + 1 if event.start_mark is not None else None
            problem = Problem("file", "YAML anchors and aliases are not accepted", line)
            raise ProblemsError((problem,))
        return super().compose_node(parent, index)


# YAML 1.1 also reads on/off/yes/no as booleans, which would turn the event key `on` into True.
_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_PlainLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_PlainLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)


_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


def read_yaml_with_lines(path: Path) -> tuple[Any, dict[str, int]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProblemsError((Problem("file", f"cannot read {path}: {error.strerror}"),)) from None
    except UnicodeDecodeError:
        raise ProblemsError((Problem("file", f"{path} is not UTF-8 text"),)) from None
    try:
        node = yaml.compose(text, Loader=_PlainLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(error, "problem", None) or "not valid YAML"
        raise ProblemsError((Problem("file", f"not valid YAML: {reason}", line),)) from None
    except RecursionError:
        raise _too_deep() from None
    lines: dict[str, int] = {}
    if node is None:
        return None, lines
    try:
        return _value(node, "", lines, _PlainLoader("")), lines
    except RecursionError:
        raise _too_deep() from None


def _too_deep() -> ProblemsError:
    """Nesting deeper than Python recurses, when reading or when walking the document."""
    return ProblemsError((Problem("file", "nested too deeply to be a loan or plan file"),))


def _value(
    node: yaml.Node, path: str, lines: dict[str, int], loader: _PlainLoader, at: int | None = None
) -> Any:
    """The plain value of `node`, recording in `lines` the line of `path` and of every path under
    it: a mapping entry's line is its key's (`at`), where an unknown or misplaced key is seen,
    even when its value (a nested mapping or list) starts on the next line."""
    line = node.start_mark.line + 1
    if path:
        lines[path] = at or line
    where = path or "file"
    if node.tag not in _PLAIN_TAGS:
        raise ProblemsError((Problem(where, f"the tag {node.tag} is not allowed here", line),))
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(_scalar(key_node, where, loader))
            if key in result:
                problem = Problem(
                    f"{path}.{key}" if path else key, "appears twice", key_node.start_mark.line + 1
                )
                raise ProblemsError((problem,))
            result[key] = _value(
                value_node,
                f"{path}.{key}" if path else key,
                lines,
                loader,
                key_node.start_mark.line + 1,
            )
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _value(item, f"{path}[{index}]", lines, loader) for index, item in enumerate(node.value)
        ]
    return _scalar(node, where, loader)


def _scalar(node: yaml.Node, where: str, loader: _PlainLoader) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise ProblemsError((Problem(where, "a key must be plain text", node.start_mark.line + 1),))
    try:
        return loader.construct_object(node)
    except (yaml.YAMLError, ValueError) as error:
        raise ProblemsError(
            (Problem(where, f"cannot read: {error}", node.start_mark.line + 1),)
        ) from None
