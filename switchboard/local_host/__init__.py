"""`switchboard host`: a local stand-in for `func start` that runs any Python v2 `function_app.py`.

It indexes the app as the Python worker does, validates names and bindings as the Functions host does, receives
Service Bus triggers (sessions included) with azure-servicebus, builds each argument through the binding
library's own converter, settles messages as the host does (and serves the settlement gRPC service of the
SDK-type binding), and serves HTTP triggers.
"""

from switchboard.local_host.errors import (
    AppLoadError,
    FunctionValidationError,
    LocalHostError,
    PortInUseError,
    SettingMissingError,
)

__all__ = ["AppLoadError", "FunctionValidationError", "LocalHostError", "PortInUseError", "SettingMissingError"]
