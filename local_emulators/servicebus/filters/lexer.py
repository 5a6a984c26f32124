"""Split a SQL filter expression into tokens, keeping each token's position for error messages."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from local_emulators.servicebus.filters.errors import FilterSyntaxError

INT64_MAX = 2**63 - 1


class Kind(enum.Enum):
    """Token kinds."""

    KEYWORD = "keyword"
    IDENTIFIER = "identifier"
    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    PARAMETER = "parameter"
    OPERATOR = "operator"
    END = "end of expression"


KEYWORDS = frozenset({"AND", "OR", "NOT", "IN", "LIKE", "ESCAPE", "IS", "NULL", "EXISTS", "TRUE", "FALSE"})

# Longest first, so `<=` is not read as `<` then `=`.
OPERATORS = ("<>", "!=", ">=", "<=", "=", ">", "<", "+", "-", "*", "/", "%", "(", ")", ",", ".", ";")


@dataclass(frozen=True)
class Token:
    """One token.

    Attributes:
        kind: What sort of token it is.
        text: Keywords upper-cased, identifiers and strings unquoted, operators as written.
        position: Zero-based offset of the token's first character in the expression.
        value: The number for INTEGER and DECIMAL tokens.
        delimited: True for a `[bracketed]` or `"quoted"` name, which is never a keyword or a scope.
    """

    kind: Kind
    text: str
    position: int
    value: int | float | None = None
    delimited: bool = False

    def describe(self) -> str:
        """Name the token the way an error message should."""
        if self.kind is Kind.END:
            return "end of expression"
        if self.kind is Kind.STRING:
            return f"string '{self.text}'"
        return f"'{self.text}'"


def tokenize(expression: str) -> list[Token]:
    """Split an expression into tokens, ending with an END token.

    Args:
        expression: The SQL filter text.

    Returns:
        The tokens in order.

    Raises:
        FilterSyntaxError: On a character that starts no token, or an unterminated string/name.
    """
    return list(_Lexer(expression).tokens())


class _Lexer:
    def __init__(self, expression: str) -> None:
        self.text = expression
        self.pos = 0

    def fail(self, reason: str, position: int) -> FilterSyntaxError:
        return FilterSyntaxError(reason, self.text, position)

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        text = self.text
        while True:
            while self.pos < len(text) and text[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(text):
                out.append(Token(Kind.END, "", self.pos))
                return out
            char = text[self.pos]
            if char == "'":
                out.append(self.delimited(Kind.STRING, "'", "'", "string"))
            elif char == "[":
                out.append(self.delimited(Kind.IDENTIFIER, "[", "]", "bracketed name"))
            elif char == '"':
                out.append(self.delimited(Kind.IDENTIFIER, '"', '"', "quoted name"))
            elif char.isdigit() or (char == "." and text[self.pos + 1 : self.pos + 2].isdigit()):
                out.append(self.number())
            elif char.isalpha() or char == "_":
                out.append(self.word())
            elif char == "@":
                start = self.pos
                self.pos += 1
                name = self.word_text()
                if not name:
                    raise self.fail("expected a parameter name after '@'", start)
                out.append(Token(Kind.PARAMETER, "@" + name, start))
            else:
                out.append(self.operator())

    def delimited(self, kind: Kind, opening: str, closing: str, what: str) -> Token:
        # A doubled closing character stands for itself, as in SQL.
        start = self.pos
        self.pos += 1
        parts: list[str] = []
        while True:
            end = self.text.find(closing, self.pos)
            if end < 0:
                raise self.fail(f"unterminated {what}", start)
            parts.append(self.text[self.pos : end])
            if self.text.startswith(closing * 2, end):
                parts.append(closing)
                self.pos = end + 2
                continue
            self.pos = end + 1
            return Token(kind, "".join(parts), start, delimited=kind is Kind.IDENTIFIER)

    def number(self) -> Token:
        start = self.pos
        text = self.text
        while self.pos < len(text) and text[self.pos].isdigit():
            self.pos += 1
        is_decimal = False
        if self.pos < len(text) and text[self.pos] == ".":
            is_decimal = True
            self.pos += 1
            while self.pos < len(text) and text[self.pos].isdigit():
                self.pos += 1
        if self.pos < len(text) and text[self.pos] in "eE":
            exponent = self.pos + 1
            if exponent < len(text) and text[exponent] in "+-":
                exponent += 1
            if exponent < len(text) and text[exponent].isdigit():
                is_decimal = True
                self.pos = exponent
                while self.pos < len(text) and text[self.pos].isdigit():
                    self.pos += 1
            else:
                raise self.fail("malformed exponent in number", start)
        if self.pos < len(text) and (text[self.pos].isalpha() or text[self.pos] == "_"):
            raise self.fail("a number must not run into a name", start)
        literal = text[start : self.pos]
        if is_decimal:
            return Token(Kind.DECIMAL, literal, start, float(literal))
        # Integer constants are Int64 in Service Bus.
        value = int(literal)
        if value > INT64_MAX:
            raise self.fail("integer constant out of the Int64 range", start)
        return Token(Kind.INTEGER, literal, start, value)

    def word_text(self) -> str:
        start = self.pos
        text = self.text
        while self.pos < len(text) and (text[self.pos].isalnum() or text[self.pos] == "_"):
            self.pos += 1
        return text[start : self.pos]

    def word(self) -> Token:
        start = self.pos
        word = self.word_text()
        if word.upper() in KEYWORDS:
            return Token(Kind.KEYWORD, word.upper(), start)
        return Token(Kind.IDENTIFIER, word, start)

    def operator(self) -> Token:
        for operator in OPERATORS:
            if self.text.startswith(operator, self.pos):
                token = Token(Kind.OPERATOR, operator, self.pos)
                self.pos += len(operator)
                return token
        raise self.fail(f"unexpected character {self.text[self.pos]!r}", self.pos)
