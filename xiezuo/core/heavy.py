"""Heavy work of one request (reading and auditing an uploaded report) under a hard limit.

The work runs in a forked child process with a wall-clock deadline and a cap on the memory it
may add; past either the child is killed and the user gets a Chinese message, while the web
worker that asked carries on. A worker timeout (gunicorn's) cannot stop pure-Python work that
never yields, and a thread cannot be killed, hence a process. The child touches no database:
callers read what the work needs first and pass it in. When a job queue exists, this is where
the work moves to it.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from xiezuo.core.errors import XiezuoError

T = TypeVar("T")
MB = 1024 * 1024


class WorkTooHeavy(XiezuoError):
    """The work ran past its time or memory limit and was stopped; nothing was stored."""

    code = "too_heavy"


def _settings() -> tuple[int, int]:
    from django.conf import settings

    return (int(getattr(settings, "XIEZUO_HEAVY_SECONDS", 30)),
            int(getattr(settings, "XIEZUO_HEAVY_MEMORY_MB", 768)))


def _address_space() -> int:
    with open("/proc/self/statm", encoding="ascii") as fh:  # noqa: PTH123 - Linux only, by design
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _child(conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
           memory_mb: int) -> None:
    try:
        budget = _address_space() + memory_mb * MB
        resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    except (OSError, ValueError):
        pass  # no /proc or no permission: the deadline still holds
    try:
        conn.send(("ok", fn(*args, **kwargs)))
    except XiezuoError as exc:
        conn.send(("user", (type(exc).__name__, exc.full_message)))
    except MemoryError:
        conn.send(("memory", None))
    except BaseException:  # noqa: BLE001 - sent to the parent, which raises it there
        conn.send(("crash", traceback.format_exc()))
    finally:
        conn.close()


def run_limited(fn: Callable[..., T], *args: Any, what: str, seconds: int | None = None,
                memory_mb: int | None = None, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)` in a child process; WorkTooHeavy naming `what` past the limits.

    A XiezuoError raised by `fn` reaches the caller as the same class with the same message.
    """
    default_seconds, default_memory = _settings()
    seconds = seconds or default_seconds
    memory_mb = memory_mb or default_memory
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(send, fn, args, kwargs, memory_mb), daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(seconds):
            process.kill()
            raise WorkTooHeavy(f"{what}超过 {seconds} 秒仍未完成，已停止；请缩短内容或分批处理")
        try:
            status, payload = receive.recv()
        except EOFError:  # killed by the kernel (memory) before it could answer
            status, payload = "memory", None
    finally:
        receive.close()
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join()
    if status == "ok":
        return payload  # type: ignore[no-any-return]
    if status == "user":
        name, message = payload
        cls = _user_error_class(name)
        raise cls(message)
    if status == "memory":
        raise WorkTooHeavy(f"{what}所需内存超过上限 {memory_mb} MB，已停止；请缩短内容或分批处理")
    raise RuntimeError(f"{what} failed in a child process:\n{payload}")


def _user_error_class(name: str) -> type[XiezuoError]:
    """The XiezuoError subclass of that name (any module), or XiezuoError itself."""
    pending: list[type[XiezuoError]] = [XiezuoError]
    while pending:
        cls = pending.pop()
        if cls.__name__ == name:
            return cls
        pending.extend(cls.__subclasses__())
    return XiezuoError
