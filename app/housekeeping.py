"""Housekeeping for a whole working day on air: reply audio within a budget, the session
database's write-ahead log checkpointed, free disk watched, the event loop's lag measured.

Nothing here decides what is said; it keeps an eight-hour session's memory and disk flat.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections import deque
from pathlib import Path

from app.events import (ErrorOccurred, Event, ReplyEdited, ReplySuggested, SpeechFinished, SpeechSynthesized)
from app.vocab import ErrorCode

log = logging.getLogger(__name__)


class AudioBudget:
    """An observer that deletes old reply WAVs: older than ``keep_s`` seconds of stream time, or
    beyond ``keep_mb`` MB in all (oldest first). The audio of held or edited replies is kept for
    the session report, and a file is only deleted once it has finished playing (or was
    synthesized more than ``grace_s`` seconds of stream time ago).

    Args:
        keep_s: stream-time seconds to keep (0 = no time limit).
        keep_mb: MB to keep in all (0 = no size limit).
    """

    def __init__(self, keep_s: float = 3600.0, keep_mb: float = 0.0, grace_s: float = 300.0) -> None:
        self.keep_s = float(keep_s)
        self.keep_bytes = int(keep_mb * 1e6)
        self.grace_s = float(grace_s)
        self._files: deque[tuple[float, str, str, int]] = deque()  # (t, reply_id, path, bytes)
        self._bytes = 0
        self._keep: set[str] = set()
        self._done: set[str] = set()
        self.deleted = 0
        """Files removed so far."""

    @property
    def kept_bytes(self) -> int:
        """Bytes of reply audio the budget is tracking (on disk, not protected)."""
        return self._bytes

    def on_event(self, e: Event) -> None:
        if isinstance(e, ReplySuggested):
            if e.held_reason:
                self._keep.add(e.reply_id)
        elif isinstance(e, ReplyEdited):
            self._keep.add(e.reply_id)
        elif isinstance(e, SpeechFinished):
            self._done.add(e.reply_id)
        elif isinstance(e, SpeechSynthesized):
            if e.reply_id in self._keep:
                return
            try:
                size = Path(e.audio_path).stat().st_size
            except OSError:
                return
            self._files.append((e.t, e.reply_id, e.audio_path, size))
            self._bytes += size
            self._prune(e.t)

    def _prune(self, now_t: float) -> None:
        while self._files:
            t, rid, path, size = self._files[0]
            too_old = self.keep_s > 0 and now_t - t > self.keep_s
            too_big = self.keep_bytes > 0 and self._bytes > self.keep_bytes
            if not (too_old or too_big):
                break
            if rid not in self._done and now_t - t < self.grace_s:
                break  # may still be playing or queued: try again with the next file
            self._files.popleft()
            self._bytes -= size
            self._done.discard(rid)
            if rid in self._keep:
                continue
            try:
                Path(path).unlink()
                self.deleted += 1
            except FileNotFoundError:
                pass
            except OSError as exc:
                log.warning("could not delete old reply audio %s: %s", path, exc)
        if len(self._done) > 10_000:
            self._done.clear()


class Housekeeping:
    """Periodic chores of a running session (on its event loop):

    * every ``checkpoint_every_s`` (wall clock): ``store.checkpoint()`` (the WAL stays small);
    * every ``disk_every_s``: free space on the store's and the audio folder's disks; below
      ``min_free_mb`` the seller is told once (``disk-low``), and again when there is room;
    * continuously: the event loop's lag (how late a 0.25 s sleep wakes), p99 in :attr:`lag`.
    """

    def __init__(self, store, folders: list[Path], publish, *, min_free_mb: float = 200.0,
                 checkpoint_every_s: float = 300.0, disk_every_s: float = 30.0, lag_tick_s: float = 0.25) -> None:
        from app.observers import LatencySketch

        self.store = store
        self.folders = [Path(f) for f in folders]
        self.publish = publish
        self.min_free_mb = float(min_free_mb)
        self.checkpoint_every_s = float(checkpoint_every_s)
        self.disk_every_s = float(disk_every_s)
        self.lag_tick_s = float(lag_tick_s)
        self.lag = LatencySketch()
        self.checkpoints = 0
        self._low: set[Path] = set()
        self._tasks: list[asyncio.Task] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._checkpoints(), name="housekeeping-checkpoint"),
                       asyncio.create_task(self._disk(), name="housekeeping-disk"),
                       asyncio.create_task(self._lag(), name="housekeeping-lag")]

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _checkpoints(self) -> None:
        while True:
            await asyncio.sleep(self.checkpoint_every_s)
            self.store.checkpoint()
            self.checkpoints += 1

    async def check_disk(self) -> None:
        """One look at the free space (also called by tests)."""
        for folder in self.folders:
            try:
                free_mb = shutil.disk_usage(folder).free / 1e6
            except OSError:
                continue
            low = free_mb < self.min_free_mb
            if low and folder not in self._low:
                self._low.add(folder)
                await self.publish(ErrorOccurred(
                    code=ErrorCode.DISK_LOW, stage="housekeeping",
                    message=f"Only {free_mb:.0f} MB free on the disk of {folder} (below {self.min_free_mb:.0f} MB): "
                            "LiveHost will stop saving audio and then the session log when it is full.",
                    hint="Free disk space now (old reply audio is removed by itself after storage.audio_keep_s)."))
            elif not low and folder in self._low:
                self._low.discard(folder)
                await self.publish(ErrorOccurred(code=ErrorCode.DISK_LOW, stage="housekeeping",
                                                 message=f"Disk space on {folder} is fine again ({free_mb:.0f} MB free).",
                                                 hint=""))

    async def _disk(self) -> None:
        while True:
            await self.check_disk()
            await asyncio.sleep(self.disk_every_s)

    async def _lag(self) -> None:
        while True:
            t0 = time.perf_counter()
            await asyncio.sleep(self.lag_tick_s)
            self.lag.add(time.perf_counter() - t0 - self.lag_tick_s)
