"""Indexing under fire: `rag index` killed mid-run, run twice at once, fed bad files, out of disk, read-only.

Every fault here is real: the indexer is a real `rag index` process killed with SIGKILL, the disk is a real
tmpfs that fills up, unreadable files and folders are read by a process without root's power to override
file permissions (capabilities dropped before exec). What must hold afterwards: the index equals a clean
build of the same documents (same chunk ids, so no duplicates, no missing file, same chunks per file), every
good file is indexed, every bad one is named with a reason, and failures are one clear line.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from filelock import FileLock

from rag import Rag
from rag.ingest.indexer import Indexer
from rag.ingest.readers import MAX_FILE_BYTES
from rag.retrieval.embed import Embedder
from rag.store.records import chunk_text
from tests import docs
from tests.conftest import CORPUS, make_settings
from tests.docs import chunks

pytestmark = pytest.mark.faults

CHUNKING = {"chunk_size": 64, "chunk_overlap": 8}
PARA = (
    "Part {i} of the {name} report. The {name} survey counted {i} herds of okapi near the river and wrote "
    "down where each was seen, so that a later survey can find them again and compare the numbers. "
)


def write_doc(folder: Path, name: str, paragraphs: int = 4, salt: str = "") -> Path:
    return docs.write_doc(folder, name, paragraphs, salt, template=PARA)


def thirty_docs(tmp_path: Path) -> Path:
    corpus = tmp_path / "docs"
    corpus.mkdir()
    for n in range(30):
        write_doc(corpus, f"doc{n:02d}")
    return corpus


def per_file(index: dict[str, tuple[str, str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for file, _hash in index.values():
        counts[file] = counts.get(file, 0) + 1
    return counts


def clean_build(tmp: Path, corpus: Path, embedder: Embedder) -> dict[str, tuple[str, str]]:
    engine = Rag(make_settings(tmp, corpus, **CHUNKING), embedder=embedder)
    engine.index()
    return chunks(engine)


def index_env(data_dir: Path, corpus: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, RAG_DATA_DIR=str(data_dir), RAG_CORPUS_DIR=str(corpus),
               RAG_CHUNK_SIZE="64", RAG_CHUNK_OVERLAP="8")  # fmt: skip
    env.update(extra)
    return env


INDEX_CMD = [sys.executable, "-m", "rag.cli", "index", "--json"]


def drop_root_powers() -> None:
    """In the child before exec: empty the capability bounding set, so root obeys file permissions."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop = 24
    for cap in range(64):
        libc.prctl(pr_capbset_drop, cap, 0, 0, 0)  # caps past the kernel's last one fail harmlessly


def run_index(env: dict[str, str], *, unprivileged: bool = False) -> subprocess.CompletedProcess[str]:
    """`rag index --json` as a child process; `unprivileged`: without root's override of permissions."""
    preexec = drop_root_powers if unprivileged and os.geteuid() == 0 else None
    return subprocess.run(INDEX_CMD, env=env, capture_output=True, text=True, timeout=600,
                          preexec_fn=preexec)  # fmt: skip


