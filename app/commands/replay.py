"""``livehost replay``: replay a session file and print a live table of what the host would say."""

from __future__ import annotations

import shutil
import sys
import unicodedata
from pathlib import Path

from app.cli import load_settings_for


def mmss(t: float) -> str:
    """Stream time as ``mm:ss.s`` (rounded once, so 119.96 s is ``02:00.0``, never ``01:60.0``)."""
    tenths = int(round(max(0.0, t) * 10))
    minutes, tenths = divmod(tenths, 600)
    return f"{minutes:02d}:{tenths // 10:02d}.{tenths % 10}"


def shown(text: str) -> str:
    """Text for the table: zero-width / direction / control characters would shift the columns."""
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc"))


class LiveTable:
    """The live table printed while a session runs: one row per decided message."""

    WIDTHS = (7, 10, 28, 22, 60)

    def __init__(self, title: str, quiet: bool = False) -> None:
        from rich.console import Console

        self.console = Console(highlight=False, soft_wrap=False,
                               width=max(shutil.get_terminal_size((160, 40)).columns, 140))
        self.title = title
        self.quiet = quiet
        self._header = False

    def _row(self, cells, header=False):
        from rich.table import Table
        from rich.text import Text

        t = Table(show_header=False, box=None, pad_edge=False, padding=(0, 1))
        for w in self.WIDTHS:
            t.add_column(width=w, no_wrap=True, overflow="ellipsis")
        t.add_row(*(Text(c) for c in cells), style="bold" if header else None)  # viewer text is never markup
        return t

    def header(self) -> None:
        if not self._header and not self.quiet:
            self._header = True
            self.console.print(self.title, markup=False)
            self.console.print(self._row(["time", "viewer", "message", "intent", "reply (or why none)"], True))

    def line(self, text: str) -> None:
        if not self.quiet:
            self.console.print(text, markup=False)

    def on_row(self, r: dict) -> None:
        if self.quiet:
            return
        self.header()  # only once the run is going: an error before it prints no table
        who = shown(r["nickname"] or r["viewer"])
        if r["kind"] == "host_speech":
            intent = "host speech"
        else:
            intent = r["intent"] or r["kind"]
            if r["confidence"] is not None:
                intent += f" {r['confidence']:.2f}" + ("?" if r["uncertain"] else "")
        if r.get("merged_into"):
            out = f"(same question: answered by {r['merged_into']})"
        elif r["reply"]:
            out = ("[HELD: " + r["held_reason"] + "] " if r["held_reason"] else "") + r["reply"]
        else:
            out = f"(no reply: {r['no_reply_reason']})"
        self.console.print(self._row([mmss(r["t"]), who, shown(r["text"]), intent, shown(out)]))
        sys.stdout.flush()

    def summary(self, result, *, no_audio: bool, speed: float | None, out: Path) -> None:
        s = result.summary
        rep = s["replies"]
        c = self.console
        c.print(
            f"\nDone: {s['events']} events in {s['wall_seconds']} s (session {result.session_id}); "
            f"replies spoken {rep['spoken']}"
            + (f" (approved, not synthesized because of --no-audio: {rep['approved_not_spoken']})" if no_audio else "")
            + ", "
            f"held for the seller {rep['held']}, awaiting approval {rep['awaiting_seller']}, "
            f"no reply {rep['none']}; identical questions merged {rep['questions_merged']}; "
            f"unanswered questions {len(s['unanswered_questions'])}; "
            f"errors {len(s['errors'])}" + (f", notes {len(s['notes'])}" if s["notes"] else "") + ".",
            markup=False)
        lat = s["latency_ms"]
        c.print(f"Latency p50/p95 (ms): reply-ready {lat['reply_ready']['p50_ms']}/{lat['reply_ready']['p95_ms']}, "
                f"audio-ready {lat['audio_ready']['p50_ms']}/{lat['audio_ready']['p95_ms']}"
                + (" (at --speed max these include waiting behind the whole backlog; "
                   "bench/bench_replay.py measures them paced)" if speed is None else ""), markup=False)
        for kind, items in (("error", s["errors"]), ("note", s["notes"])):
            for e in items[:20]:
                c.print(f"  {kind} [{e['code']}]: {e['message']}" + (f" -> {e['hint']}" if e.get("hint") else ""),
                        markup=False)
        c.print(f"Wrote {out / 'replies.jsonl'}, {out / 'summary.json'}"
                + ("" if no_audio else f" and {out / 'audio' / result.session_id.replace('#', '-')}/*.wav")
                + f"; every run is kept in {out / 'session.sqlite3'}", markup=False)


def run(args) -> int:
    from app.replay import run_replay

    table = LiveTable(f"LiveHost replay: {args.session} with catalog {args.catalog} -> {args.out}", args.quiet)
    settings = load_settings_for(args)
    speed = None if args.speed is None or args.speed == float("inf") else args.speed
    try:
        result = run_replay(Path(args.session), Path(args.catalog), Path(args.out), settings=settings,
                            speed=speed, audio=not args.no_audio, on_row=table.on_row,
                            skip_bad_rows=args.skip_bad_rows,
                            interactions=Path(args.interactions) if args.interactions else None)
    except KeyboardInterrupt:
        print(f"\nlivehost: replay interrupted; what was handled so far is in {args.out}", file=sys.stderr)
        return 130
    table.summary(result, no_audio=args.no_audio, speed=speed, out=Path(args.out))
    return 0
