"""YAML from elsewhere (codebooks, front matter, terms in a .qdc) → plain data, refusing anchors and aliases.

A YAML alias repeats a node without repeating its text: nine lines of `&a [*b, *b, …]` make a list
of billions of items, which fills the memory as soon as anything walks it. qcode's own YAML never
holds an anchor, and a codebook or front matter has no need of one, so the loader refuses them where
they start: the error names the line, like any YAML syntax error. So is nesting deeper than
MAX_DEPTH, which would otherwise overflow PyYAML's recursive composer (a RecursionError).
"""

from __future__ import annotations

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

MAX_DEPTH = 50          # a codebook nests 4 levels (codes, a code, terms, a language); front matter 1-2
MAX_DIGITS = 100        # an integer longer than this is no version or count (Python refuses past 4,300 digits)


class YamlRefused(ComposerError):
    """An anchor (`&name`), an alias (`*name`) or too deep a nesting in YAML qcode reads from a stranger."""


class NoAliasLoader(yaml.SafeLoader):
    """yaml.SafeLoader that raises YamlRefused at the first anchor or alias, or beyond MAX_DEPTH levels."""

    depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
            raise YamlRefused(None, None, f"YAML anchors and aliases ({sign}{event.anchor}) are not accepted",
                              event.start_mark)
        if self.depth >= MAX_DEPTH:
            raise YamlRefused(None, None, f"YAML nested more than {MAX_DEPTH} levels deep is not accepted",
                              event.start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def load(text: str):
    """`yaml.safe_load` without anchors, aliases or deep nesting; raises yaml.YAMLError (YamlRefused for those)."""
    return yaml.load(text, Loader=NoAliasLoader)  # noqa: S506 - a SafeLoader subclass


def _bounded_int(loader: NoAliasLoader, node):
    """A YAML integer, refused (as a YAML error naming the line) when longer than MAX_DIGITS: Python's int() of
    a 5,000-digit number raises ValueError, which no YAML reader would expect."""
    if len(node.value) > MAX_DIGITS:
        raise ConstructorError(None, None, f"a number of {len(node.value):,} digits is not accepted", node.start_mark)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


NoAliasLoader.add_constructor("tag:yaml.org,2002:int", _bounded_int)