@pytest.fixture(scope="module")
def permissions_bite(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Skip unless a child process can be made to meet a permission error for real."""
    probe = tmp_path_factory.mktemp("probe") / "locked.txt"
    probe.write_text("x")
    probe.chmod(0)
    preexec = drop_root_powers if os.geteuid() == 0 else None
    try:
        done = subprocess.run([sys.executable, "-c", f"open({str(probe)!r}).read()"],
                              capture_output=True, text=True, preexec_fn=preexec)  # fmt: skip
    finally:
        probe.chmod(0o600)
    if "PermissionError" not in done.stderr:
        pytest.skip("cannot run a process that obeys file permissions here (root without capability drop)")


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert "unexpected" not in lines[0] and "Traceback" not in proc.stderr
    return lines[0]


# --- killed mid-run -------------------------------------------------------------------------------------


def chroma_signature(chroma_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and mtimes of the store's files: it changes whenever the indexer writes."""
    out = []
    if chroma_dir.exists():
        for p in sorted(chroma_dir.rglob("*")):
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            out.append((str(p), st.st_size, st.st_mtime_ns))
    return tuple(out)


def kill_after_writes(env: dict[str, str], chroma_dir: Path, writes: int) -> bool:
    """Start `rag index`, SIGKILL it once `writes` changes of the store were seen (0: while it starts and
    reads). Returns whether it was still running when killed."""
    proc = subprocess.Popen(INDEX_CMD, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        seen, last = 0, chroma_signature(chroma_dir)
        deadline = time.monotonic() + 300
        started = time.monotonic()
        while proc.poll() is None and time.monotonic() < deadline:
            sig = chroma_signature(chroma_dir)
            if sig != last:
                seen, last = seen + 1, sig
            if (writes == 0 and time.monotonic() - started > 2.0) or (writes and seen >= writes):
                break
            time.sleep(0.02)
        alive = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        return alive
    finally:
        proc.wait()


def test_index__killed_at_several_points_then_rerun_equals_a_clean_build(
    tmp_path: Path, embedder: Embedder
) -> None:
    corpus = thirty_docs(tmp_path)
    data = tmp_path / "killed"
    env = index_env(data, corpus, RAG_INDEX_BATCH_CHUNKS="8")
    assert run_index(env).returncode == 0
    # the next run has every kind of work: files to delete, files to replace (stale chunks), files to add
    for n in range(0, 6):
        (corpus / f"doc{n:02d}.md").unlink()
    for n in range(6, 12):
        write_doc(corpus, f"doc{n:02d}", paragraphs=6, salt="Revised after the second survey.")
    for n in range(30, 70):
        write_doc(corpus, f"doc{n:02d}")

    # before its first write (starting, scanning, reading); after the first write (deleting removed files);
    # then mid-embedding and mid-upsert of later batches, each kill leaving the previous one's partial work
    points = [0, 1, 4, 10, 20]
    killed_alive = [kill_after_writes(env, data / "chroma", w) for w in points]
    assert all(killed_alive), f"an indexer finished before its kill point: {killed_alive} at {points}"

    final = run_index(env)
    assert final.returncode == 0, final.stderr
    report = json.loads(final.stdout)
    assert not report["skipped"]
    engine = Rag(make_settings(data, corpus, **CHUNKING), embedder=embedder)
    got = chunks(engine)
    expected = clean_build(tmp_path / "clean", corpus, embedder)
    assert per_file(got) == per_file(expected)
    assert set(per_file(got)) == {f"doc{n:02d}.md" for n in range(6, 70)}
    assert got == expected  # same ids and hashes: nothing duplicated, missing or stale
    assert engine.retrieve("revised after the second survey", top_k=1)[0].file in {
        f"doc{n:02d}.md" for n in range(6, 12)
    }


def test_index__two_indexers_at_once_one_waits_and_the_index_is_whole(
    tmp_path: Path, embedder: Embedder
) -> None:
    corpus = thirty_docs(tmp_path)
    data = tmp_path / "data"
    env = index_env(data, corpus, RAG_INDEX_BATCH_CHUNKS="8", RAG_INDEX_LOCK_TIMEOUT="300")
    both = [
        subprocess.Popen(INDEX_CMD, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=600) for p in both]
    assert [p.returncode for p in both] == [0, 0], [err for _, err in outs]
    reports = sorted((json.loads(out) for out, _ in outs), key=lambda r: r["added"])
    assert (reports[0]["added"], reports[0]["unchanged"]) == (0, 30)  # it waited, then found all done
    assert (reports[1]["added"], reports[1]["unchanged"]) == (30, 0)
    got = chunks(Rag(make_settings(data, corpus, **CHUNKING), embedder=embedder))
    assert got == clean_build(tmp_path / "clean", corpus, embedder)


def test_index__indexer_meeting_a_held_lock_waits_then_refuses_in_one_line(
    tmp_path: Path, embedder: Embedder
) -> None:
    corpus = tmp_path / "docs"
    corpus.mkdir()
    write_doc(corpus, "only")
    data = tmp_path / "data"
    data.mkdir()
    env = index_env(data, corpus, RAG_INDEX_LOCK_TIMEOUT="0.5")
    with FileLock(str(data / "index.lock")):  # another indexer, as far as `rag index` can tell
        line = one_line_error(run_index(env))
        assert "another indexer holds" in line and "waited 0.5 s" in line and "let it finish" in line
        assert not chunks(Rag(make_settings(data, corpus, **CHUNKING), embedder=embedder))
    done = run_index(env)  # once the lock is free, it runs
    assert done.returncode == 0 and json.loads(done.stdout)["added"] == 1


# --- bad files next to good ones --------------------------------------------------------------------------


def _pdf_with_drawing_only(path: Path) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    drawing = DecodedStreamObject()
    drawing.set_data(b"0 0 m 150 150 l S 20 20 60 60 re f")  # lines and a filled box, no text
    page[NameObject("/Contents")] = writer._add_object(drawing)
    with path.open("wb") as f:
        writer.write(f)


def _encrypted_pdf(path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(CORPUS / "running-models-locally.pdf").pages:
        writer.add_page(page)
    writer.encrypt(user_password="open-sesame", owner_password="owner", algorithm="RC4-128")
    with path.open("wb") as f:
        writer.write(f)


GOOD = {  # file -> a phrase only it contains
    "good.md": "The quokka lives on Rottnest Island",
    "good.txt": "The narwhal has a single long tusk",
    "latin1.txt": "Café crème: the axolotl regrows its limbs",
    "utf16.txt": "The pangolin is covered in keratin scales",
    "deep.html": "The tapir uses its snout to grab leaves",
    "guide.pdf": "GGUF",
    "act.docx": "1689",
}
BAD = {  # file as the report names it -> what the reason must say
    "corrupt.pdf": "cannot parse PDF",
    "locked.pdf": "encrypted PDF",
    "drawing.pdf": "no extractable text",
    "zero.md": "empty file",
    "zero.pdf": "empty file",
    "blob.txt": "binary content",
    "blob.md": "binary content",
    "huge.txt": "too large",
    "longline.txt": "a line of 10,485,760 characters",
    "loop-a.md": "Too many levels of symbolic links",
    "loop-b.md": "Too many levels of symbolic links",
    "nowhere.md": "No such file or directory",  # the dangling link, named by where it points
    "secret.md": "Permission denied",
    "sealed": "cannot read folder (Permission denied)",
    "setup.exe": "unsupported type .exe",
}


def make_bad_folder(folder: Path) -> None:
    folder.mkdir()
    (folder / "good.md").write_text(f"# Good\n\n{GOOD['good.md']}, off the coast of Western Australia.\n")
    (folder / "good.txt").write_text(f"{GOOD['good.txt']}, which is really a tooth.\n")
    (folder / "latin1.txt").write_bytes(f"{GOOD['latin1.txt']} in a few weeks.\n".encode("latin-1"))
    (folder / "utf16.txt").write_bytes(f"{GOOD['utf16.txt']}.\n".encode("utf-16"))  # with a BOM
    deep = "<div>" * 5000 + f"<p>{GOOD['deep.html']}.</p>" + "</div>" * 5000
    (folder / "deep.html").write_text(f"<html><body>{deep}</body></html>")
    shutil.copy(CORPUS / "running-models-locally.pdf", folder / "guide.pdf")
    shutil.copy(CORPUS / "eu-ai-act-open-source.docx", folder / "act.docx")

    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage\n%%EOF\n")
    _encrypted_pdf(folder / "locked.pdf")
    _pdf_with_drawing_only(folder / "drawing.pdf")
    (folder / "zero.md").write_bytes(b"")
    (folder / "zero.pdf").write_bytes(b"")
    (folder / "blob.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "blob.md").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 64)
    with (folder / "huge.txt").open("wb") as f:  # sparse: 200 MB on paper, nothing on disk
        f.truncate(200 * 1024 * 1024)
    (folder / "longline.txt").write_text("okapi " * (10 * 1024 * 1024 // 6) + "okap")
    os.symlink("loop-b.md", folder / "loop-a.md")
    os.symlink("loop-a.md", folder / "loop-b.md")
    os.symlink("nowhere.md", folder / "dangling.md")
    (folder / "secret.md").write_text("# Secret\n\nNobody may read this.\n")
    (folder / "secret.md").chmod(0)
    (folder / "sealed").mkdir()
    (folder / "sealed" / "inside.md").write_text("# Inside\n\nA folder nobody may list.\n")
    (folder / "sealed").chmod(0)
    (folder / "setup.exe").write_bytes(b"MZ\x90\x00")


@pytest.fixture
def bad_folder(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "mixed"
    make_bad_folder(folder)
    yield folder
    (folder / "sealed").chmod(0o700)  # so the temp dir can be removed
    (folder / "secret.md").chmod(0o600)


def test_index__bad_files_are_named_with_a_reason_and_every_good_file_is_indexed(
    bad_folder: Path, tmp_path: Path, embedder: Embedder, permissions_bite: None
) -> None:
    done = run_index(index_env(tmp_path / "data", bad_folder), unprivileged=True)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    skipped = {s["file"]: s["reason"] for s in report["skipped"]}
    assert set(skipped) == set(BAD), skipped
    for name, says in BAD.items():
        assert says in skipped[name], (name, skipped[name])
    assert report["added"] == len(GOOD)

    engine = Rag(make_settings(tmp_path / "data", bad_folder, **CHUNKING), embedder=embedder)
    got = engine.collection().get(include=["metadatas", "documents"])
    text_of: dict[str, str] = {}
    for md, text in zip(got["metadatas"], got["documents"], strict=True):
        text_of[md["file"]] = text_of.get(md["file"], "") + "\n" + chunk_text(text, md)
    assert set(text_of) == set(GOOD)
    for name, phrase in GOOD.items():
        assert phrase in text_of[name], (name, text_of[name][:200])
    assert engine.retrieve(GOOD["utf16.txt"], top_k=1)[0].file == "utf16.txt"


def test_index__oversized_file_is_refused_without_reading_it(tmp_path: Path, embedder: Embedder) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    write_doc(folder, "small")
    with (folder / "huge.md").open("wb") as f:
        f.truncate(MAX_FILE_BYTES * 2)
    engine = Rag(make_settings(tmp_path / "data", folder, **CHUNKING), embedder=embedder)
    indexer = Indexer(engine.settings, embedder=embedder, collection=engine.collection(create=True))

    def bytes_read() -> int:
        io = Path("/proc/self/io").read_text()
        return int(next(ln.split()[1] for ln in io.splitlines() if ln.startswith("rchar:")))

    before = bytes_read()
    report = indexer.run()
    read = bytes_read() - before
    assert report.skipped == [("huge.md", "too large (200 MB > 100 MB)")] and report.added == 1
    assert read < MAX_FILE_BYTES // 10, f"{read} bytes read to refuse a file by its size"


# --- out of disk, read-only -------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 24 MB tmpfs, unmounted afterwards; skip where mounting is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command to make a small disk with")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs to fill up ({done.stderr.strip() or done.returncode})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)  # lazy: this process may hold files open


def fill_disk(mount: Path, leave: int) -> Path:
    filler = mount / "filler"
    free = shutil.disk_usage(mount).free
    with filler.open("wb") as f:
        os.posix_fallocate(f.fileno(), 0, max(free - leave, 1))
    return filler


def test_index__disk_full_is_one_clear_error_and_the_previous_index_survives(
    small_disk: Path, tmp_path: Path, embedder: Embedder
) -> None:
    corpus = tmp_path / "docs"
    corpus.mkdir()
    for name in ("first", "second", "third"):
        write_doc(corpus, name)
    data = small_disk / "data"
    env = index_env(data, corpus)
    assert run_index(env).returncode == 0
    for n in range(20):
        write_doc(corpus, f"later{n:02d}", salt="Written after the disk filled up.")
    filler = fill_disk(small_disk, leave=128 * 1024)

    line = one_line_error(run_index(env))
    assert "disk is full" in line and str(data) in line and "run `rag index` again" in line

    filler.unlink()  # the embedded store needs room even to read (it compacts its write log first)
    engine = Rag(make_settings(data, corpus, **CHUNKING), embedder=embedder)
    before = {f for f, _ in chunks(engine).values()}
    assert {"first.md", "second.md", "third.md"} <= before
    assert engine.retrieve("the first survey counted herds of okapi", top_k=3)
    engine.index()  # with room again, the next run completes what the failed one left
    assert chunks(engine) == clean_build(tmp_path / "clean", corpus, embedder)


def test_index__read_only_data_dir_is_one_clear_error_and_the_index_still_answers(
    tmp_path: Path, embedder: Embedder, permissions_bite: None
) -> None:
    corpus = tmp_path / "docs"
    corpus.mkdir()
    write_doc(corpus, "kept")
    data = tmp_path / "data"
    env = index_env(data, corpus)
    assert run_index(env).returncode == 0
    write_doc(corpus, "newer", salt="The ibex climbs the dam wall.")
    modes = _make_read_only(data)
    try:
        line = one_line_error(run_index(env, unprivileged=True))
        assert "read-only" in line and "make it writable" in line and str(data) in line
        engine = Rag(make_settings(data, corpus, **CHUNKING), embedder=embedder)
        assert {f for f, _ in chunks(engine).values()} == {"kept.md"}
        assert engine.retrieve("the kept survey counted herds", top_k=1)[0].file == "kept.md"
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def _make_read_only(root: Path) -> dict[Path, int]:
    """chmod a-w everything below `root`; returns the old modes."""
    modes: dict[Path, int] = {}
    for path in [root, *root.rglob("*")]:
        modes[path] = path.stat().st_mode & 0o7777
        path.chmod(modes[path] & ~0o222)
    return modes
