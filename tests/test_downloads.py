from types import SimpleNamespace

from assistant.web import downloads
from assistant.web.downloads import Downloads


def test_a_download_is_for_its_owner_once(tmp_path):
    d = Downloads(tmp_path / "dl", ttl=60)
    url = d.add("fiona", "passages 2026/11.csv", lambda p: p.write_text("rank,passage\n"))
    token = url.rsplit("/", 1)[1]
    assert url.startswith("/download/") and len(token) >= 30
    assert d.take(token, "pat") is None  # not pat's, and still fiona's after pat tried
    item = d.take(token, "fiona")
    assert item.filename == "passages-2026-11.csv" and item.path.read_text().startswith("rank")
    assert item.path.stat().st_mode & 0o777 == 0o600 and (tmp_path / "dl").stat().st_mode & 0o777 == 0o700
    assert d.take(token, "fiona") is None  # once


def test_unfetched_downloads_expire_and_are_deleted(tmp_path, monkeypatch):
    clock = SimpleNamespace(now=1000.0)  # the module's clock, moved by the test instead of waited for
    monkeypatch.setattr(downloads, "time", SimpleNamespace(monotonic=lambda: clock.now))
    d = Downloads(tmp_path / "dl", ttl=60)
    kept = d.add("fiona", "x.csv", lambda p: p.write_text("x"))
    gone = d.add("fiona", "y.csv", lambda p: p.write_text("y"))
    clock.now += 59
    d.sweep()
    assert len(list((tmp_path / "dl").iterdir())) == 2  # not yet expired
    assert d.take(kept.rsplit("/", 1)[1], "fiona") is not None
    clock.now += 2  # 61 s after it was made
    d.sweep()
    assert d.take(gone.rsplit("/", 1)[1], "fiona") is None
    assert [p.name for p in (tmp_path / "dl").iterdir()] == [kept.rsplit("/", 1)[1]]  # taken, the caller deletes it


def test_files_left_by_a_previous_run_are_removed_at_start(tmp_path):
    folder = tmp_path / "downloads"
    Downloads(folder).add("fiona", "passages.csv", lambda path: path.write_text("rank\n1\n"))
    assert len(list(folder.iterdir())) == 1  # the server was killed before anyone fetched it
    Downloads(folder)
    assert list(folder.iterdir()) == []


def test_a_temporary_folder_is_made_at_the_first_file_and_removed_with_its_owner(tmp_path, monkeypatch):
    import gc
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    d = Downloads()
    assert list(tmp_path.iterdir()) == []  # an app that never exports leaves no folder behind
    d.add("fiona", "passages.csv", lambda path: path.write_text("rank\n1\n"))
    (folder,) = tmp_path.iterdir()
    assert folder.name.startswith("opcc-downloads-") and oct(folder.stat().st_mode)[-3:] == "700"
    del d
    gc.collect()
    assert not folder.exists()
