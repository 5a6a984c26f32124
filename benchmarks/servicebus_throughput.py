"""Service Bus emulator throughput through the unmodified SDK, with CPU per message on both sides.

Sends N messages in batches, receives them with PEEK_LOCK and completes each one, then prints
messages/s and the CPU time per message of the emulator process against the client's, measured in
the same run. Run: ``python benchmarks/servicebus_throughput.py [--messages 20000]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusReceiveMode
from azure.servicebus.exceptions import MessageSizeExceededError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.processes import free_port, start_python_module

CONFIG = Path(__file__).resolve().parents[1] / "tests" / "emulators" / "servicebus" / "config.jsonc"
_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def run(conn_str: str, total: int, body: bytes, prefetch: int) -> tuple[float, float]:
    """Send ``total`` messages in batches, then receive and complete them; return (send s, receive s)."""
    with ServiceBusClient.from_connection_string(conn_str) as client:
        with client.get_queue_sender("q") as sender:
            started = time.perf_counter()
            sent = 0
            while sent < total:
                batch = sender.create_message_batch()
                while sent < total:
                    try:
                        batch.add_message(ServiceBusMessage(body, application_properties={"n": sent}))
                    except MessageSizeExceededError:  # batch full
                        break
                    sent += 1
                sender.send_messages(batch)
            send_seconds = time.perf_counter() - started
        received = 0
        started = time.perf_counter()
        with client.get_queue_receiver("q", receive_mode=ServiceBusReceiveMode.PEEK_LOCK, prefetch_count=prefetch) as r:
            while received < total:
                messages = r.receive_messages(max_message_count=prefetch or 100, max_wait_time=5)
                if not messages:
                    raise RuntimeError(f"only {received} of {total} messages arrived")
                for message in messages:
                    r.complete_message(message)
                received += len(messages)
        return send_seconds, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000, help="how many messages (default 20000)")
    parser.add_argument("--size", type=int, default=128, help="body bytes per message (default 128)")
    parser.add_argument("--prefetch", type=int, default=0, help="receiver prefetch count (default 0)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port, control = free_port(), free_port()
        proc = start_python_module(
            "local_emulators.servicebus",
            [
                "--port",
                str(port),
                "--control-port",
                str(control),
                "--config",
                str(CONFIG),
                "--data-dir",
                f"{tmp}/data",
                "--log-level",
                "WARNING",
            ],
            port=port,
            log_path=Path(tmp) / "emulator.log",
        )
        try:
            conn_str = (
                f"Endpoint=sb://127.0.0.1:{port};SharedAccessKeyName=RootManageSharedAccessKey;"
                "SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;"
            )
            emulator_cpu0, client_cpu0, wall0 = process_cpu_seconds(proc.pid), time.process_time(), time.perf_counter()
            send_s, receive_s = run(conn_str, args.messages, b"x" * args.size, args.prefetch)
            wall = time.perf_counter() - wall0
            emulator_cpu = process_cpu_seconds(proc.pid) - emulator_cpu0
            client_cpu = time.process_time() - client_cpu0
        finally:
            proc.stop()
    n = args.messages
    print(f"messages: {n} x {args.size} B, sent in batches, received PEEK_LOCK + complete (durable store on)")
    print(
        f"send: {n / send_s:,.0f} msg/s   receive+complete: {n / receive_s:,.0f} msg/s   "
        f"sent+received+completed: {n / (send_s + receive_s):,.0f} msg/s   "
        f"wall incl. connection setup: {n / wall:,.0f} msg/s ({wall:.1f} s)"
    )
    print(
        f"CPU per message: emulator {emulator_cpu / n * 1e6:,.0f} us, client {client_cpu / n * 1e6:,.0f} us, "
        f"ratio emulator/client = {emulator_cpu / client_cpu:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
