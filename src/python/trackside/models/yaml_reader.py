"""Reads the YAML of MLmodel files (what PyYAML's ``safe_dump`` writes), standard library only.

Uses PyYAML when it is installed. Otherwise a small reader covers what MLflow writes: block mappings
and sequences, ``{}``/``[]`` and short flow collections, plain scalars, single- and double-quoted
scalars folded over several lines (PyYAML wraps long signature strings at 80 columns), ``|``/``>``
block scalars and comments. Anything else raises ``ValueError`` naming the line.
"""

import json
import re

_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$")
_KEY = re.compile(r"^((?:'(?:[^']|'')*'|\"(?:[^\"\\]|\\.)*\"|[^'\"#][^#]*?)):(?:\s+|$)(.*)$")


def load_yaml(text):
    """The document as dicts, lists and scalars."""
    try:
        import yaml  # PyYAML, when present, reads everything MLflow writes.

        return yaml.safe_load(text)
    except ImportError:
        pass
    return _Reader(text).document()


def _plain(text):
    value = text.strip()
    if value in ("", "~", "null", "Null", "NULL"):
        return None
    if value in ("true", "True", "TRUE"):
        return True
    if value in ("false", "False", "FALSE"):
        return False
    if _INT.match(value):
        return int(value.replace("_", ""))
    if _FLOAT.match(value) and any(c.isdigit() for c in value):
        return float(value.replace("_", ""))
    if value in (".inf", "+.inf", ".Inf"):
        return float("inf")
    if value in ("-.inf", "-.Inf"):
        return float("-inf")
    if value in (".nan", ".NaN", ".NAN"):
        return float("nan")
    return value


def _strip_comment(text):
    """The text before a `` #`` comment outside quotes."""
    quote = None
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"" and (index == 0 or text[index - 1] in " [{,:"):
            quote = char
        elif char == "#" and (index == 0 or text[index - 1] in " \t"):
            return text[:index].rstrip()
    return text.rstrip()


