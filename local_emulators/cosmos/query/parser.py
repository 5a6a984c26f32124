"""Recursive-descent parser for Cosmos SQL statements (clauses; expressions live in `expression_parser`).

Clause order as in the Cosmos grammar: SELECT, FROM, JOIN..., WHERE, GROUP BY, ORDER BY, OFFSET/LIMIT.
"""

from __future__ import annotations

from local_emulators.cosmos.query import ast
from local_emulators.cosmos.query.expression_parser import ExpressionParser
from local_emulators.cosmos.query.lexer import Kind

MAX_JOINS = 5  # the service and the classic emulator both cap a query at five JOINs


class QueryParser(ExpressionParser):
    """Parses one whole query text into an `ast.Query`."""

    def parse(self) -> ast.Query:
        """Parse the full text; trailing tokens are a syntax error.

        Raises:
            QuerySyntaxError: The text is not a well-formed query.
            UnsupportedQueryError: The text uses a feature this emulator leaves out.
        """
        query = self._select_statement()
        if self.token.kind is not Kind.EOF:
            self._fail("expected end of query")
        return query

    def _select_statement(self) -> ast.Query:
        self._expect_keyword("SELECT")
        select = self._select_clause()
        source: ast.Source | None = None
        joins: list[ast.Source] = []
        if self._accept_keyword("FROM"):
            source = self._source()
            while self._at_keyword("JOIN"):
                token = self._advance()
                if len(joins) == MAX_JOINS:
                    self._unsupported(f"more than {MAX_JOINS} JOINs", token)
                joins.append(self._source())
        where = self.expression() if self._accept_keyword("WHERE") else None
        group_by: list[ast.Expr] = []
        if self._accept_keyword("GROUP"):
            self._expect_keyword("BY")
            group_by = self._expression_list()
        order_by = self._order_by() if self._at_keyword("ORDER") else ()
        offset = limit = None
        if self._accept_keyword("OFFSET"):
            offset = self._count_operand()
            self._expect_keyword("LIMIT")
            limit = self._count_operand()
        return ast.Query(select, source, tuple(joins), where, tuple(group_by), order_by, offset, limit)

    def _select_clause(self) -> ast.Select:
        distinct = False
        top: ast.Expr | None = None
        for _ in range(2):  # DISTINCT and TOP may come in either order
            if not distinct and self._accept_keyword("DISTINCT"):
                distinct = True
            elif top is None and self._accept_keyword("TOP"):
                top = self._count_operand()
        if self._accept_op("*"):
            return ast.Select(distinct, top, True, None, ())
        if self._accept_keyword("VALUE"):
            return ast.Select(distinct, top, False, self.expression(), ())
        items = [self._select_item()]
        while self._accept_op(","):
            items.append(self._select_item())
        return ast.Select(distinct, top, False, None, tuple(items))

    def _select_item(self) -> ast.SelectItem:
        expr = self.expression()
        if self._accept_keyword("AS"):
            return ast.SelectItem(expr, self._alias())
        if self.token.kind is Kind.IDENT:
            return ast.SelectItem(expr, self._alias())
        return ast.SelectItem(expr, None)

    def _alias(self) -> str:
        token = self._advance()
        if token.kind is not Kind.IDENT:
            self._fail("expected an alias name", token)
        return str(token.value)

    def _count_operand(self) -> ast.Expr:
        token = self._advance()
        if token.kind is Kind.NUMBER:
            return ast.Literal(token.value, token.position)
        if token.kind is Kind.PARAM:
            return ast.Param(str(token.value), token.position)
        self._fail("expected a number or a @parameter", token)

    def _source(self) -> ast.Source:
        start = self.token
        if self._at_op("(") and self._peek().kind is Kind.KEYWORD and self._peek().value == "SELECT":
            self.index += 1
            query = self._select_statement()
            self._expect_op(")")
            self._accept_keyword("AS")
            alias = self._alias() if self.token.kind is Kind.IDENT else "$subquery"
            return ast.SubquerySource(alias, query, start.position)
        if start.kind is Kind.IDENT and self._peek().kind is Kind.KEYWORD and self._peek().value == "IN":
            self.index += 2
            return ast.CollectionSource(str(start.value), self._postfix(), True, start.position)
        if start.kind is not Kind.IDENT:
            self._fail("expected a container name, an alias or a subquery")
        expr = self._postfix()
        if self._accept_keyword("AS") or self.token.kind is Kind.IDENT:
            return ast.CollectionSource(self._alias(), expr, False, start.position)
        if isinstance(expr, ast.Ident | ast.Member):
            return ast.CollectionSource(expr.name, expr, False, start.position)
        self._fail("expected an alias for this FROM expression")

    def _expression_list(self) -> list[ast.Expr]:
        items = [self.expression()]
        while self._accept_op(","):
            items.append(self.expression())
        return items

    def _order_by(self) -> tuple[ast.OrderItem, ...]:
        self._expect_keyword("ORDER")
        self._expect_keyword("BY")
        # RANK is a keyword only here, so `c.rank` or `AS rank` stay ordinary identifiers elsewhere.
        if (
            self.token.kind is Kind.IDENT
            and str(self.token.value).upper() == "RANK"
            and self._peek().kind is Kind.IDENT
        ):
            self.index += 1
            ranked = self.expression()
            if self._at_keyword("ASC") or self._at_keyword("DESC"):
                self._fail("Specifying a sort order (ASC or DESC) in the ORDER BY RANK clause is not allowed.")
            return (ast.OrderItem(ranked, descending=True, rank=True),)
        items: list[ast.OrderItem] = []
        while True:
            expr = self.expression()
            descending = self._accept_keyword("DESC")
            explicit = descending or self._accept_keyword("ASC")
            if explicit and isinstance(expr, ast.Call) and expr.name == "VECTORDISTANCE":
                self._fail("Specifying a sorting order (ASC or DESC) with VectorDistance function is not supported.")
            items.append(ast.OrderItem(expr, descending, explicit=explicit))
            if not self._accept_op(","):
                return tuple(items)


def parse(text: str) -> ast.Query:
    """Parse a Cosmos SQL query.

    Raises:
        QuerySyntaxError: The text is not a well-formed query.
        UnsupportedQueryError: The text uses a feature this emulator leaves out.
    """
    return QueryParser(text).parse()
