"""Tokenizer for Cosmos SQL: keywords are case-insensitive, identifiers keep their case."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from local_emulators.cosmos.query.errors import QuerySyntaxError

KEYWORDS = frozenset(
    {
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "BETWEEN", "LIKE", "ESCAPE", "AS", "VALUE",
        "TOP", "DISTINCT", "ORDER", "BY", "ASC", "DESC", "OFFSET", "LIMIT", "GROUP", "JOIN", "EXISTS",
        "ARRAY", "TRUE", "FALSE", "NULL", "UNDEFINED",
    }
)  # fmt: skip

# Longest first, so that `<=` wins over `<` and `>>>` over `>>`.
OPERATORS = (
    ">>>", "<<", ">>", "<=", ">=", "<>", "!=", "||", "??",
    "=", "<", ">", "+", "-", "*", "/", "%", "|", "&", "^", "~", "?", ":", ".", ",", "(", ")", "[", "]", "{", "}",
)  # fmt: skip

_ESCAPES = {"'": "'", '"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class Kind(enum.Enum):
    """Token categories."""

    KEYWORD = "keyword"
    IDENT = "identifier"
    PARAM = "parameter"
    NUMBER = "number"
    STRING = "string"
    OP = "operator"
    EOF = "end of query"


@dataclass(frozen=True, slots=True)
class Token:
    """One token: `value` is the upper-cased keyword, the operator, the decoded string or the number."""

    kind: Kind
    value: str | int | float
    text: str
    position: int


def tokenize(text: str) -> list[Token]:
    """Split a query into tokens, ending with an EOF token.

    Raises:
        QuerySyntaxError: On a character that starts no token or an unterminated string.
    """
    tokens: list[Token] = []
    pos, size = 0, len(text)
    while pos < size:
        char = text[pos]
        if char.isspace():
            pos += 1
        elif text.startswith("--", pos):
            end = text.find("\n", pos)
            pos = size if end < 0 else end
        elif text.startswith("/*", pos):
            end = text.find("*/", pos + 2)
            if end < 0:
                raise QuerySyntaxError("Unterminated comment", pos, text)
            pos = end + 2
        elif char.isalpha() or char == "_":
            end = _scan_word(text, pos)
            word = text[pos:end]
            upper = word.upper()
            kind = Kind.KEYWORD if upper in KEYWORDS else Kind.IDENT
            tokens.append(Token(kind, upper if kind is Kind.KEYWORD else word, word, pos))
            pos = end
        elif char == "@":
            end = _scan_word(text, pos + 1)
            if end == pos + 1:
                raise QuerySyntaxError("Expected a parameter name after '@'", pos, text)
            tokens.append(Token(Kind.PARAM, text[pos:end], text[pos:end], pos))
            pos = end
        elif char in _DIGITS or (char == "." and pos + 1 < size and text[pos + 1] in _DIGITS):
            pos = _scan_number(text, pos, tokens)
        elif char in "'\"":
            pos = _scan_string(text, pos, tokens)
        else:
            for op in OPERATORS:
                if text.startswith(op, pos):
                    tokens.append(Token(Kind.OP, op, op, pos))
                    pos += len(op)
                    break
            else:
                raise QuerySyntaxError(f"Unexpected character {char!r}", pos, text)
    tokens.append(Token(Kind.EOF, "", "", size))
    return tokens


_DIGITS = frozenset("0123456789")  # str.isdigit() also accepts "١" or "²", which the service does not


def _scan_word(text: str, pos: int) -> int:
    while pos < len(text) and (text[pos].isalnum() or text[pos] == "_"):
        pos += 1
    return pos


def _scan_number(text: str, start: int, tokens: list[Token]) -> int:
    pos, size = start, len(text)
    if text.startswith(("0x", "0X"), pos):
        pos += 2
        while pos < size and text[pos] in "0123456789abcdefABCDEF":
            pos += 1
        tokens.append(Token(Kind.NUMBER, int(text[start + 2 : pos], 16), text[start:pos], start))
        return pos
    while pos < size and text[pos] in _DIGITS:
        pos += 1
    is_float = False
    if pos < size and text[pos] == ".":
        is_float = True
        pos += 1
        while pos < size and text[pos] in _DIGITS:
            pos += 1
    if pos < size and text[pos] in "eE":
        after = pos + 1
        if after < size and text[after] in "+-":
            after += 1
        if after < size and text[after] in _DIGITS:
            is_float = True
            pos = after
            while pos < size and text[pos] in _DIGITS:
                pos += 1
    literal = text[start:pos]
    if pos < size and (text[pos].isdigit() or text[pos].isalpha()):
        # A number glued to a non-ASCII digit ("1١") or a letter is not a number the service reads.
        raise QuerySyntaxError(f"Malformed number starting {literal!r}", start, text)
    number: int | float = float(literal) if is_float or len(literal) > 300 else int(literal)
    if not math.isfinite(number):
        raise QuerySyntaxError(f"The number {literal[:40]} is outside the range of a double", start, text)
    tokens.append(Token(Kind.NUMBER, number, literal, start))
    return pos


def _scan_string(text: str, start: int, tokens: list[Token]) -> int:
    quote, pos, size = text[start], start + 1, len(text)
    chars: list[str] = []
    while pos < size:
        char = text[pos]
        if char == quote:
            tokens.append(Token(Kind.STRING, "".join(chars), text[start : pos + 1], start))
            return pos + 1
        if char == "\\":
            if pos + 1 >= size:
                break
            code = text[pos + 1]
            if code == "u":
                digits = text[pos + 2 : pos + 6]
                if len(digits) != 4 or any(d not in "0123456789abcdefABCDEF" for d in digits):
                    raise QuerySyntaxError("Invalid \\u escape in string literal", pos, text)
                chars.append(chr(int(digits, 16)))
                pos += 6
                continue
            if code not in _ESCAPES:
                raise QuerySyntaxError(f"Invalid escape '\\{code}' in string literal", pos, text)
            chars.append(_ESCAPES[code])
            pos += 2
            continue
        chars.append(char)
        pos += 1
    raise QuerySyntaxError("Unterminated string literal", start, text)