class _Reader(object):
    def __init__(self, text):
        self.lines = text.replace("\r\n", "\n").split("\n")
        self.index = 0

    def error(self, message):
        return ValueError("MLmodel YAML line {}: {}".format(self.index + 1, message))

    # ---- lines ------------------------------------------------------------------------------

    def skip_blank(self):
        while self.index < len(self.lines):
            stripped = self.lines[self.index].strip()
            if stripped and not stripped.startswith("#") and stripped not in ("---", "..."):
                return
            self.index += 1

    def indent_here(self):
        self.skip_blank()
        if self.index >= len(self.lines):
            return -1
        line = self.lines[self.index]
        return len(line) - len(line.lstrip(" "))

    def document(self):
        if self.indent_here() < 0:
            return None
        value = self.block(self.indent_here())
        if self.indent_here() >= 0:
            raise self.error("unexpected content")
        return value

    # ---- blocks -----------------------------------------------------------------------------

    def block(self, indent):
        line = self.lines[self.index].strip()
        if line == "-" or line.startswith("- "):
            return self.sequence(indent)
        if _KEY.match(line):
            return self.mapping(indent)
        return self.scalar_lines(line, indent)

    def mapping(self, indent):
        result = {}
        while self.indent_here() == indent:
            line = self.lines[self.index].strip()
            match = _KEY.match(line)
            if not match or line.startswith("- "):
                break
            key = self.inline(match.group(1).strip())
            rest = match.group(2)
            self.index += 1
            result[key] = self.value_after(rest, indent, sequence_at_same_indent=True)
        return result

    def sequence(self, indent):
        result = []
        while self.indent_here() == indent:
            line = self.lines[self.index]
            stripped = line.strip()
            if not (stripped == "-" or stripped.startswith("- ")):
                break
            rest = stripped[1:].lstrip(" ")
            if rest and (_KEY.match(rest) or rest.startswith("- ")) and not rest[0] in "'\"[{":
                # "- key: value" starts a mapping (or a nested sequence) indented past the dash.
                inner = indent + (len(stripped) - len(rest))
                self.lines[self.index] = " " * inner + rest
                result.append(self.block(inner))
            else:
                self.index += 1
                result.append(self.value_after(rest, indent, sequence_at_same_indent=False))
        return result

    def value_after(self, rest, indent, sequence_at_same_indent):
        rest = _strip_comment(rest) if rest[:1] not in ("'", '"') else rest
        if rest in ("|", ">", "|-", ">-", "|+", ">+"):
            return self.block_scalar(rest, indent)
        if rest:
            if rest[0] in "'\"":
                return self.quoted(rest, indent)
            return self.continued_plain(rest, indent)
        child = self.indent_here()
        if child > indent:
            return self.block(child)
        if sequence_at_same_indent and child == indent and self.lines[self.index].strip()[:2] in ("- ", "-"):
            return self.sequence(indent)
        return None

    def continued_plain(self, rest, indent):
        parts = [rest]
        while self.index < len(self.lines):
            line = self.lines[self.index]
            stripped = line.strip()
            if not stripped or len(line) - len(line.lstrip(" ")) <= indent or stripped.startswith("#"):
                break
            parts.append(_strip_comment(stripped))
            self.index += 1
        return self.inline(" ".join(parts))

    def scalar_lines(self, line, indent):
        self.index += 1
        if line[0] in "'\"":
            return self.quoted(line, indent - 1)
        return self.continued_plain(line, indent - 1)

    def quoted(self, rest, indent):
        quote = rest[0]
        text = rest
        while not self._closed(text, quote):
            if self.index >= len(self.lines):
                raise self.error("unterminated quoted string")
            text += "\n" + self.lines[self.index].strip()
            self.index += 1
        end = self._closing_index(text, quote)
        tail = _strip_comment(text[end + 1:]).strip()
        if tail:
            raise self.error("unexpected text after a quoted string: " + tail)
        body = self._fold(text[1:end])
        if quote == "'":
            return body.replace("''", "'")
        return _unescape_double(body)

    @staticmethod
    def _fold(text):
        """YAML line folding: a single line break becomes a space, n breaks become n-1 newlines."""
        lines = text.split("\n")
        out = lines[0]
        empties = 0
        last = len(lines) - 1
        for position, line in enumerate(lines[1:], 1):
            if line == "" and position != last:
                empties += 1
                continue
            if out.endswith("\\") and not out.endswith("\\\\"):
                out = out[:-1] + ("\n" * empties) + line
            else:
                out += ("\n" * empties) if empties else " "
                out += line
            empties = 0
        return out

    @staticmethod
    def _closing_index(text, quote):
        index = 1
        while index < len(text):
            char = text[index]
            if quote == "'" and char == "'":
                if index + 1 < len(text) and text[index + 1] == "'":
                    index += 2
                    continue
                return index
            if quote == '"':
                if char == "\\":
                    index += 2
                    continue
                if char == '"':
                    return index
            index += 1
        return -1

    def _closed(self, text, quote):
        return self._closing_index(text, quote) >= 0

    def block_scalar(self, header, indent):
        lines = []
        child = None
        while self.index < len(self.lines):
            line = self.lines[self.index]
            if line.strip() == "":
                lines.append("")
                self.index += 1
                continue
            current = len(line) - len(line.lstrip(" "))
            if current <= indent:
                break
            child = current if child is None else child
            lines.append(line[child:])
            self.index += 1
        while lines and lines[-1] == "":
            lines.pop()
        text = "\n".join(lines) if header[0] == "|" else " ".join(lines)
        return text if header.endswith("-") else text + "\n"

    # ---- inline values ----------------------------------------------------------------------

    def inline(self, text):
        text = text.strip()
        if not text:
            return None
        if text[0] in "'\"":
            end = self._closing_index(text, text[0])
            body = text[1:end]
            return body.replace("''", "'") if text[0] == "'" else _unescape_double(body)
        if text[0] in "[{":
            return self.flow(text)
        return _plain(text)

    def flow(self, text):
        if text in ("[]", "{}"):
            return [] if text == "[]" else {}
        try:
            return json.loads(text)
        except ValueError:
            pass
        inner = text[1:-1]
        items = [self.inline(part) for part in _split_top(inner)] if inner.strip() else []
        if text[0] == "[":
            return items
        result = {}
        for part in _split_top(inner):
            key, _, value = part.partition(":")
            result[self.inline(key)] = self.inline(value)
        return result


_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
            "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
            "P": "\u2029"}
_HEX_LENGTH = {"x": 2, "u": 4, "U": 8}


def _unescape_double(body):
    """A double-quoted scalar's escapes (YAML's set: \\xNN, \\uNNNN, \\UNNNNNNNN, \\N, \\_, ...)."""
    out = []
    index = 0
    while index < len(body):
        char = body[index]
        if char != "\\":
            out.append(char)
            index += 1
            continue
        code = body[index + 1:index + 2]
        if code in _HEX_LENGTH:
            length = _HEX_LENGTH[code]
            out.append(chr(int(body[index + 2:index + 2 + length], 16)))
            index += 2 + length
        elif code in _ESCAPES:
            out.append(_ESCAPES[code])
            index += 2
        else:
            raise ValueError("MLmodel YAML: unknown escape \\" + code)
    return "".join(out)


def _split_top(text):
    parts, depth, quote, current = [], 0, None, ""
    for char in text:
        if quote:
            current += char
            if char == quote:
                quote = None
            continue
        if char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    if current.strip():
        parts.append(current)
    return parts
