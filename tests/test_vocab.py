"""Stable vocabularies: every error code the product uses is an ErrorCode, every event documented."""
import re
from pathlib import Path

from app.events import _event_classes
from app.vocab import DISCONNECT_HINTS, DisconnectReason, ErrorCode, HeldReason

APP = Path(__file__).resolve().parents[1] / "app"
_CODE = re.compile(r"""(?:code=|Error\(\s*)["']([a-z][a-z0-9]+(?:-[a-z0-9]+)+)["']""")


def test_every_error_code_in_the_product_is_an_error_code():
    used = set()
    for path in APP.rglob("*.py"):
        used |= set(_CODE.findall(path.read_text(encoding="utf-8")))
    assert used, "the scan found no codes"
    unknown = sorted(c for c in used if c not in {e.value for e in ErrorCode})
    assert unknown == []


def test_every_event_is_documented_and_enums_compare_as_text():
    undocumented = [n for n, cls in _event_classes().items() if not cls.__doc__ or cls.__doc__.startswith(n + "(")]
    assert undocumented == []
    assert HeldReason.COMPLAINT == "complaint" and f"{ErrorCode.DISK_FULL}" == "disk-full"
    assert set(DISCONNECT_HINTS) == set(DisconnectReason)
