"""A tiny YAML writer for dicts, lists and scalars (``log_dict`` to ``.yaml``), in PyYAML's block style.

Strings that YAML would read as something else (``yes``, ``null``, ``1.0``, ``'a: b'``, ...) are quoted, so
``yaml.safe_load(to_yaml(x)) == x`` for JSON-like data. Tuples are written as lists; other objects by
``str()``.
"""

import json
import math
import re

_RESERVED = re.compile(
    r"^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|=|<<)$"
)
_NUMBER_LIKE = re.compile(r"^[-+]?(?:[0-9._:]|\.(?:inf|Inf|INF|nan|NaN|NAN)$)")
_PLAIN_FIRST = set("-?:,[]{}#&*!|>'\"%@`")


def _scalar(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        return text if ("." in text or "e" in text or "n" in text) else text + ".0"
    return _string(value if isinstance(value, str) else str(value))


def _string(text):
    if text == "":
        return "''"
    if any(ch < " " and ch != "\t" or ch in "\x7f\u2028\u2029\ufeff" for ch in text) or "\t" in text:
        return json.dumps(text, ensure_ascii=False)
    needs_quotes = (
        text[0] in _PLAIN_FIRST
        or text != text.strip()
        or ": " in text
        or " #" in text
        or text.endswith(":")
        or _RESERVED.match(text)
        or _NUMBER_LIKE.match(text)
    )
    if needs_quotes:
        return "'" + text.replace("'", "''") + "'"
    return text


def _is_collection(value):
    return isinstance(value, (dict, list, tuple)) and len(value) > 0


def _lines(value, indent, sort_keys):
    """YAML lines for a non-empty collection, each already indented by ``indent`` spaces."""
    pad = " " * indent
    out = []
    if isinstance(value, dict):
        keys = sorted(value, key=str) if sort_keys else list(value)
        for key in keys:
            item = value[key]
            label = pad + _scalar(key) + ":"
            if isinstance(item, dict) and item:
                out.append(label)
                out.extend(_lines(item, indent + 2, sort_keys))
            elif isinstance(item, (list, tuple)) and item:
                # PyYAML writes a mapping's sequence at the mapping's own indent.
                out.append(label)
                out.extend(_lines(item, indent, sort_keys))
            else:
                out.append(label + " " + _inline(item))
        return out
    for item in value:
        if _is_collection(item):
            nested = _lines(item, indent + 2, sort_keys)
            out.append(pad + "- " + nested[0][indent + 2:])
            out.extend(nested[1:])
        else:
            out.append(pad + "- " + _inline(item))
    return out


def _inline(value):
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, (list, tuple)):
        return "[]"
    return _scalar(value)


def to_yaml(value, sort_keys=False):
    """The YAML document for ``value`` (ends with a newline)."""
    if _is_collection(value):
        return "\n".join(_lines(value, 0, sort_keys)) + "\n"
    return _inline(value) + "\n"
