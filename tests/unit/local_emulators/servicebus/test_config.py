"""Config.json loading: Microsoft's sample, properties and defaults, and errors that name the right line."""

from __future__ import annotations

import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from local_emulators.servicebus.config import ConfigError, load_config, parse_config
from local_emulators.servicebus.config_models import DEFAULT_RULE_NAME, NamespaceConfig, QueueConfig
from local_emulators.servicebus.errors import ServiceBusEmulatorError
from local_emulators.servicebus.filters import CorrelationFilter, MessageView, SqlFilter, TrueFilter

MICROSOFT_SAMPLE = """\
{
  "UserConfig": {
    "Namespaces": [
      {
        "Name": "sbemulatorns",
        "Queues": [
          {
            "Name": "queue.1",
            "Properties": {
              "DeadLetteringOnMessageExpiration": false,
              "DefaultMessageTimeToLive": "PT1H",
              "DuplicateDetectionHistoryTimeWindow": "PT20S",
              "ForwardDeadLetteredMessagesTo": "",
              "ForwardTo": "",
              "LockDuration": "PT1M",
              "MaxDeliveryCount": 3,
              "RequiresDuplicateDetection": false,
              "RequiresSession": false
            }
          }
        ],
        "Topics": [
          {
            "Name": "topic.1",
            "Properties": {
              "DefaultMessageTimeToLive": "PT1H",
              "DuplicateDetectionHistoryTimeWindow": "PT20S",
              "RequiresDuplicateDetection": false
            },
            "Subscriptions": [
              {
                "Name": "subscription.1",
                "Properties": {"LockDuration": "PT1M", "MaxDeliveryCount": 3, "ForwardTo": "",
                               "RequiresSession": false},
                "Rules": [
                  {
                    "Name": "app-prop-filter-1",
                    "Properties": {
                      "FilterType": "Correlation",
                      "CorrelationFilter": {
                        "ContentType": "application/json"
                        // Other supported properties
                        // "CorrelationId": "id1",
                      }
                    }
                  }
                ]
              },
              {"Name": "subscription.3", "Properties": {"LockDuration": "PT1M"}},
              {
                "Name": "subscription.4",
                "Rules": [
                  {
                    "Name": "sql-filter-1",
                    "Properties": {
                      "FilterType": "Sql",
                      "SqlFilter": {"SqlExpression": "sys.MessageId = '123456' AND userProp1 = 'value1'"},
                      "Action" : {"SqlExpression": "SET sys.To = 'Entity'"}
                    }
                  }
                ]
              }
            ]
          }
        ]
      }
    ],
    "Logging": {"Type": "File"}
  }
}
"""


def test_microsoft_sample_loads() -> None:
    config = parse_config(MICROSOFT_SAMPLE)
    assert config.name == "sbemulatorns"
    assert config.keys == {"RootManageSharedAccessKey": "SAS_KEY_VALUE"}
    (queue,) = config.queues
    assert queue == QueueConfig(name="queue.1")
    (topic,) = config.topics
    assert topic.name == "topic.1"
    assert topic.default_message_ttl == timedelta(hours=1)
    assert [sub.name for sub in topic.subscriptions] == ["subscription.1", "subscription.3", "subscription.4"]
    correlation = topic.subscriptions[0].rules[0]
    assert correlation.name == "app-prop-filter-1"
    assert correlation.filter == CorrelationFilter(content_type="application/json")
    default = topic.subscriptions[1].rules
    assert [(rule.name, rule.filter) for rule in default] == [(DEFAULT_RULE_NAME, TrueFilter())]
    sql = topic.subscriptions[2].rules[0]
    assert isinstance(sql.filter, SqlFilter)
    assert sql.action_sql == "SET sys.To = 'Entity'"
    assert sql.action is not None
    assert sql.action.apply(MessageView(system={"To": "x"})).system["To"] == "Entity"
    assert correlation.action is None
    assert sql.filter.matches(MessageView(system={"MessageId": "123456"}, application={"userProp1": "value1"}))


