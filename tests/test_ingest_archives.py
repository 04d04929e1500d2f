"""Archives of log files: a zip or a tarball is read as the files it holds."""

from __future__ import annotations

import io
import json
import tarfile
import warnings
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import rcakit
from rcakit.cli import main
from rcakit.errors import InputError, RcakitWarning
from rcakit.ingest import _archive

LINE = "2024-03-01 10:00:00,123 ERROR [main] c.x.Y - boom\n"


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, text in members.items():
            z.writestr(name, text)
    return path


def test_a_zip_is_read_as_its_files_named_by_member(tmp_path):
    z = _zip(tmp_path / "incident.zip", {"incident/payment/app.log": LINE, "incident/checkout/app.log": LINE * 2})
    frame = rcakit.read_logs(z)
    assert frame.height == 3
    assert sorted(frame["source"].unique().to_list()) == [
        f"{z}!/incident/checkout/app.log",
        f"{z}!/incident/payment/app.log",
    ]
    # one folder per service, generic file names: the folders name the services
    assert sorted(frame["service"].unique().to_list()) == ["checkout", "payment"]
    # and lazily, with the same names
    assert rcakit.scan_logs(z).select("source").collect()["source"].n_unique() == 2


def test_a_tarball_with_a_change_list_gives_the_report_of_its_folder(tmp_path):
    sc = rcakit.generate_incident(tmp_path / "incident", fault="new_error", seed=3, hours=3)
    tgz = tmp_path / "incident.tar.gz"
    with tarfile.open(tgz, "w:gz") as t:
        t.add(sc.out_dir, arcname="incident")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        from_folder = rcakit.analyze(sc.out_dir)
        from_archive = rcakit.analyze(tgz)
    inc = from_archive.incidents[0]
    assert (inc.root_service, inc.cause) == (sc.truth.root_service, sc.truth.cause_change_id)
    assert [(i.root_service, i.cause, i.start) for i in from_archive.incidents] == [
        (i.root_service, i.cause, i.start) for i in from_folder.incidents
    ]
    # the change list inside the archive was found, and is named by its member name
    assert from_archive.inputs.change_files == (f"{tgz}!/incident/deploys.csv",)
    out = tmp_path / "report.json"
    res = CliRunner().invoke(main, ["report", str(tgz), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text())["incidents"][0]["cause"] == sc.truth.cause_change_id


def test_unsafe_archives_are_refused_or_contained(tmp_path, monkeypatch):
    # a member that climbs out of the folder is kept inside it
    z = _zip(tmp_path / "evil.zip", {"../../escaped.log": LINE, "/etc/abs.log": LINE})
    frame = rcakit.read_logs(z)
    assert frame.height == 2
    assert not (tmp_path / "escaped.log").exists()
    assert all(src.startswith(f"{z}!/") and ".." not in src for src in frame["source"])
    # a tar member that is a link out of the folder is refused by the "data" filter
    bad = tmp_path / "link.tar"
    with tarfile.open(bad, "w") as t:
        info = tarfile.TarInfo("app.log")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        t.addfile(info)
    with pytest.raises(InputError, match="cannot unpack the archive"):
        rcakit.read_logs(bad)
    # a zip bomb: more than MAX_RATIO times its size (at least 1 MiB) when unpacked
    monkeypatch.setattr(_archive, "MAX_RATIO", 2)
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.log", "0" * (3 * 1024 * 1024))
    with pytest.raises(InputError, match="more than 2 times its size"):
        rcakit.read_logs(bomb)


def test_archives_that_cannot_be_unpacked(tmp_path):
    seven = tmp_path / "logs.7z"
    seven.write_bytes(b"7z\xbc\xaf\x27\x1c" + b"\x00" * 64)
    res = CliRunner().invoke(main, ["parse", str(seven), "-o", str(tmp_path / "o.parquet")])
    assert res.exit_code == 2
    assert "a 7z/RAR archive, which rcakit cannot unpack: unpack it first (7z x" in res.output
    assert "Traceback" not in res.output
    # lying in a folder beside logs: skipped with a warning, the logs are read
    (tmp_path / "payment.log").write_text(LINE)
    res = CliRunner().invoke(main, ["parse", str(tmp_path), "-o", str(tmp_path / "o.parquet")])
    assert res.exit_code == 0, res.output
    assert "warning: skipped " in res.output
    # a corrupt zip named on its own
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + b"garbage" * 10)
    with pytest.raises(InputError, match=r"broken\.zip: cannot unpack the archive"):
        rcakit.read_logs(broken)


def test_a_zip_in_a_folder_and_a_zip_in_a_zip(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("inner.log", LINE)
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "payment.log").write_text(LINE)
    _zip(tmp_path / "logs" / "more.zip", {"orders.log": LINE})
    with zipfile.ZipFile(tmp_path / "logs" / "outer.zip", "w") as z:
        z.writestr("nested.zip", inner.getvalue())
    frame = rcakit.read_logs(tmp_path / "logs")
    assert frame.height == 3
    assert sorted(frame["service"].to_list()) == ["inner", "orders", "payment"]
    assert _archive.archive_kind(str(tmp_path / "logs" / "payment.log")) is None


def test_a_zip_made_on_a_mac_stands_for_its_one_folder(tmp_path):
    # macOS adds __MACOSX/._<name> resource forks beside the folder it zips
    z = _zip(
        tmp_path / "incident.zip",
        {"incident/payment.log": LINE, "__MACOSX/incident/._payment.log": "\x00\x05\x16\x07"},
    )
    (folder,) = _archive.unpack_inputs([z])
    assert Path(folder).name == "incident"
    assert rcakit.read_logs(z)["source"].to_list() == [f"{z}!/incident/payment.log"]


def test_a_corrupt_archive_inside_an_archive_is_named_by_its_member(tmp_path):
    z = _zip(tmp_path / "outer.zip", {"payment.log": LINE, "inner/broken.zip": "PK\x03\x04garbage"})
    with pytest.warns(RcakitWarning, match=r"skipped .*outer\.zip!/inner/broken\.zip: cannot unpack"):
        frame = rcakit.read_logs(z)
    assert frame["source"].to_list() == [f"{z}!/payment.log"]


def test_a_relative_folder_with_a_zip_beside_keeps_its_folder_names(tmp_path, monkeypatch):
    # incident/{rails,nginx}/<generic name> and a zip: read by a relative path, the zip's files
    # are unpacked to an absolute temporary folder; the folders still name the services
    base = tmp_path / "incident"
    for sub in ("rails", "nginx"):
        (base / sub).mkdir(parents=True)
    (base / "rails" / "production.log").write_text(LINE)
    (base / "nginx" / "access.log").write_text(LINE)
    (base / "bundle").mkdir()
    _zip(base / "bundle" / "x.zip", {"incident/orders/app.log": LINE})
    monkeypatch.chdir(tmp_path)
    frame = rcakit.read_logs("incident")
    by_source = dict(zip(frame["source"].to_list(), frame["service"].to_list(), strict=True))
    assert by_source[str(Path("incident/rails/production.log"))] == "rails"
    assert by_source[str(Path("incident/nginx/access.log"))] == "nginx"
    assert sorted(set(by_source.values())) == ["nginx", "orders", "rails"]
