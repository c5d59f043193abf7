"""Upload checks: names sanitised, types and sizes enforced, nothing overwritten or outside the folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from ui import uploads
from ui.uploads import UploadRejected, sanitize_filename, save_upload, save_uploads


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("notes.md", "notes.md"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\win.ini.txt", "win.ini.txt"),
        ("/abs/path/Report.PDF", "Report.pdf"),
        ("bad\x00name\x1f.md", "badname.md"),
        ("..hidden.md", "hidden.md"),
        ('we<ird>:"|?*.html', "we_ird______.html"),
        ("  spaced   out .txt", "spaced out.txt"),
        ("\u202egnp.md", "gnp.md"),
        ("..md.md", "md.md"),
    ],
)
def test_sanitize_filename__reduces_to_a_safe_basename(raw: str, expected: str) -> None:
    assert sanitize_filename(raw) == expected


@pytest.mark.parametrize("raw", ["run.exe", "archive.tar.gz", "noext", "x.md.sh", "../../.bashrc", ".md"])
def test_sanitize_filename__rejects_unsupported_types(raw: str) -> None:
    with pytest.raises(UploadRejected, match="not supported"):
        sanitize_filename(raw)


def test_sanitize_filename__limits_length_but_keeps_suffix() -> None:
    name = sanitize_filename("a" * 500 + ".docx")
    assert len(name) <= uploads.MAX_NAME_CHARS and name.endswith(".docx")


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    src = tmp_path / "incoming" / name
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_bytes(data)
    return src


def test_save_upload__copies_into_the_upload_folder(tmp_path: Path) -> None:
    dest = save_upload(_file(tmp_path, "a.md", b"# A"), tmp_path / "up")
    assert dest == (tmp_path / "up" / "a.md").resolve()
    assert dest.read_bytes() == b"# A"


def test_save_upload__name_clash_gets_a_suffix_instead_of_overwriting(tmp_path: Path) -> None:
    up = tmp_path / "up"
    first = save_upload(_file(tmp_path, "a.md", b"one"), up)
    second = save_upload(_file(tmp_path, "a.md", b"two"), up)
    third = save_upload(_file(tmp_path, "a.md", b"three"), up)
    assert [p.name for p in (first, second, third)] == ["a.md", "a-1.md", "a-2.md"]
    assert first.read_bytes() == b"one"


def test_save_upload__traversal_name_stays_inside_the_folder(tmp_path: Path) -> None:
    src = _file(tmp_path, "x.txt", b"data")
    dest = save_upload(src, tmp_path / "up", name="../../outside.txt")
    assert dest.parent == (tmp_path / "up").resolve()
    assert not (tmp_path / "outside.txt").exists()


def test_save_upload__rejects_empty_and_oversized_files(tmp_path: Path) -> None:
    with pytest.raises(UploadRejected, match="empty"):
        save_upload(_file(tmp_path, "e.md", b""), tmp_path / "up")
    with pytest.raises(UploadRejected, match="the file is 11 bytes; the limit is 10 bytes"):
        save_upload(_file(tmp_path, "big.md", b"x" * 11), tmp_path / "up", max_bytes=10)
    assert not (tmp_path / "up").exists() or not any((tmp_path / "up").iterdir())


def test_save_upload__missing_source_is_a_rejection_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(UploadRejected, match="could not be read"):
        save_upload(tmp_path / "gone.md", tmp_path / "up")


def test_save_uploads__reports_bad_files_and_saves_the_good_ones(tmp_path: Path) -> None:
    good = _file(tmp_path, "ok.txt", b"fine")
    bad = _file(tmp_path, "virus.exe", b"MZ")
    result = save_uploads([good, bad], tmp_path / "up")
    assert [p.name for p in result.saved] == ["ok.txt"]
    assert result.rejected and result.rejected[0][0] == "virus.exe"
