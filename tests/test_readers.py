"""Readers: every supported format yields text with its place (page, heading); bad files say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.ingest.readers import Unreadable, read_document

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def test_read_pdf__keeps_page_numbers() -> None:
    doc = read_document(CORPUS / "running-models-locally.pdf")
    pages = {s.page: s.text for s in doc.sections}
    assert sorted(pages) == [1, 2, 3]
    assert "GGUF" in pages[2] and "August 2023" in pages[2]


def test_read_markdown__sections_carry_their_heading() -> None:
    doc = read_document(CORPUS / "mistral-ai.md")
    assert doc.title.startswith("Mistral")
    assert any(s.heading and "Mistral 7B" in s.heading for s in doc.sections)
    assert all("**" not in s.text for s in doc.sections)


def test_read_html__drops_navigation_and_keeps_headings() -> None:
    doc = read_document(CORPUS / "hugging-face.html")
    text = "\n".join(s.text for s in doc.sections)
    assert "235 million" in text
    assert any(s.heading for s in doc.sections)


def test_read_html__script_text_is_not_indexed(tmp_path: Path) -> None:
    f = tmp_path / "x.html"
    f.write_text(
        "<html><head><title>T</title><script>var secret=1;</script></head>"
        "<body><nav>Home | About</nav><h1>Head</h1><p>Body text here.</p></body></html>"
    )
    doc = read_document(f)
    text = "\n".join(s.text for s in doc.sections)
    assert "Body text here." in text and "secret" not in text and "About" not in text


def test_read_docx_and_txt__yield_text() -> None:
    assert "1689" in read_document(CORPUS / "eu-ai-act-open-source.docx").sections[0].text
    assert read_document(CORPUS / "un-open-source-week-keynote.txt").sections[0].text


def test_read_text__windows_1252_is_decoded(tmp_path: Path) -> None:
    f = tmp_path / "latin.txt"
    f.write_bytes("Caf\u00e9 na\u00efve r\u00e9sum\u00e9 \u2013 fine text.".encode("cp1252"))
    assert "Café" in read_document(f).sections[0].text


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "empty file"),
        ("junk.txt", bytes(range(256)) * 20, "binary content"),
        ("broken.pdf", b"%PDF-1.4\n this is not really a pdf", "cannot parse PDF"),
        ("broken.docx", b"PK\x03\x04 not a zip at all", "cannot parse DOCX"),
        ("notes.xyz", b"hello", "unsupported type .xyz"),
    ],
)
def test_read_document__bad_file_is_unreadable_with_a_reason(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(Unreadable, match=reason):
        read_document(f)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_read_text__utf16_and_utf32_with_a_byte_order_mark_are_decoded(tmp_path: Path, codec: str) -> None:
    f = tmp_path / "wide.txt"
    data = "The axolotl regrows its limbs.".encode(codec)
    f.write_bytes(data if data[:2] in (b"\xff\xfe", b"\xfe\xff") else b"\xfe\xff" + data)
    assert read_document(f).sections[0].text == "The axolotl regrows its limbs."


def test_read_text__a_line_too_long_for_prose_is_unreadable_with_its_length(tmp_path: Path) -> None:
    f = tmp_path / "dump.md"
    f.write_text("x" * 1_000_001)
    with pytest.raises(Unreadable, match="a line of 1,000,001 characters"):
        read_document(f)
