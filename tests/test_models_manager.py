"""Model manager against a local HTTP server on 127.0.0.1: good, truncated, corrupted and
missing downloads, resume, checksum (published and first-use), atomic install, --from, remove."""

import hashlib
import http.server
import json
import threading
import zipfile
from pathlib import Path

import pytest

from app.errors import ModelMissingError
from app.recognition import models
from app.recognition.models import ModelError, ModelSpec


def _model_tree(root: Path, name: str, payload: bytes) -> Path:
    d = root / name
    for rel, data in {"am/final.mdl": payload, "conf/model.conf": b"--min-active=200\n",
                      "graph/HCLr.fst": payload[::-1], "graph/Gr.fst": payload[:1000],
                      "README": b"test model\n"}.items():
        (d / rel).parent.mkdir(parents=True, exist_ok=True)
        (d / rel).write_bytes(data)
    return d


def _zip(tree: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(tree.rglob("*")):
            if f.is_file():
                zf.write(f, f"{tree.name}/{f.relative_to(tree).as_posix()}")
    return out


class _Handler(http.server.BaseHTTPRequestHandler):
    files: dict = {}
    log: list = []

    def log_message(self, *a):
        pass

    def do_GET(self):
        kind, _, name = self.path.strip("/").partition("/")
        _Handler.log.append((self.path, self.headers.get("Range")))
        data = _Handler.files.get(name)
        if data is None:
            self.send_error(404, "Not Found")
            return
        if kind == "truncated":  # promises everything, sends 40 %, hangs up
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: int(len(data) * 0.4)])
            self.wfile.flush()
            self.close_connection = True
            return
        if kind == "corrupt":
            data = bytes(b ^ 0xFF if i == len(data) // 2 else b for i, b in enumerate(data))
        start = 0
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes=") and kind == "good":
            start = int(rng[6:].split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def archive(tmp_path):
    import os

    tree = _model_tree(tmp_path / "src", "vosk-model-test-0.1", os.urandom(300_000))
    z = _zip(tree, tmp_path / "vosk-model-test-0.1.zip")
    data = z.read_bytes()
    _Handler.files = {"m.zip": data, "notzip.zip": b"PK\x03\x04 this is not really a zip" * 1000}
    _Handler.log = []
    return {"tree": tree, "zip": z, "data": data, "sha": hashlib.sha256(data).hexdigest()}


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv("LIVEHOST_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "models" / "vosk"


def _spec(server, kind, archive, *, sha=True, size=True, name="vosk-model-test-0.1"):
    return ModelSpec(name, ("test",), "zh", "small", f"{server}/{kind}/m.zip", "300 KB",
                     len(archive["data"]) if size else None, archive["sha"] if sha else None, "test")


def _leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith((".tmp-", ".trash-"))) if root.exists() else []


def test_data_dir_follows_env(root):
    assert models.models_root() == root


def test_install_verified_download(server, archive, root):
    spec = _spec(server, "good", archive)
    seen = []
    path = models.install(spec.name, spec=spec, progress=False, on_progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(archive["data"]), len(archive["data"]))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert path == root / spec.name
    assert (path / "am" / "final.mdl").read_bytes() == (archive["tree"] / "am" / "final.mdl").read_bytes()
    manifest = json.loads((path / models.MANIFEST).read_text())
    assert manifest["sha256"] == archive["sha"] and manifest["sha256_verified"] == "catalogue"
    assert not (root / ".downloads" / f"{spec.name}.zip.part").exists()
    assert _leftovers(root) == []
    assert models.model_path(spec.name) == path
    assert models.resolve_model(str(path)) == path


def test_truncated_download_fails_cleanly_then_resumes(server, archive, root):
    spec = _spec(server, "truncated", archive)
    with pytest.raises(ModelError) as e:
        models.install(spec.name, spec=spec, progress=False)
    assert e.value.code == "model-download-failed"
    assert not (root / spec.name).exists()
    part = root / ".downloads" / f"{spec.name}.zip.part"
    kept = part.stat().st_size
    assert 0 < kept < len(archive["data"])
    with pytest.raises(ModelMissingError):
        models.model_path(spec.name)
    # same model from a server that honours Range: only the rest is fetched
    good = _spec(server, "good", archive)
    path = models.install(good.name, spec=good, progress=False)
    assert (path / "README").read_bytes() == b"test model\n"
    assert ("/good/m.zip", f"bytes={kept}-") in _Handler.log
    assert not part.exists() and _leftovers(root) == []


def test_corrupted_download_is_deleted_and_nothing_installed(server, archive, root):
    spec = _spec(server, "corrupt", archive)
    with pytest.raises(ModelError) as e:
        models.install(spec.name, spec=spec, progress=False)
    assert e.value.code == "model-download-corrupt" and archive["sha"] in e.value.message
    assert not (root / spec.name).exists()
    assert not (root / ".downloads" / f"{spec.name}.zip.part").exists()
    assert _leftovers(root) == []


def test_wrong_size_is_corrupt(server, archive, root):
    spec = ModelSpec("vosk-model-test-0.1", (), "zh", "small", f"{server}/good/m.zip", "", len(archive["data"]) + 5,
                     archive["sha"], "test")
    with pytest.raises(ModelError) as e:
        models.install(spec.name, spec=spec, progress=False)
    # the server sends fewer bytes than the catalogue size: checked after the transfer ends
    assert e.value.code == "model-download-corrupt"
    assert not (root / spec.name).exists()


def test_missing_file_is_a_download_error(server, archive, root):
    spec = ModelSpec("vosk-model-nope", (), "zh", "small", f"{server}/good/nope.zip", "")
    with pytest.raises(ModelError) as e:
        models.install(spec.name, spec=spec, progress=False)
    assert e.value.code == "model-download-failed" and "404" in e.value.message


def test_trust_on_first_use(server, archive, root):
    spec = _spec(server, "good", archive, sha=False, size=False)
    path = models.install(spec.name, spec=spec, progress=False)
    trust = json.loads((root / models.TRUST_FILE).read_text())
    assert trust[spec.name]["sha256"] == archive["sha"]
    assert json.loads((path / models.MANIFEST).read_text())["sha256_verified"] == "recorded-first-use"
    models.remove(spec.name)
    # a later download that differs from the recorded checksum is refused
    bad = _spec(server, "corrupt", archive, sha=False, size=False)
    with pytest.raises(ModelError) as e:
        models.install(bad.name, spec=bad, progress=False)
    assert e.value.code == "model-download-corrupt"
    assert not (root / spec.name).exists()
    # and the same archive again is accepted as a match
    again = models.install(spec.name, spec=spec, progress=False)
    assert json.loads((again / models.MANIFEST).read_text())["sha256_verified"] == "first-use-match"


def test_archive_without_model_is_rejected_and_not_trusted(server, archive, root):
    spec = ModelSpec("vosk-model-junk", (), "zh", "small", f"{server}/good/notzip.zip", "")
    with pytest.raises(ModelError) as e:
        models.install(spec.name, spec=spec, progress=False)
    assert e.value.code == "model-archive-invalid"
    assert not (root / "vosk-model-junk").exists() and _leftovers(root) == []
    assert "vosk-model-junk" not in json.loads((root / models.TRUST_FILE).read_text()) \
        if (root / models.TRUST_FILE).exists() else True


def test_install_from_zip_and_folder_offline(archive, root, tmp_path):
    p = models.install_from(archive["zip"])
    assert p == root / "vosk-model-test-0.1" and (p / "graph" / "Gr.fst").is_file()
    q = models.install_from(archive["tree"], name="my-model")
    assert q == root / "my-model" and (q / "am" / "final.mdl").is_file()
    # reinstalling replaces the folder in one step
    p2 = models.install_from(archive["zip"])
    assert p2 == p and _leftovers(root) == []
    names = {r["name"]: r for r in models.list_models()}
    assert names["my-model"]["installed"] and names["vosk-model-test-0.1"]["installed"]


def test_install_from_checks_catalogue_checksum(archive, root):
    with pytest.raises(ModelError) as e:  # pretends to be the published Chinese small model
        models.install_from(archive["zip"], name="small-cn")
    assert e.value.code == "model-download-corrupt"
    assert not (root / "vosk-model-small-cn-0.22").exists()


def test_install_from_rejects_escaping_archive_and_non_models(tmp_path, root, archive):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../outside.txt", "x")
    with pytest.raises(ModelError) as e:
        models.install_from(evil)
    assert e.value.code == "model-archive-invalid"
    assert not (tmp_path / "data" / "models" / "outside.txt").exists()
    empty = tmp_path / "emptydir"
    empty.mkdir()
    with pytest.raises(ModelError) as e:
        models.install_from(empty)
    assert e.value.code == "model-archive-invalid"
    assert _leftovers(root) == []


def test_remove_and_errors(archive, root):
    models.install_from(archive["zip"])
    assert models.remove("vosk-model-test-0.1") == root / "vosk-model-test-0.1"
    assert not (root / "vosk-model-test-0.1").exists()
    with pytest.raises(ModelError) as e:
        models.remove("vosk-model-test-0.1")
    assert e.value.code == "model-not-installed"
    with pytest.raises(ModelError):
        models.install("no-such-model", progress=False)
    with pytest.raises(ModelMissingError) as e:
        models.resolve_model(None)
    assert e.value.code == "asr-model-missing"


def test_catalogue_has_the_four_seller_models_and_honest_checksums():
    by = {s.name: s for s in models.CATALOGUE}
    assert set(by) == {"vosk-model-small-cn-0.22", "vosk-model-cn-0.22", "vosk-model-small-en-us-0.15",
                       "vosk-model-en-us-0.22"}
    for s in by.values():
        assert s.url.endswith(f"/{s.name}.zip")
        assert (s.sha256 is None) == (s.sha256_source == "")
        assert s.sha256 is None or (len(s.sha256) == 64 and s.size_bytes)
    assert models.find_spec("small-cn").name == "vosk-model-small-cn-0.22"
    assert models.find_spec("EN").name == "vosk-model-en-us-0.22"


def main_models(argv):
    from app.cli import main

    return main(["models", *argv])


def test_cli_models(archive, root, capsys):
    assert main_models(["install", "--from", str(archive["zip"])]) == 0
    assert main_models(["path", "vosk-model-test-0.1"]) == 0
    assert capsys.readouterr().out.strip().endswith(str(root / "vosk-model-test-0.1"))
    assert main_models(["list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert any(r["name"] == "vosk-model-test-0.1" and r["installed"] for r in rows)
    assert main_models(["remove", "vosk-model-test-0.1"]) == 0
    assert main_models(["path", "vosk-model-test-0.1"]) == 1
    assert "asr-model-missing" in capsys.readouterr().err
    assert main_models(["frobnicate"]) == 2
    assert main_models(["install"]) == 2
