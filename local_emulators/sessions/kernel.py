"""The Python kernel of one emulated session: it runs inside the sandbox, standard library only.

Started once per session (`python -I -c <this file's source>`), it keeps one namespace for the session's life,
so variables persist between executions as in a Jupyter kernel, and the value of a trailing expression comes back
as the result. Requests arrive as JSON lines on the original stdin, replies leave as JSON lines on a private
duplicate of the original stdout; the code's own stdin is /dev/null and its stdout/stderr (file descriptors 1 and
2, so child processes are captured too) are anonymous memory files read back after each execution.
"""

from __future__ import annotations

import ast
import json
import math
import os
import signal
import sys
import traceback
from typing import Any

_JSON_SCALARS = (int, float, str, bool, type(None))


def _capture_file(target_fd: int) -> int:
    capture = os.memfd_create(f"capture-{target_fd}")
    os.dup2(capture, target_fd)
    return capture


def _drain(capture: int, limit: int) -> tuple[str, bool]:
    size = os.fstat(capture).st_size
    os.lseek(capture, 0, os.SEEK_SET)
    data = os.read(capture, min(size, limit)) if size else b""
    os.ftruncate(capture, 0)
    os.lseek(capture, 0, os.SEEK_SET)
    return data.decode("utf-8", errors="replace"), size > limit


def _result_value(value: Any, limit: int) -> Any:
    if isinstance(value, _JSON_SCALARS) and not (isinstance(value, float) and not math.isfinite(value)):
        return value if not isinstance(value, str) else value[:limit]
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _run(code: str, namespace: dict[str, Any], limit: int) -> tuple[Any, bool]:
    """Execute `code` in `namespace`; returns (the last expression's value or None, whether it raised)."""
    try:
        tree = ast.parse(code, filename="<session>")
        last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        body = tree.body[:-1] if last is not None else tree.body
        exec(compile(ast.Module(body=body, type_ignores=[]), "<session>", "exec"), namespace)
        if last is None:
            return None, False
        value = eval(compile(ast.Expression(body=last.value), "<session>", "eval"), namespace)
        return (None if value is None else _result_value(value, limit)), False
    except SystemExit as stop:
        return None, stop.code not in (None, 0)
    except BaseException as error:
        # Drop the kernel's own frame: the traceback starts in the session's code, as in Jupyter.
        traceback.print_exception(type(error), error, error.__traceback__.tb_next if error.__traceback__ else None)
        return None, True


def main() -> None:
    """Serve execution requests until stdin closes."""
    # Writes beyond the file-size limit fail with EFBIG instead of killing the kernel.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    out, err = _capture_file(1), _capture_file(2)
    sys.path.insert(0, "")
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
    for line in requests:
        request = json.loads(line)
        limit = int(request.get("max_output", 1 << 20))
        result, failed = _run(request["code"], namespace, limit)
        sys.stdout.flush()
        sys.stderr.flush()
        stdout, out_cut = _drain(out, limit)
        stderr, err_cut = _drain(err, limit)
        reply = {
            "stdout": stdout,
            "stderr": stderr,
            "result": result,
            "failed": failed,
            "truncated": out_cut or err_cut,
        }
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
