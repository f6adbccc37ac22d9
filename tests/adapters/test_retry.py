from __future__ import annotations

from collections.abc import Callable

import pytest

from adapters import ConnectionLost, RetryPolicy, TransientError
from adapters.errors import AuthenticationFailed
from tests.adapters.conftest import RecordingSleep


def failing(times: int, error: Exception) -> tuple[list[int], Callable[[], str]]:
    calls: list[int] = []

    def operation() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise error
        return "done"

    return calls, operation


def test_transient_error_is_retried_until_success_with_doubling_delays(sleeps: RecordingSleep) -> None:
    calls, operation = failing(3, ConnectionLost("reset"))
    policy = RetryPolicy(attempts=4, base_delay=0.5, jitter=0.0, sleep=sleeps)
    assert policy.run(operation) == "done"
    assert len(calls) == 4
    assert sleeps.delays == [0.5, 1.0, 2.0]


def test_attempts_are_bounded(sleeps: RecordingSleep) -> None:
    calls, operation = failing(10, ConnectionLost("reset"))
    with pytest.raises(TransientError):
        RetryPolicy(attempts=3, jitter=0.0, sleep=sleeps).run(operation)
    assert len(calls) == 3
    assert len(sleeps.delays) == 2


def test_permanent_error_is_not_retried(sleeps: RecordingSleep) -> None:
    calls, operation = failing(1, AuthenticationFailed("no"))
    with pytest.raises(AuthenticationFailed):
        RetryPolicy(sleep=sleeps).run(operation)
    assert len(calls) == 1
    assert sleeps.delays == []


def test_delay_is_capped_and_jitter_only_shortens() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0, jitter=0.5)
    for _ in range(100):
        assert 2.5 <= policy.delay(10) <= 5.0
        assert 0.5 <= policy.delay(1) <= 1.0


def test_invalid_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
