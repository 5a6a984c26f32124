"""Subscription rule filters of the Service Bus emulator (SQL, correlation, true, false) and SQL actions.

Pure code: a lexer, a recursive-descent parser to a syntax tree, and an evaluator with Service Bus'
three-valued logic. The broker builds a `MessageView` of each message and asks each rule's filter.
"""

from local_emulators.servicebus.filters.correlation import CorrelationFilter
from local_emulators.servicebus.filters.errors import FilterError, FilterSyntaxError
from local_emulators.servicebus.filters.message_view import SYSTEM_PROPERTIES, MessageView
from local_emulators.servicebus.filters.sql_action import SqlAction, compile_sql_action
from local_emulators.servicebus.filters.sql_filter import FalseFilter, SqlFilter, TrueFilter, compile_sql_filter

RuleFilter = SqlFilter | CorrelationFilter | TrueFilter | FalseFilter

__all__ = [
    "SYSTEM_PROPERTIES",
    "CorrelationFilter",
    "FalseFilter",
    "FilterError",
    "FilterSyntaxError",
    "MessageView",
    "RuleFilter",
    "SqlAction",
    "SqlFilter",
    "TrueFilter",
    "compile_sql_action",
    "compile_sql_filter",
]
