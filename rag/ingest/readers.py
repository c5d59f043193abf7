"""Turn one file into sections of plain text, or say why it cannot be read.

A section is a run of text with its place in the document (page, heading). Readers never raise for a bad
file: they raise `Unreadable` with a short reason, which the indexer reports as a skipped file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rag.text import CONTROL_CHARS

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".html", ".htm", ".docx")
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_LINE_CHARS = 1_000_000
"""A line longer than this is data (a dump, an encoded blob), not prose; chunking it would take minutes."""
_UNICODE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


class Unreadable(Exception):
    """The file cannot be indexed; str() is the reason shown to the user."""


@dataclass(frozen=True)
class Section:
    text: str
    page: int | None = None
    heading: str | None = None


@dataclass(frozen=True)
class ReadDocument:
    title: str
    sections: list[Section]


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16/32 with a BOM, else Windows-1252 when that reads as text.

    Binary junk is Unreadable.
    """
    for bom, codec in _UNICODE_BOMS:  # UTF-32 first: its little-endian BOM starts like UTF-16's
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as e:
                raise Unreadable(f"not valid {codec.upper()} text despite its byte-order mark") from e
    if b"\x00" in data[:8192]:
        raise Unreadable("binary content (NUL bytes) in a text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as e:
            raise Unreadable("not UTF-8 or Windows-1252 text") from e
    if text and len(CONTROL_CHARS.findall(text[:20000])) > 0.01 * min(len(text), 20000):
        raise Unreadable("binary content (control characters) in a text file")
    return text


def _check_lines(text: str) -> str:
    longest = max((len(line) for line in text.splitlines()), default=0)
    if longest > MAX_LINE_CHARS:
        raise Unreadable(
            f"a line of {longest:,} characters (more than {MAX_LINE_CHARS:,}): data rather than text; "
            "break it into lines or paragraphs to index it"
        )
    return text


def _clean(text: str) -> str:
    text = CONTROL_CHARS.sub(" ", text)
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _read_markdown(path: Path) -> ReadDocument:
    from llama_index.readers.file import MarkdownReader

    text = _check_lines(decode_text(path.read_bytes()))
    reader = MarkdownReader(remove_hyperlinks=True, remove_images=True, separator=" > ")
    title = next((m.group(1).strip() for m in re.finditer(r"^#\s+(.+)$", text, re.M)), path.stem)
    sections: list[Section] = []
    for header, body in reader.markdown_to_tups(text):
        body = reader.remove_images(reader.remove_hyperlinks(body))
        body = re.sub(r"(\*\*|__)(.+?)\1", r"\2", body)  # bold markers are noise to the model
        heading = header.split(" > ")[-1] if header else None
        if _clean(body):
            sections.append(Section(text=_clean(body), heading=heading or None))
    return ReadDocument(title=title, sections=sections)


def _read_text(path: Path) -> ReadDocument:
    text = _clean(_check_lines(decode_text(path.read_bytes())))
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), path.stem)
    return ReadDocument(title=first[:120], sections=[Section(text=text)] if text else [])


def _retried_cause(err: Exception) -> BaseException:
    """The error behind a reader's retry wrapper (LlamaIndex's PDFReader retries and wraps what it got)."""
    last = getattr(err, "last_attempt", None)
    inner = last.exception() if last is not None else None
    return inner if inner is not None else err


def _read_pdf(path: Path) -> ReadDocument:
    from llama_index.readers.file import PDFReader

    try:
        docs = PDFReader(return_full_document=False).load_data(path)
    except Exception as e:  # pypdf raises many kinds for broken or encrypted files
        cause = _retried_cause(e)
        msg = str(cause).splitlines()[0][:100] if str(cause) else type(cause).__name__
        if any(word in msg.lower() for word in ("encrypt", "decrypt", "password")):
            raise Unreadable("encrypted PDF (needs a password)") from cause
        raise Unreadable(f"cannot parse PDF ({msg})") from cause
    sections = []
    for i, d in enumerate(docs, start=1):
        label = str(d.metadata.get("page_label", ""))
        page = int(label) if label.isdigit() else i
        text = _clean(d.text)
        if text:
            sections.append(Section(text=text, page=page))
    title = path.stem
    if sections:
        title = sections[0].text.splitlines()[0][:120]
    return ReadDocument(title=title, sections=sections)


def _read_html(path: Path) -> ReadDocument:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_text(path.read_bytes()), "html.parser")
    for tag in soup(["script", "style", "nav", "footer", "header", "noscript", "template", "form"]):
        tag.decompose()
    title_tag = soup.find("title") or soup.find("h1")
    title = title_tag.get_text(" ", strip=True) if title_tag else path.stem
    body = soup.body or soup
    sections: list[Section] = []
    heading: str | None = None
    lines: list[str] = []

    def flush() -> None:
        text = _clean("\n".join(lines))
        if text:
            sections.append(Section(text=text, heading=heading))
        lines.clear()

    for el in body.find_all(["h1", "h2", "h3", "h4", "p", "li", "pre", "blockquote", "td", "dd", "dt"]):
        if el.find_parent(["p", "li", "blockquote", "td", "dd"]) is not None and el.name != "li":
            continue
        text = el.get_text(" ", strip=True)
        if not text:
            continue
        if el.name in ("h1", "h2", "h3", "h4"):
            flush()
            heading = text
        else:
            lines.append(("- " if el.name == "li" else "") + text)
    flush()
    if not sections:
        text = _clean(body.get_text("\n", strip=True))
        if text:
            sections.append(Section(text=text))
    return ReadDocument(title=title, sections=sections)


def _read_docx(path: Path) -> ReadDocument:
    from llama_index.readers.file import DocxReader

    try:
        docs = DocxReader().load_data(path)
    except Exception as e:  # a corrupt zip or missing document part
        raise Unreadable(f"cannot parse DOCX ({type(e).__name__})") from e
    text = _clean("\n".join(d.text for d in docs))
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), path.stem)
    return ReadDocument(title=first[:120], sections=[Section(text=text)] if text else [])


_READERS = {
    ".md": _read_markdown,
    ".markdown": _read_markdown,
    ".txt": _read_text,
    ".pdf": _read_pdf,
    ".html": _read_html,
    ".htm": _read_html,
    ".docx": _read_docx,
}


def check_size(path: Path) -> None:
    """Refuse an empty or too large file from its size alone, before a byte of it is read.

    Raises:
        Unreadable: the file is empty, larger than `MAX_FILE_BYTES`, or cannot be looked at.
    """
    try:
        size = path.stat().st_size
    except OSError as e:
        raise Unreadable(f"cannot read ({e.strerror})") from e
    if size == 0:
        raise Unreadable("empty file")
    if size > MAX_FILE_BYTES:
        raise Unreadable(f"too large ({size // (1024 * 1024)} MB > {MAX_FILE_BYTES // (1024 * 1024)} MB)")


def read_document(path: Path) -> ReadDocument:
    """Read a supported file into sections.

    Raises:
        Unreadable: the file is empty, too large, of an unsupported type, or cannot be parsed.
    """
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise Unreadable(f"unsupported type {suffix or '(none)'}; supported: {', '.join(SUPPORTED_SUFFIXES)}")
    check_size(path)
    try:
        doc = reader(path)
    except OSError as e:
        raise Unreadable(f"cannot read ({e.strerror or type(e).__name__})") from e
    except RecursionError as e:
        raise Unreadable("structure too deeply nested to parse") from e
    if not any(s.text.strip() for s in doc.sections):
        raise Unreadable(
            "no extractable text" + (" (scanned PDF without a text layer?)" if suffix == ".pdf" else "")
        )
    return doc
