"""Property-based tests: canonical text parses back to the same tree; evaluation is total and three-valued."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from local_emulators.servicebus.filters import SYSTEM_PROPERTIES, MessageView, SqlFilter
from local_emulators.servicebus.filters import syntax_tree as st
from local_emulators.servicebus.filters.evaluator import evaluate_predicate
from local_emulators.servicebus.filters.lexer import Kind, tokenize
from local_emulators.servicebus.filters.message_view import SETTABLE_SYSTEM_PROPERTIES as SETTABLE
from local_emulators.servicebus.filters.parser import parse, parse_action
from local_emulators.servicebus.filters.values import like

# No example database: the tests must not leave files in the work tree.
SETTINGS = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

NAMES = hs.sampled_from(["a", "b", "Color", "quantity", "x y", "it's", "]", "HR-ID"])
texts = hs.text(max_size=8)
constants = hs.one_of(
    hs.integers(min_value=0, max_value=2**63 - 1),
    hs.floats(min_value=0, allow_nan=False, allow_infinity=False),
    texts,
    hs.booleans(),
    hs.none(),
).map(st.Constant)
properties = hs.one_of(
    hs.builds(st.Property, hs.just("user"), NAMES),
    hs.builds(st.Property, hs.just("sys"), hs.sampled_from(SYSTEM_PROPERTIES)),
)


def _extend_expression(children: hs.SearchStrategy[Any]) -> hs.SearchStrategy[Any]:
    return hs.one_of(
        hs.builds(st.Unary, hs.sampled_from(["+", "-"]), children),
        hs.builds(st.Arithmetic, hs.sampled_from(["+", "-", "*", "/", "%"]), children, children),
        hs.builds(st.Function, hs.just("property"), children),
        hs.just(st.Function("newid", None)),
    )


expressions = hs.recursive(hs.one_of(constants, properties), _extend_expression, max_leaves=6)
comparisons = hs.sampled_from(["=", "<>", "!=", ">", ">=", "<", "<="])
simple_predicates = hs.one_of(
    hs.builds(st.Comparison, comparisons, expressions, expressions),
    hs.builds(st.In, expressions, hs.lists(expressions, min_size=1, max_size=3).map(tuple), hs.booleans()),
    hs.builds(st.Like, expressions, expressions, hs.one_of(hs.none(), expressions), hs.booleans()),
    hs.builds(st.IsNull, expressions, hs.booleans()),
    hs.builds(st.Exists, properties),
    hs.booleans().map(st.Constant),
)


def _extend_predicate(children: hs.SearchStrategy[Any]) -> hs.SearchStrategy[Any]:
    return hs.one_of(
        hs.builds(st.Logical, hs.sampled_from(["AND", "OR"]), children, children),
        hs.builds(st.Not, children),
    )


predicates = hs.recursive(simple_predicates, _extend_predicate, max_leaves=6)
values = hs.one_of(hs.integers(-5, 5), hs.floats(-3, 3, allow_nan=False), texts, hs.booleans(), hs.none())
views = hs.builds(
    MessageView,
    system=hs.dictionaries(hs.sampled_from(SYSTEM_PROPERTIES), values, max_size=4),
    application=hs.dictionaries(NAMES, values, max_size=4),
)


@SETTINGS
@given(predicates)
def test_canonical_text_parses_back_to_the_same_tree(tree: st.Predicate) -> None:
    assert parse(st.to_text(tree)) == tree


@SETTINGS
@given(predicates)
def test_canonical_text_is_a_fixed_point(tree: st.Predicate) -> None:
    text = st.to_text(tree)
    assert st.to_text(parse(text)) == text


statements = hs.lists(
    hs.one_of(
        hs.builds(st.SetProperty, properties.filter(lambda p: p.scope == "user" or p.name in SETTABLE), expressions),
        hs.builds(st.RemoveProperty, hs.builds(st.Property, hs.just("user"), NAMES)),
    ),
    min_size=1,
    max_size=4,
).map(tuple)


@SETTINGS
@given(statements)
def test_action_text_parses_back_to_the_same_statements(parsed: tuple[st.Statement, ...]) -> None:
    assert parse_action(st.statements_text(parsed)) == parsed


@SETTINGS
@given(texts)
def test_string_literal_lexes_to_one_token(value: str) -> None:
    tokens = tokenize(st.to_text(st.Constant(value)))
    assert [(token.kind, token.text) for token in tokens[:-1]] == [(Kind.STRING, value)]
    assert tokens[-1].kind is Kind.END


@SETTINGS
@given(predicates, views)
def test_evaluation_is_total_and_not_is_three_valued(tree: st.Predicate, view: MessageView) -> None:
    result = evaluate_predicate(tree, view)
    assert result in (True, False, None)
    negated = evaluate_predicate(st.Not(tree), view)
    if _has_newid(tree):
        return  # newid() differs between the two evaluations
    assert negated == (None if result is None else not result)
    assert SqlFilter(st.to_text(tree), tree).matches(view) is (result is True)


@SETTINGS
@given(predicates, predicates, views)
def test_and_or_follow_the_truth_tables(left: st.Predicate, right: st.Predicate, view: MessageView) -> None:
    if _has_newid(left) or _has_newid(right):
        return
    first, second = evaluate_predicate(left, view), evaluate_predicate(right, view)
    both = evaluate_predicate(st.Logical("AND", left, right), view)
    either = evaluate_predicate(st.Logical("OR", left, right), view)
    assert both == (False if False in (first, second) else None if None in (first, second) else True)
    assert either == (True if True in (first, second) else None if None in (first, second) else False)


pattern_parts = hs.lists(hs.one_of(hs.sampled_from(["%", "_", "!%", "!_", "!!"]), hs.text("ab.*[]\\^$", max_size=2)))


@SETTINGS
@given(hs.text("ab%_.*!", max_size=6), pattern_parts)
def test_like_agrees_with_a_reference_matcher(value: str, parts: list[str]) -> None:
    pattern = "".join(parts)
    assert like(value, pattern, "!") is _reference_like(value, _pattern_tokens(pattern))


def _pattern_tokens(pattern: str) -> tuple[str, ...]:
    # "%" and "_" stay wildcards; any other token is one literal character.
    tokens: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == "!":
            tokens.append("lit:" + next(chars))
        else:
            tokens.append(char if char in "%_" else "lit:" + char)
    return tuple(tokens)


@lru_cache(maxsize=4096)
def _reference_like(value: str, tokens: tuple[str, ...]) -> bool:
    if not tokens:
        return not value
    head, rest = tokens[0], tokens[1:]
    if head == "%":
        return any(_reference_like(value[cut:], rest) for cut in range(len(value) + 1))
    if not value:
        return False
    if head == "_" or head[4:] == value[0]:
        return _reference_like(value[1:], rest)
    return False


def _has_newid(node: Any) -> bool:
    if isinstance(node, st.Function) and node.name == "newid":
        return True
    children = [getattr(node, name, None) for name in ("left", "right", "operand", "pattern", "escape", "argument")]
    children += list(getattr(node, "items", ()))
    return any(_has_newid(child) for child in children if child is not None)
