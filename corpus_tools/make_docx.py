"""Generate corpus/eu-ai-act-open-source.docx, the Word document of the default corpus.

The text lives in BLOCKS below. Uses python-docx:

    python3 -m pip install --target /tmp/docxlib python-docx
    PYTHONPATH=/tmp/docxlib python3 corpus_tools/make_docx.py

The module can be imported without python-docx (check_dataset.py may read BLOCKS from it).
"""

from __future__ import annotations

import sys
from pathlib import Path

TITLE = "The EU AI Act and Open-Source Models"
OUT = Path(__file__).resolve().parent.parent / "corpus" / "eu-ai-act-open-source.docx"

# (kind, text); kind is "title", "h1", "p" or "li".
BLOCKS: list[tuple[str, str]] = [
    ("title", TITLE),
    (
        "p",
        "The European Union's Artificial Intelligence Act is the first comprehensive law on AI adopted by a "
        "major jurisdiction. During its negotiation, the treatment of open-source models was one of the most "
        "disputed questions: some feared that strict rules would stifle open research and European "
        "start-ups, "
        "others that broad exemptions would leave powerful models unregulated. This briefing summarises how "
        "the final text handles open-source AI.",
    ),
    ("h1", "The regulation in brief"),
    (
        "p",
        "The AI Act is formally Regulation (EU) 2024/1689. It was published in the Official Journal of the "
        "European Union in July 2024 and entered into force on 1 August 2024. Its obligations apply in "
        "stages:",
    ),
    ("li", "2 February 2025: the bans on prohibited AI practices start to apply."),
    ("li", "2 August 2025: the obligations for providers of general-purpose AI models start to apply."),
    (
        "li",
        "2 August 2026: most of the remaining rules apply, including most of those for high-risk systems.",
    ),
    (
        "p",
        "The Act follows a risk-based approach. A few practices, such as social scoring of individuals, "
        "are prohibited. High-risk systems, for example AI used in recruitment, credit scoring or critical "
        "infrastructure, must meet strict requirements. Systems that interact with people or generate "
        "content "
        "have transparency duties, and most other systems are not specifically regulated.",
    ),
    ("h1", "The general exemption for open-source AI systems"),
    (
        "p",
        "The Act contains a general exemption: it does not apply to AI systems released under free and "
        "open-source licences. The exemption has important exceptions. It does not cover open-source systems "
        "that are placed on the market or put into service as high-risk AI systems, systems that fall under "
        "the prohibited practices, or systems subject to the transparency obligations, such as chatbots and "
        "generators of synthetic content. In other words, an open licence does not make a dangerous use "
        "legal.",
    ),
    ("h1", "General-purpose AI models"),
    (
        "p",
        "Large language models and similar foundation models are called general-purpose AI models (GPAI) in "
        "the Act. Their providers must, among other duties:",
    ),
    ("li", "draw up technical documentation of the model for the authorities;"),
    ("li", "provide information and documentation to downstream providers who integrate the model;"),
    ("li", "put in place a policy to comply with EU copyright law;"),
    ("li", "publish a sufficiently detailed summary of the content used to train the model."),
    ("h1", "What open-source GPAI providers are spared"),
    (
        "p",
        "Providers of general-purpose models released under a free and open-source licence, whose "
        "parameters, "
        "including the weights, and information on the architecture and usage are made publicly available, "
        "are exempt from the two documentation duties: the technical documentation for the authorities and "
        "the information for downstream providers. The reasoning is that openly published models already "
        "make much of this information available. Providers established outside the EU are also spared the "
        "duty to appoint an authorised representative in the Union.",
    ),
    (
        "p",
        "Two obligations remain for every open-source GPAI provider: the copyright policy and the public "
        "summary of training content. The recitals of the Act also make clear that a model offered for free "
        "but monetised in other ways, for example through the use of personal data, should not benefit from "
        "the exemptions.",
    ),
    ("h1", "The exception: models with systemic risk"),
    (
        "p",
        "None of these exemptions applies to general-purpose models with systemic risk. A model is presumed "
        "to "
        "have high-impact capabilities, and thus systemic risk, when the cumulative amount of computation "
        "used "
        "for its training is greater than 10^25 floating-point operations. The European Commission can also "
        "designate a model on other grounds. Providers of such models, open or not, must evaluate the model, "
        "including adversarial testing, assess and mitigate systemic risks, report serious incidents to the "
        "AI Office and ensure adequate cybersecurity.",
    ),
    ("h1", "Enforcement and penalties"),
    (
        "p",
        "The rules on general-purpose models are enforced by the AI Office, part of the European Commission. "
        "The heaviest fines, for prohibited practices, reach 35 million euros or 7 percent of worldwide "
        "annual "
        "turnover, whichever is higher. Providers of general-purpose models face fines of up to 15 million "
        "euros or 3 percent of worldwide turnover.",
    ),
    ("h1", "Assessment"),
    (
        "p",
        "Supporters of open AI welcomed the exemptions, which spare researchers and small developers much of "
        "the paperwork. Critics noted that the Act does not define open source precisely, leaving room for "
        "disputes over licences with use restrictions, and that the largest open models will in any case "
        "face "
        "the full systemic-risk regime.",
    ),
]


def all_text() -> str:
    return "\n".join(text for _, text in BLOCKS)


def build(out: Path = OUT) -> Path:
    import datetime

    from docx import Document  # imported here so BLOCKS can be read without python-docx

    doc = Document()
    doc.core_properties.title = TITLE
    doc.core_properties.author = "Open-source AI reference collection"
    fixed = datetime.datetime(2025, 1, 1)
    doc.core_properties.created = fixed
    doc.core_properties.modified = fixed
    for kind, text in BLOCKS:
        if kind == "title":
            doc.add_heading(text, level=0)
        elif kind == "h1":
            doc.add_heading(text, level=1)
        elif kind == "li":
            doc.add_paragraph(text, style="List Bullet")
        else:
            doc.add_paragraph(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


if __name__ == "__main__":
    path = build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
    print(f"wrote {path}")
