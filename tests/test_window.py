"""Passages around hits, on hand-made units: budget, paragraph first, section edges, joining and skipping."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rag.ingest.chunk import chunk_id
from rag.retrieval.window import Unit, passages_for, window

FILE, HASH = "guide.md", "h1"


def unit(i: int, paragraph: int, tokens: int = 10, heading: str = "Pumps", n: int = 8) -> Unit:
    md = {"file": FILE, "file_hash": HASH, "chunk_index": i, "n_chunks": n, "paragraph": paragraph}
    if heading:
        md["heading"] = heading
    return Unit(id=chunk_id(FILE, HASH, i), text=f"s{i}", metadata=md, tokens=tokens)


# paragraphs: [0 1 2] [3 4] [5] | section "Valves": [6 7]
UNITS = [unit(0, 0), unit(1, 0), unit(2, 0), unit(3, 1), unit(4, 1), unit(5, 2)]
UNITS += [unit(6, 3, heading="Valves"), unit(7, 3, heading="Valves")]
BY_ID = {u.id: u for u in UNITS}


def lookup(ids: Sequence[str]) -> Mapping[str, Unit]:
    return {i: BY_ID[i] for i in ids if i in BY_ID}


def texts(units: Sequence[Unit]) -> list[str]:
    return [u.text for u in units]


def test_window__stays_in_the_hit_paragraph_unless_told_to_cross() -> None:
    around = {i: u for i, u in enumerate(UNITS)}
    assert texts(window(UNITS[4], around, 40, set())) == ["s3", "s4"]
    assert texts(window(UNITS[1], around, 20, set())) == ["s1", "s2"]  # right first, within the budget
    # crossing: the hit's paragraph (3, 4) first, then one neighbour on each side in turn: 5, then 2
    assert texts(window(UNITS[4], around, 40, set(), cross_paragraphs=True)) == ["s2", "s3", "s4", "s5"]


def test_window__stops_at_the_section_edge_and_at_text_already_shown() -> None:
    around = {i: u for i, u in enumerate(UNITS)}
    assert texts(window(UNITS[6], around, 100, set(), cross_paragraphs=True)) == ["s6", "s7"]
    section = ("guide.md", "h1", None, "Pumps")
    assert texts(window(UNITS[4], around, 100, {(section, 2)}, cross_paragraphs=True)) == ["s3", "s4", "s5"]


def test_window__a_hit_longer_than_the_budget_is_given_whole_and_alone() -> None:
    big = unit(2, 0, tokens=500)
    assert texts(window(big, {1: UNITS[1], 3: UNITS[3]}, 40, set())) == ["s2"]


def test_passages_for__adjacent_hits_are_joined_and_hits_already_shown_free_their_place() -> None:
    hits = [(UNITS[0], 0.9), (UNITS[1], 0.95), (UNITS[2], 0.5), (UNITS[6], 0.4), (UNITS[5], 0.3)]
    got = passages_for(hits, lookup, top_k=2, budget=20)
    # s0 grows to s0 s1; s1 is inside it (its score kept); s2 is at its edge: joined; s6 is the second passage
    assert [texts(p.units) for p in got] == [["s0", "s1", "s2"], ["s6", "s7"]]
    assert got[0].score == 0.95
    assert got[0].text == "s0 s1 s2"


def test_passages_for__paragraphs_are_kept_apart_by_a_blank_line() -> None:
    got = passages_for([(UNITS[4], 0.8)], lookup, top_k=1, budget=40, cross_paragraphs=True)
    assert got[0].text == "s2\n\ns3 s4\n\ns5"


def test_passages_for__budget_zero_gives_each_hit_alone() -> None:
    hits = [(UNITS[0], 0.9), (UNITS[1], 0.8), (UNITS[2], 0.7)]
    got = passages_for(hits, lookup, top_k=2, budget=0)
    assert [texts(p.units) for p in got] == [["s0"], ["s1"]]


def test_passages_for__one_file_gives_at_most_per_file_passages() -> None:
    other = Unit(id="x", text="other file", metadata={"file": "b.md", "file_hash": "h2", "chunk_index": 0,
                                                       "n_chunks": 1, "paragraph": 0}, tokens=10)  # fmt: skip
    hits = [(UNITS[0], 0.9), (UNITS[3], 0.8), (UNITS[5], 0.7), (other, 0.1)]
    got = passages_for(hits, lookup, top_k=3, budget=10, per_file=2)
    assert [p.hit.metadata["file"] for p in got] == ["guide.md", "guide.md", "b.md"]
