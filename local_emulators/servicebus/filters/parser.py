"""Recursive-descent parser from SQL filter and rule action tokens to the syntax tree.

A rule action is a sequence of `SET property = expression` / `REMOVE property` statements, each
optionally ended by `;` (a `,` is accepted too), over the same expressions as filters.

Precedence, loosest first: OR, AND, NOT, the condition operators (comparisons, IN, LIKE, IS NULL),
`+ -`, `* / %`, unary `+ -`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from local_emulators.servicebus.filters import syntax_tree as st
from local_emulators.servicebus.filters.errors import FilterSyntaxError
from local_emulators.servicebus.filters.lexer import Kind, Token, tokenize
from local_emulators.servicebus.filters.message_view import SETTABLE_SYSTEM_PROPERTIES, canonical_system_property

_COMPARISONS = frozenset({"=", "<>", "!=", ">", ">=", "<", "<="})
_FUNCTIONS = {"newid": "newid", "property": "property", "p": "property"}
_PARAMETER_TYPES = (str, int, float, bool)


def parse(expression: str, parameters: Mapping[str, Any] | None = None) -> st.Predicate:
    """Parse a SQL filter expression into a predicate tree.

    Args:
        expression: The filter text.
        parameters: Values for `@name` placeholders (keys with or without the `@`).

    Returns:
        The root predicate.

    Raises:
        FilterSyntaxError: If the text does not parse, or names an unknown system property,
            function or parameter.
    """
    return _Parser(expression, parameters or {}).parse_filter()


def parse_action(text: str, parameters: Mapping[str, Any] | None = None) -> tuple[st.Statement, ...]:
    """Parse a rule action into its statements.

    Args:
        text: The action, e.g. `SET sys.Label = 'routed'; REMOVE temp`.
        parameters: Values for `@name` placeholders.

    Raises:
        FilterSyntaxError: If the text does not parse, sets a read-only system property or removes a
            system property.
    """
    return _Parser(text, parameters or {}).parse_statements()


class _Parser:
    def __init__(self, expression: str, parameters: Mapping[str, Any]) -> None:
        self.expression = expression
        self.tokens = tokenize(expression)
        self.index = 0
        self.parameters = {key.lstrip("@").lower(): value for key, value in parameters.items()}

    # -- token helpers
    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not Kind.END:
            self.index += 1
        return token

    def at(self, kind: Kind, text: str | None = None) -> bool:
        token = self.current
        return token.kind is kind and (text is None or token.text == text)

    def accept(self, kind: Kind, text: str) -> Token | None:
        return self.advance() if self.at(kind, text) else None

    def expect(self, kind: Kind, text: str, what: str | None = None) -> Token:
        if not self.at(kind, text):
            raise self.fail(f"expected {what or repr(text)} but found {self.current.describe()}")
        return self.advance()

    def fail(self, reason: str, position: int | None = None) -> FilterSyntaxError:
        where = self.current.position if position is None else position
        return FilterSyntaxError(reason, self.expression, where)

    def predicate(self, node: st.Node) -> st.Predicate:
        if not st.is_predicate(node):
            raise self.fail("expected a condition, not a value", node.position)
        return node  # type: ignore[return-value]

    def value(self, node: st.Node) -> st.Expression:
        if st.is_predicate(node) and not isinstance(node, st.Constant):
            raise self.fail("expected a value, not a condition", node.position)
        return node  # type: ignore[return-value]

    # -- grammar
    def parse_filter(self) -> st.Predicate:
        if self.at(Kind.END):
            raise self.fail("empty filter expression")
        root = self.or_expression()
        if not self.at(Kind.END):
            raise self.fail(f"unexpected {self.current.describe()}")
        return self.predicate(root)

    def or_expression(self) -> st.Node:
        left = self.and_expression()
        while token := self.accept(Kind.KEYWORD, "OR"):
            right = self.and_expression()
            left = st.Logical("OR", self.predicate(left), self.predicate(right), token.position)
        return left

    def and_expression(self) -> st.Node:
        left = self.not_expression()
        while token := self.accept(Kind.KEYWORD, "AND"):
            right = self.not_expression()
            left = st.Logical("AND", self.predicate(left), self.predicate(right), token.position)
        return left

    def not_expression(self) -> st.Node:
        if token := self.accept(Kind.KEYWORD, "NOT"):
            return st.Not(self.predicate(self.not_expression()), token.position)
        return self.condition()

    def condition(self) -> st.Node:
        left = self.additive()
        token = self.current
        if token.kind is Kind.OPERATOR and token.text in _COMPARISONS:
            self.advance()
            right = self.additive()
            return st.Comparison(token.text, self.value(left), self.value(right), token.position)  # type: ignore[arg-type]
        if token.kind is Kind.KEYWORD and token.text == "IS":
            self.advance()
            negated = self.accept(Kind.KEYWORD, "NOT") is not None
            self.expect(Kind.KEYWORD, "NULL", "NULL")
            return st.IsNull(self.value(left), negated, token.position)
        negated = False
        following = self.tokens[self.index + 1] if token.kind is Kind.KEYWORD else token
        if token.text == "NOT" and following.kind is Kind.KEYWORD and following.text in ("IN", "LIKE"):
            self.advance()
            negated = True
        if op := self.accept(Kind.KEYWORD, "IN"):
            return st.In(self.value(left), self.in_list(), negated, op.position)
        if op := self.accept(Kind.KEYWORD, "LIKE"):
            pattern = self.value(self.additive())
            escape = self.value(self.additive()) if self.accept(Kind.KEYWORD, "ESCAPE") else None
            return st.Like(self.value(left), pattern, escape, negated, op.position)
        return left

    def in_list(self) -> tuple[st.Expression, ...]:
        self.expect(Kind.OPERATOR, "(", "'(' after IN")
        items = [self.value(self.additive())]
        while self.accept(Kind.OPERATOR, ","):
            items.append(self.value(self.additive()))
        self.expect(Kind.OPERATOR, ")", "',' or ')' in the IN list")
        return tuple(items)

    def additive(self) -> st.Node:
        left = self.multiplicative()
        while self.current.kind is Kind.OPERATOR and self.current.text in ("+", "-"):
            token = self.advance()
            right = self.multiplicative()
            left = st.Arithmetic(token.text, self.value(left), self.value(right), token.position)  # type: ignore[arg-type]
        return left

    def multiplicative(self) -> st.Node:
        left = self.unary()
        while self.current.kind is Kind.OPERATOR and self.current.text in ("*", "/", "%"):
            token = self.advance()
            right = self.unary()
            left = st.Arithmetic(token.text, self.value(left), self.value(right), token.position)  # type: ignore[arg-type]
        return left

    def unary(self) -> st.Node:
        token = self.current
        if token.kind is Kind.OPERATOR and token.text in ("+", "-"):
            self.advance()
            return st.Unary(token.text, self.value(self.unary()), token.position)  # type: ignore[arg-type]
        return self.primary()

    def primary(self) -> st.Node:
        token = self.current
        if token.kind in (Kind.INTEGER, Kind.DECIMAL):
            self.advance()
            return st.Constant(token.value, token.position)
        if token.kind is Kind.STRING:
            self.advance()
            return st.Constant(token.text, token.position)
        if token.kind is Kind.PARAMETER:
            self.advance()
            return st.Constant(self.parameter(token), token.position)
        if token.kind is Kind.KEYWORD:
            return self.keyword_primary(token)
        if token.kind is Kind.IDENTIFIER:
            if not token.delimited and self.tokens[self.index + 1].text == "(":
                return self.function()
            return self.property_reference()
        if self.accept(Kind.OPERATOR, "("):
            inner = self.or_expression()
            self.expect(Kind.OPERATOR, ")", "')'")
            return inner
        raise self.fail(f"expected a value or a condition but found {token.describe()}")

    def keyword_primary(self, token: Token) -> st.Node:
        constants = {"TRUE": True, "FALSE": False, "NULL": None}
        if token.text in constants:
            self.advance()
            return st.Constant(constants[token.text], token.position)
        if token.text == "EXISTS":
            self.advance()
            self.expect(Kind.OPERATOR, "(", "'(' after EXISTS")
            target = self.property_reference()
            self.expect(Kind.OPERATOR, ")", "')'")
            return st.Exists(target, token.position)
        raise self.fail(f"unexpected keyword {token.text}")

    def parameter(self, token: Token) -> Any:
        name = token.text[1:].lower()
        if name not in self.parameters:
            raise self.fail(f"no value given for parameter {token.text}", token.position)
        value = self.parameters[name]
        if value is not None and not isinstance(value, _PARAMETER_TYPES):
            raise self.fail(f"parameter {token.text} must be a string, number or boolean", token.position)
        return value

    def function(self) -> st.Function:
        token = self.advance()
        name = _FUNCTIONS.get(token.text.lower())
        if name is None:
            raise self.fail(f"unknown function {token.text}", token.position)
        self.expect(Kind.OPERATOR, "(")
        if name == "newid":
            self.expect(Kind.OPERATOR, ")", "')' (newid takes no argument)")
            return st.Function("newid", None, token.position)
        argument = self.value(self.additive())
        self.expect(Kind.OPERATOR, ")", "')'")
        return st.Function("property", argument, token.position)

    def property_reference(self) -> st.Property:
        first = self.current
        if first.kind is not Kind.IDENTIFIER:
            raise self.fail(f"expected a property name but found {first.describe()}")
        self.advance()
        if not self.accept(Kind.OPERATOR, "."):
            return st.Property("user", first.text, first.position)
        scope = first.text.lower()
        if first.delimited or scope not in ("sys", "user"):
            raise self.fail(f"unknown scope {first.text!r} (use sys. or user.)", first.position)
        name_token = self.current
        if name_token.kind is not Kind.IDENTIFIER:
            raise self.fail(f"expected a property name after '{first.text}.'")
        self.advance()
        if scope == "user":
            return st.Property("user", name_token.text, first.position)
        canonical = canonical_system_property(name_token.text)
        if canonical is None:
            raise self.fail(f"unknown system property sys.{name_token.text}", name_token.position)
        return st.Property("sys", canonical, first.position)

    # -- rule actions
    def parse_statements(self) -> tuple[st.Statement, ...]:
        if self.at(Kind.END):
            raise self.fail("empty rule action")
        found: list[st.Statement] = []
        while not self.at(Kind.END):
            found.append(self.statement())
            while self.current.kind is Kind.OPERATOR and self.current.text in (";", ","):
                self.advance()
        return tuple(found)

    def statement(self) -> st.Statement:
        verb = self.current
        word = verb.text.upper() if verb.kind is Kind.IDENTIFIER and not verb.delimited else ""
        if word not in ("SET", "REMOVE"):
            raise self.fail(f"expected SET or REMOVE but found {verb.describe()}")
        self.advance()
        target = self.property_reference()
        if word == "REMOVE":
            if target.scope == "sys":
                raise self.fail(f"system property sys.{target.name} cannot be removed", target.position)
            return st.RemoveProperty(target, verb.position)
        if target.scope == "sys" and target.name not in SETTABLE_SYSTEM_PROPERTIES:
            raise self.fail(f"system property sys.{target.name} cannot be set", target.position)
        self.expect(Kind.OPERATOR, "=", "'=' after the property")
        return st.SetProperty(target, self.value(self.additive()), verb.position)
