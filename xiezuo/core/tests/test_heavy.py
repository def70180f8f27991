"""Heavy work under a hard limit: killed past its time or memory, user errors passed through."""

from __future__ import annotations

import time

import pytest

from xiezuo.core.errors import InvalidValue
from xiezuo.core.heavy import WorkTooHeavy, run_limited


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "done"


def _allocate(mb: int) -> int:
    block = bytearray(mb * 1024 * 1024)
    return len(block)


def _refuse() -> None:
    raise InvalidValue("不能这样填")


def test_work_within_the_limits_returns_its_result() -> None:
    assert run_limited(_sleep, 0.01, what="测试", seconds=10) == "done"


def test_work_past_its_time_is_stopped_with_a_chinese_message() -> None:
    started = time.monotonic()
    with pytest.raises(WorkTooHeavy, match="超过 1 秒"):
        run_limited(_sleep, 30, what="报告核查", seconds=1)
    assert time.monotonic() - started < 10


def test_work_past_its_memory_is_stopped() -> None:
    with pytest.raises(WorkTooHeavy, match="内存超过上限 64 MB"):
        run_limited(_allocate, 2048, what="报告核查", seconds=20, memory_mb=64)


def test_a_user_error_keeps_its_class_and_message() -> None:
    with pytest.raises(InvalidValue, match="不能这样填"):
        run_limited(_refuse, what="测试", seconds=10)
