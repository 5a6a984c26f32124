"""The fixed names of a deployment's shared Service Bus entities, one constant each.

Tools outside this repository use them, so they never change.
"""

TASKS_QUEUE = "tasks"
"""The ingress queue: `{"task", "team"}` bodies, run id = MessageId (not session-enabled)."""

INGRESS_FUNCTION = "ingress"
"""The function (and span agent name) that serves `TASKS_QUEUE`."""

RUN_EVENTS_TOPIC = "run-events"
"""One message per run status change: `subject` = the status, application property `run_id`."""

MONITOR_SUBSCRIPTION = "monitor"
"""The `RUN_EVENTS_TOPIC` subscription that clients watching runs read."""
