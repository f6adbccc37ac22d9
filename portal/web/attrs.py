"""Extra HTML attributes for the form macros, built safely (never escaped as text into a tag).

``attributes({"autocomplete": "username", "autofocus": True, "maxlength": 200})`` gives
`` autocomplete="username" autofocus maxlength="200"``: names are checked, values escaped, True
is a bare boolean attribute, None and False leave the attribute out. A string in the old form
(``'autocomplete="username" autofocus'``) is parsed into the same pairs, so its quotes are never
turned into ``&#34;`` by autoescaping.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from markupsafe import Markup

_NAME = re.compile(r"^[a-zA-Z_:][-a-zA-Z0-9_:.]*$")
_PAIR = re.compile(r"""\s*([^\s=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


def parse(text: str) -> dict[str, str | bool]:
    """``'a="1" b'`` -> ``{"a": "1", "b": True}``."""
    found: dict[str, str | bool] = {}
    position = 0
    text = text.strip()
    while position < len(text):
        match = _PAIR.match(text, position)
        if match is None or match.end() == position:
            raise ValueError(f"cannot read HTML attributes from {text!r}")
        name = match.group(1)
        value = next((g for g in match.group(2, 3, 4) if g is not None), None)
        found[name] = True if value is None else value
        position = match.end()
    return found


def attributes(value: Mapping[str, object] | str | None) -> Markup:
    """The attributes as markup, each preceded by a space (empty for None or {})."""
    if not value:
        return Markup("")
    pairs = parse(value) if isinstance(value, str) else dict(value)
    parts: list[Markup] = []
    for name, item in pairs.items():
        if not _NAME.match(name):
            raise ValueError(f"not an HTML attribute name: {name!r}")
        if item is None or item is False:
            continue
        if item is True:
            parts.append(Markup(" {}").format(name))
        else:
            parts.append(Markup(' {}="{}"').format(name, str(item)))
    return Markup("").join(parts)
