"""Recursive-descent grammar of Cosmos SQL scalar expressions, lowest precedence first.

Precedence (low to high): `?:`, `??`, OR, AND, NOT, comparisons/IN/LIKE/BETWEEN, `|`, `^`, `&`,
shifts, `||`, `+ -`, `* / %`, unary `- + ~`, member access and indexing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NoReturn

from local_emulators.cosmos.query import ast
from local_emulators.cosmos.query.errors import QuerySyntaxError, UnsupportedQueryError
from local_emulators.cosmos.query.lexer import Kind, Token, tokenize
from local_emulators.cosmos.query.values import UNDEFINED, is_number

AGGREGATES = frozenset({"COUNT", "SUM", "AVG", "MIN", "MAX", "COUNTIF"})
# Cosmos features this emulator knowingly leaves out; named in the 400 the caller sees.
UNSUPPORTED_FUNCTIONS = frozenset({"DOCUMENTID"})
_COMPARISONS = ("=", "!=", "<>", "<", "<=", ">", ">=")
_NUMBER_CONSTANTS = {"NaN": math.nan, "Infinity": math.inf}
_CONSTANTS = {"TRUE": True, "FALSE": False, "NULL": None, "UNDEFINED": UNDEFINED}


class ExpressionParser:
    """Token cursor plus the expression grammar; the query grammar extends it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    # ------------------------------------------------------------------ cursor
    @property
    def token(self) -> Token:
        """The current token."""
        return self.tokens[self.index]

    def _peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def _advance(self) -> Token:
        token = self.token
        self.index += 1
        return token

    def _at_keyword(self, *words: str) -> bool:
        return self.token.kind is Kind.KEYWORD and self.token.value in words

    def _at_op(self, *ops: str) -> bool:
        return self.token.kind is Kind.OP and self.token.value in ops

    def _accept_keyword(self, word: str) -> bool:
        if self._at_keyword(word):
            self.index += 1
            return True
        return False

    def _accept_op(self, op: str) -> bool:
        if self._at_op(op):
            self.index += 1
            return True
        return False

    def _expect_keyword(self, word: str) -> Token:
        if not self._at_keyword(word):
            self._fail(f"expected {word}")
        return self._advance()

    def _expect_op(self, op: str) -> Token:
        if not self._at_op(op):
            self._fail(f"expected '{op}'")
        return self._advance()

    def _fail(self, expected: str, token: Token | None = None) -> NoReturn:
        token = token or self.token
        near = "end of query" if token.kind is Kind.EOF else f"'{token.text}'"
        raise QuerySyntaxError(f"Syntax error, incorrect syntax near {near}: {expected}", token.position, self.text)

    def _unsupported(self, what: str, token: Token) -> NoReturn:
        raise UnsupportedQueryError(f"Unsupported query feature: {what}", token.position, self.text)

    def _select_statement(self) -> ast.Query:
        raise NotImplementedError  # the query parser provides the statement grammar

    # ------------------------------------------------------------------ grammar
    def expression(self) -> ast.Expr:
        """Parse one scalar expression."""
        condition = self._coalesce()
        if self._at_op("?"):
            token = self._advance()
            then = self.expression()
            self._expect_op(":")
            return ast.Ternary(condition, then, self.expression(), token.position)
        return condition

    def _coalesce(self) -> ast.Expr:
        left = self._or()
        while self._at_op("??"):
            token = self._advance()
            left = ast.Binary("??", left, self._or(), token.position)
        return left

    def _or(self) -> ast.Expr:
        left = self._and()
        while self._at_keyword("OR"):
            token = self._advance()
            left = ast.Binary("OR", left, self._and(), token.position)
        return left

    def _and(self) -> ast.Expr:
        left = self._not()
        while self._at_keyword("AND"):
            token = self._advance()
            left = ast.Binary("AND", left, self._not(), token.position)
        return left

    def _not(self) -> ast.Expr:
        if self._at_keyword("NOT"):
            token = self._advance()
            return ast.Unary("NOT", self._not(), token.position)
        return self._comparison()

    def _comparison(self) -> ast.Expr:
        left = self._bit_or()
        while True:
            token = self.token
            if self._at_op(*_COMPARISONS):
                op = str(self._advance().value)
                left = ast.Binary("!=" if op == "<>" else op, left, self._bit_or(), token.position)
                continue
            negated = self._at_keyword("NOT") and self._peek().kind is Kind.KEYWORD
            if negated and self._peek().value not in ("IN", "LIKE", "BETWEEN"):
                return left
            if negated:
                self.index += 1
            if self._accept_keyword("IN"):
                left = ast.In(left, self._in_list(), negated, token.position)
            elif self._accept_keyword("BETWEEN"):
                low = self._bit_or()
                self._expect_keyword("AND")
                left = ast.Between(left, low, self._bit_or(), negated, token.position)
            elif self._accept_keyword("LIKE"):
                pattern = self._bit_or()
                escape = self._bit_or() if self._accept_keyword("ESCAPE") else None
                left = ast.Like(left, pattern, escape, negated, token.position)
            else:
                return left

    def _in_list(self) -> tuple[ast.Expr, ...]:
        self._expect_op("(")
        items = [self.expression()]
        while self._accept_op(","):
            items.append(self.expression())
        self._expect_op(")")
        return tuple(items)

    def _binary_level(self, ops: tuple[str, ...], operand: Callable[[], ast.Expr]) -> ast.Expr:
        left = operand()
        while self._at_op(*ops):
            token = self._advance()
            left = ast.Binary(str(token.value), left, operand(), token.position)
        return left

    def _bit_or(self) -> ast.Expr:
        return self._binary_level(("|",), self._bit_xor)

    def _bit_xor(self) -> ast.Expr:
        return self._binary_level(("^",), self._bit_and)

    def _bit_and(self) -> ast.Expr:
        return self._binary_level(("&",), self._shift)

    def _shift(self) -> ast.Expr:
        return self._binary_level(("<<", ">>", ">>>"), self._concat)

    def _concat(self) -> ast.Expr:
        return self._binary_level(("||",), self._additive)

    def _additive(self) -> ast.Expr:
        return self._binary_level(("+", "-"), self._multiplicative)

    def _multiplicative(self) -> ast.Expr:
        return self._binary_level(("*", "/", "%"), self._unary)

    def _unary(self) -> ast.Expr:
        if self._at_op("-", "+", "~"):
            token = self._advance()
            operand = self._unary()
            if token.value == "-" and isinstance(operand, ast.Literal) and is_number(operand.value):
                return ast.Literal(-operand.value, token.position)
            return ast.Unary(str(token.value), operand, token.position)
        return self._postfix()

    def _postfix(self) -> ast.Expr:
        expr = self._primary()
        while True:
            token = self.token
            if self._accept_op("."):
                name = self._advance()
                if name.kind not in (Kind.IDENT, Kind.KEYWORD):
                    self._fail("expected a property name", name)
                expr = ast.Member(expr, name.text, token.position)
            elif self._accept_op("["):
                index = self.expression()
                self._expect_op("]")
                if isinstance(index, ast.Literal) and isinstance(index.value, str):
                    expr = ast.Member(expr, index.value, token.position)
                else:
                    expr = ast.Index(expr, index, token.position)
            else:
                return expr

    def _primary(self) -> ast.Expr:
        token = self.token
        if token.kind in (Kind.NUMBER, Kind.STRING):
            self.index += 1
            return ast.Literal(token.value, token.position)
        if token.kind is Kind.PARAM:
            self.index += 1
            return ast.Param(str(token.value), token.position)
        if token.kind is Kind.KEYWORD and token.value in _CONSTANTS:
            self.index += 1
            return ast.Literal(_CONSTANTS[str(token.value)], token.position)
        if token.kind is Kind.KEYWORD and token.value in ("EXISTS", "ARRAY"):
            self.index += 1
            self._expect_op("(")
            query = self._select_statement()
            self._expect_op(")")
            if token.value == "EXISTS":
                return ast.Subquery("exists", query, token.position)
            return ast.Subquery("array", query, token.position)
        if token.kind is Kind.IDENT:
            return self._identifier_or_call()
        if self._accept_op("("):
            if self._at_keyword("SELECT"):
                query = self._select_statement()
                self._expect_op(")")
                return ast.Subquery("scalar", query, token.position)
            expr = self.expression()
            self._expect_op(")")
            return expr
        if self._accept_op("["):
            items = self._comma_list("]")
            return ast.ArrayLiteral(tuple(items), token.position)
        if self._accept_op("{"):
            return self._object_literal(token)
        self._fail("expected an expression")

    def _identifier_or_call(self) -> ast.Expr:
        token = self._advance()
        name = str(token.value)
        if name.lower() == "udf" and self._at_op("."):
            self.index += 1
            udf_name = self._advance()
            if udf_name.kind not in (Kind.IDENT, Kind.KEYWORD):
                self._fail("expected a user-defined function name after 'udf.'", udf_name)
            self._expect_op("(")
            return ast.Call(f"udf.{udf_name.text}", tuple(self._comma_list(")")), token.position)
        if not self._at_op("("):
            if name in _NUMBER_CONSTANTS:
                return ast.Literal(_NUMBER_CONSTANTS[name], token.position)
            return ast.Ident(name, token.position)
        upper = name.upper()
        if upper in UNSUPPORTED_FUNCTIONS:
            self._unsupported(f"function '{name}'", token)
        self.index += 1
        if upper == "COUNT" and self._at_op("*"):
            self._fail("COUNT(*) is not valid; use COUNT(1)")
        args = self._comma_list(")")
        if upper in AGGREGATES:
            if len(args) != 1:
                self._fail(f"{upper} takes exactly one argument", token)
            return ast.Aggregate(upper, args[0], token.position)
        return ast.Call(upper, tuple(args), token.position)

    def _comma_list(self, closer: str) -> list[ast.Expr]:
        items: list[ast.Expr] = []
        if self._accept_op(closer):
            return items
        items.append(self.expression())
        while self._accept_op(","):
            items.append(self.expression())
        self._expect_op(closer)
        return items

    def _object_literal(self, start: Token) -> ast.Expr:
        pairs: list[tuple[str, ast.Expr]] = []
        if not self._accept_op("}"):
            while True:
                key = self._advance()
                if key.kind not in (Kind.IDENT, Kind.STRING, Kind.KEYWORD):
                    self._fail("expected a property name", key)
                self._expect_op(":")
                pairs.append((str(key.value) if key.kind is Kind.STRING else key.text, self.expression()))
                if self._accept_op("}"):
                    break
                self._expect_op(",")
        return ast.ObjectLiteral(tuple(pairs), start.position)