def test_every_property_is_read() -> None:
    config = parse_config(
        """{"UserConfig": {"Namespaces": [{"Name": "ns", "Queues": [
            {"Name": "q", "Properties": {"DeadLetteringOnMessageExpiration": true, "DefaultMessageTimeToLive": "P14D",
             "DuplicateDetectionHistoryTimeWindow": "PT10M", "ForwardDeadLetteredMessagesTo": "dlq",
             "LockDuration": "PT0.5S", "MaxDeliveryCount": 10, "RequiresDuplicateDetection": true,
             "RequiresSession": true}},
            {"Name": "dlq", "Properties": {"DefaultMessageTimeToLive": "P10675199DT2H48M5.4775807S",
                                           "ForwardTo": "t"}}],
          "Topics": [{"Name": "t", "Properties": {"DefaultMessageTimeToLive": "PT5M",
              "RequiresDuplicateDetection": true, "DuplicateDetectionHistoryTimeWindow": "PT1M"},
            "Subscriptions": [{"Name": "s", "Properties": {"DeadLetteringOnMessageExpiration": true,
              "DefaultMessageTimeToLive": "PT30S", "LockDuration": "PT5M", "MaxDeliveryCount": 1,
              "ForwardDeadLetteredMessagesTo": "q", "ForwardTo": "dlq", "RequiresSession": true}}]}]}]}}"""
    )
    queue, dlq = config.queues
    assert queue.dead_lettering_on_message_expiration is True
    assert queue.default_message_ttl == timedelta(days=14)
    assert queue.duplicate_detection_window == timedelta(minutes=10)
    assert queue.forward_dead_lettered_messages_to == "dlq"
    assert queue.forward_to is None
    assert queue.lock_duration == timedelta(milliseconds=500)
    assert queue.max_delivery_count == 10
    assert queue.requires_duplicate_detection is True
    assert queue.requires_session is True
    assert dlq.default_message_ttl is None
    assert dlq.forward_to == "t"
    topic = config.topic("T")
    assert topic is not None
    assert topic.default_message_ttl == timedelta(minutes=5)
    assert topic.requires_duplicate_detection is True
    assert topic.duplicate_detection_window == timedelta(minutes=1)
    sub = topic.subscription("S")
    assert sub is not None
    assert (sub.dead_lettering_on_message_expiration, sub.requires_session) == (True, True)
    assert (sub.default_message_ttl, sub.lock_duration) == (timedelta(seconds=30), timedelta(minutes=5))
    assert (sub.max_delivery_count, sub.forward_to, sub.forward_dead_lettered_messages_to) == (1, "dlq", "q")
    assert config.queue("Q") is queue
    assert config.queue("nope") is None


def test_defaults_are_microsofts_emulator_defaults() -> None:
    config = parse_config('{"UserConfig": {"Namespaces": [{"Name": "sbemulatorns", "Queues": [{"Name": "q"}]}]}}')
    queue = config.queues[0]
    assert queue.lock_duration == timedelta(minutes=1)
    assert queue.max_delivery_count == 3
    assert queue.default_message_ttl == timedelta(hours=1)
    assert queue.duplicate_detection_window == timedelta(seconds=20)
    assert not queue.requires_session
    assert not queue.requires_duplicate_detection
    assert not queue.dead_lettering_on_message_expiration
    assert config.topics == ()
    assert NamespaceConfig().name == "sbemulatorns"


def test_comments_trailing_commas_null_and_property_case() -> None:
    config = parse_config(
        """
        /* block comment
           over lines */
        {"userconfig": {"namespaces": [{"name": "ns", // trailing comment
            "queues": [{"name": "q", "properties": {"lockduration": "PT2M", "ForwardTo": null,},},],
        },],},}
        """
    )
    assert config.queues[0].lock_duration == timedelta(minutes=2)


def test_correlation_rule_with_all_fields_and_sql_parameters() -> None:
    config = parse_config(
        """{"UserConfig": {"Namespaces": [{"Name": "ns", "Topics": [{"Name": "t", "Subscriptions": [{"Name": "s",
            "Rules": [
              {"Name": "c", "Properties": {"FilterType": "correlation", "CorrelationFilter": {
                 "ContentType": "ct", "CorrelationId": "ci", "Label": "l", "MessageId": "mi", "ReplyTo": "rt",
                 "ReplyToSessionId": "rs", "SessionId": "si", "To": "to", "Properties": {"k": 1, "K": "x"}}}},
              {"Name": "p", "Properties": {"FilterType": "Sql", "SqlFilter": {"SqlExpression": "k = @v",
                 "Parameters": {"@v": 5}}}}]}]}]}]}}"""
    )
    first, second = config.topics[0].subscriptions[0].rules
    assert first.filter == CorrelationFilter(
        content_type="ct",
        correlation_id="ci",
        label="l",
        message_id="mi",
        reply_to="rt",
        reply_to_session_id="rs",
        session_id="si",
        to="to",
        properties={"k": 1, "K": "x"},
    )
    assert second.filter.matches(MessageView(application={"k": 5}))


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.json"
    with pytest.raises(ConfigError, match=r"absent\.json: configuration file not found"):
        load_config(path)


def test_errors_are_emulator_errors() -> None:
    assert issubclass(ConfigError, ServiceBusEmulatorError)


def doc(body: str) -> str:
    """A full document around a namespace body; `body` starts on line 3."""
    return '{"UserConfig": {"Namespaces": [{\n  "Name": "ns",\n' + textwrap.dedent(body).strip("\n") + "\n}]}}\n"


