"""Which product was being presented (讲解中) at a given stream time.

Stages that receive now-selling changes and messages on different paths (the messages wait
behind the understanding stage's backlog) resolve each message against the product on sale
at *its* stream time, not at the time it happens to be handled.
"""

from __future__ import annotations

import bisect
from typing import Generic, TypeVar

T = TypeVar("T")


class NowSellingTimeline(Generic[T]):
    """Now-selling changes as (stream time in seconds, value), kept in time order."""

    def __init__(self) -> None:
        self._times: list[float] = []
        self._values: list[T] = []

    def set(self, t: float, value: T) -> None:
        """Record that ``value`` is presented from stream time ``t`` on."""
        i = bisect.bisect_right(self._times, t)
        self._times.insert(i, t)
        self._values.insert(i, value)

    def at(self, t: float) -> T | None:
        """The value presented at stream time ``t`` (``None`` before the first change)."""
        i = bisect.bisect_right(self._times, t)
        return self._values[i - 1] if i else None

    @property
    def latest(self) -> T | None:
        return self._values[-1] if self._values else None

    @property
    def latest_t(self) -> float:
        """Stream time of the latest change (0.0 when none)."""
        return self._times[-1] if self._times else 0.0

    def changed_between(self, after: float, until: float) -> bool:
        """True when a change happened in the stream-time interval (``after``, ``until``]."""
        return bisect.bisect_right(self._times, until) > bisect.bisect_right(self._times, after)