def rules(text: str) -> str:
    """A document whose topic 't' has subscription 's' with these rules, starting on a line of their own."""
    return doc('  "Topics": [{"Name": "t", "Subscriptions": [{"Name": "s", "Rules": [\n' + text + "]}]}]")


# (document, the text on the line the error must name, words the message must contain)
ERRORS: list[tuple[str, str, list[str]]] = [
    ('{"UserConfig": {\n  "Namespaces": [\n    {"Name": "ns",}\n  ]\n', "]", ["end of file"]),
    ('{"UserConfig":\n {"Namespaces": [{"Name": "ns"} {"Name": "x"}]}}', '"Namespaces"', ["expected ',' or ']'"]),
    ('{"UserConfig": {"Namespaces": [\n/* never closed', "/* never closed", ["unterminated /* comment"]),
    ('{"UserConfig": 1,\n "UserConfig": 2}', ' "UserConfig": 2', ["appears twice"]),
    ('{"UserConfig": {"Namespaces": [{"Name": "ns"}]}}\nextra', "extra", ["after the end"]),
    ('{"UserConfig": {"Namespaces": [{"Name": "ns\\q"}]}}', '{"UserConfig"', ["bad string"]),
    ("[]", "[]", ["must be an object"]),
    ("{}", "{}", ["lacks the required property 'UserConfig'"]),
    ('{"UserConfig": {"Namespaces": []}}', '{"UserConfig"', ["exactly one namespace"]),
    (
        '{"UserConfig": {"Namespaces": [{"Name": "ns"}],\n "Logging": {"Type": "Syslog"}}}',
        '"Logging"',
        ["Logging Type must be one of"],
    ),
    (
        doc('  "Queues": [{"Name": "q",\n    "Properties": {"LockDurations": "PT1M"}}]'),
        "LockDurations",
        ["unknown property 'LockDurations'", "did you mean 'LockDuration'"],
    ),
    (
        doc('  "Queues": [{"Name": "q", "Properties": {\n    "MaxDeliveryCount": "3"}}]'),
        '"MaxDeliveryCount"',
        ["MaxDeliveryCount of queue 'q' must be a whole number, not string"],
    ),
    (
        doc('  "Queues": [{"Name": "q", "Properties": {\n    "MaxDeliveryCount": 0}}]'),
        '"MaxDeliveryCount"',
        ["at least 1"],
    ),
    (
        doc('  "Queues": [{"Name": "q", "Properties": {\n    "RequiresSession": "yes"}}]'),
        '"RequiresSession"',
        ["true or false"],
    ),
    (
        doc('  "Queues": [{"Name": "q", "Properties": {\n    "LockDuration": "1 minute"}}]'),
        '"LockDuration"',
        ["not an ISO 8601 duration"],
    ),
    (
        doc('  "Queues": [{"Name": "q", "Properties": {\n    "LockDuration": "PT6M"}}]'),
        '"LockDuration"',
        ["at most PT5M"],
    ),
    (
        doc('  "Queues": [{"Name": "q", "Properties": {\n    "DefaultMessageTimeToLive": "PT0S"}}]'),
        '"DefaultMessageTimeToLive"',
        ["longer than zero"],
    ),
    (
        doc('  "Queues": [{"Name": "q", "Properties": {\n    "LockDuration": 60}}]'),
        '"LockDuration"',
        ["must be a string"],
    ),
    (doc('  "Queues": [{"Name": "-bad-"}]'), '"Queues"', ["is not a valid name"]),
    (doc('  "Queues": [{"Properties": {}}]'), '"Queues"', ["lacks the required property 'Name'"]),
    (doc('  "Queues": {"Name": "q"}'), '"Queues"', ["Queues must be an array"]),
    (
        doc('  "Queues": [{"Name": "orders"},\n    {"Name": "Orders"}]'),
        '{"Name": "Orders"}',
        ["duplicate entity name 'Orders'", "line 3"],
    ),
    (doc('  "Queues": [{"Name": "orders"}],\n  "Topics": [{"Name": "orders"}]'), '"Topics"', ["duplicate entity name"]),
    (
        doc('  "Queues": [{"Name": "q", "Properties": {\n    "ForwardTo": "nowhere"}}]'),
        '"ForwardTo"',
        ["ForwardTo of queue 'q' names 'nowhere'", "not a queue or topic"],
    ),
    (
        doc('  "Queues": [{"Name": "q", "Properties": {\n    "ForwardDeadLetteredMessagesTo": "gone"}}]'),
        '"ForwardDeadLettered',
        ["names 'gone'"],
    ),
    (doc('  "Queues": [{"Name": "q", "Properties": {\n    "ForwardTo": "Q"}}]'), '"ForwardTo"', ["the queue itself"]),
    (
        doc('  "Topics": [{"Name": "t", "Subscriptions": [{"Name": "s", "Properties": {\n    "ForwardTo": "x"}}]}]'),
        '"ForwardTo"',
        ["subscription 't/s'", "names 'x'"],
    ),
    (
        doc('  "Topics": [{"Name": "t", "Properties": {\n    "LockDuration": "PT1M"}}]'),
        '"LockDuration"',
        ["unknown property 'LockDuration' in Properties of topic 't'"],
    ),
    (
        doc('  "Topics": [{"Name": "t", "Subscriptions": [\n    {"Name": "s"},\n    {"Name": "S"}]}]'),
        '{"Name": "S"}',
        ["duplicate subscription of topic 't' name 'S'"],
    ),
    (
        rules('{"Name": "r", "Properties": {"FilterType": "Sql", "SqlFilter": {"SqlExpression": "a = = 1"}}}'),
        "a = = 1",
        ["SqlExpression of rule 'r' of subscription 't/s' does not parse", "position 4"],
    ),
    (
        rules('{"Name": "r", "Properties": {"FilterType": "Sql", "SqlFilter": {"SqlExpression": "sys.Nope = 1"}}}'),
        "sys.Nope",
        ["unknown system property sys.Nope"],
    ),
    (rules('{"Name": "r", "Properties": {"FilterType": "Sql"}}'), '"FilterType"', ["FilterType Sql but no SqlFilter"]),
    (rules('{"Name": "r", "Properties": {"FilterType": "Regex"}}'), '"Regex"', ["must be 'Sql' or 'Correlation'"]),
    (
        rules('{"Name": "r", "Properties": {"FilterType": "Correlation",\n "CorrelationFilter": {"To": ""}}}'),
        '"CorrelationFilter"',
        ["sets no condition"],
    ),
    (
        rules('{"Name": "r", "Properties": {"FilterType": "Correlation", "CorrelationFilter": {\n "Properties": {}}}}'),
        '"CorrelationFilter"',
        ["sets no condition"],
    ),
    (
        rules(
            '{"Name": "r", "Properties": {"FilterType": "Correlation",'
            ' "CorrelationFilter": {"Properties":\n {"k": [1]}}}}'
        ),
        '{"k": [1]}',
        ["must be a string, number or boolean"],
    ),
    (
        rules(
            '{"Name": "r", "Properties": {"FilterType": "Correlation",\n "SqlFilter": {"SqlExpression": "1=1"},'
            ' "CorrelationFilter": {"To": "x"}}}'
        ),
        '"SqlFilter"',
        ["FilterType Correlation but also a SqlFilter"],
    ),
    (
        rules(
            '{"Name": "r", "Properties": {"FilterType": "Sql", "SqlFilter": {"SqlExpression": "1=1"},\n'
            ' "Action": {"SqlExpression": "SET sys.SequenceNumber = 1"}}}'
        ),
        '"Action"',
        ["Action SqlExpression of rule 'r' of subscription 't/s' does not parse", "cannot be set"],
    ),
    (
        rules(
            '{"Name": "r", "Properties": {"FilterType": "Sql", "SqlFilter": {"SqlExpression": "1=1"},\n'
            ' "Action": {"Expression": "SET a = 1"}}}'
        ),
        '"Action"',
        ["unknown property 'Expression' in Action"],
    ),
    (
        rules(
            '{"Name": "r", "Properties": {"FilterType": "Sql", "SqlFilter": {"SqlExpression": "1=1"}}},\n'
            '{"Name": "R", "Properties": {"FilterType": "Sql", "SqlFilter": {"SqlExpression": "1=0"}}}'
        ),
        '{"Name": "R"',
        ["duplicate rule of subscription 't/s' name 'R'"],
    ),
]


@pytest.mark.parametrize(("text", "marker", "words"), ERRORS)
def test_error_names_file_and_line(text: str, marker: str, words: list[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "Config.json")
    error = caught.value
    expected_line = next(number for number, line in enumerate(text.splitlines(), 1) if marker in line)
    assert error.source == "Config.json"
    assert error.line == expected_line, str(error)
    assert str(error).startswith(f"Config.json:{expected_line}:")
    for word in words:
        assert word in error.reason, str(error)


def test_sql_error_column_points_into_the_expression() -> None:
    text = doc(
        '  "Topics": [{"Name": "t", "Subscriptions": [{"Name": "s", "Rules": [\n'
        '    {"Name": "r", "Properties": {"FilterType": "Sql", "SqlFilter": {"SqlExpression": "a = = 1"}}}]}]}]'
    )
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    line = text.splitlines()[(caught.value.line or 0) - 1]
    assert caught.value.column == line.index("a = = 1") + 1 + 4


def test_load_config_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(doc('  "Queues": [{"Name": "from-file"}]'), encoding="utf-8")
    assert load_config(path).queues[0].name == "from-file"
    path.write_bytes(b"\xff\xfe{")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(path)
