"""Generate corpus/running-models-locally.pdf, a three-page document of the default corpus.

The text lives in PAGES below, one list of blocks per PDF page, so that each page holds its own facts
(the eval set asks about facts found on a specific page). Uses fpdf2 with the core Helvetica font, so
every string must be Latin-1.

    python3 -m pip install --target /tmp/fpdf2lib fpdf2==2.8.9
    PYTHONPATH=/tmp/fpdf2lib python3 corpus_tools/make_pdf.py

The module can be imported without fpdf2 (check_dataset.py reads PAGES from it as a fallback).
"""

from __future__ import annotations

import sys
from pathlib import Path

TITLE = "Running Open Models Locally: Quantisation, llama.cpp and GGUF"
OUT = Path(__file__).resolve().parent.parent / "corpus" / "running-models-locally.pdf"

# Each page: a list of (kind, text) blocks; kind is "h1", "h2", "p" or "li".
PAGES: list[list[tuple[str, str]]] = [
    [
        ("h1", TITLE),
        (
            "p",
            "One practical advantage of openly released models is that they can run on hardware you "
            "control: a workstation, a laptop, or a server in your own building. This guide explains "
            "what that requires, how quantisation makes it possible, and which tools are commonly used.",
        ),
        ("h2", "Why run a model on your own machine"),
        ("li", "Privacy: prompts and documents never leave your computer or network."),
        ("li", "Cost: no fee per request once the hardware is paid for."),
        ("li", "Availability: the model works offline and cannot be withdrawn by a provider."),
        ("li", "Control: you choose the exact model version, settings and system prompt."),
        ("h2", "How much memory a model needs"),
        (
            "p",
            "A simple rule gives the memory needed for the weights: the number of parameters multiplied "
            "by the number of bytes used to store each one. Models are usually distributed in 16-bit "
            "formats, which use 2 bytes per parameter. A model with 7 billion parameters therefore needs "
            "about 14 GB of memory for its weights alone, more than most laptops have available. "
            "Stored with 8 bits per parameter, the same model needs about 7 GB, and with 4 bits about "
            "3.5 GB.",
        ),
        ("h2", "What quantisation is"),
        (
            "p",
            "Quantisation stores each weight with fewer bits. Weights are grouped into small blocks, and "
            "each block keeps a scale factor so that the low-precision numbers can be mapped back to "
            "approximately the original values. At 8 bits the loss of quality is usually negligible; at "
            "4 bits it is small but measurable; below 4 bits it grows quickly. Quantisation also speeds "
            "up generation, because on most hardware text generation is limited by how fast weights can "
            "be read from memory.",
        ),
    ],
    [
        ("h2", "llama.cpp"),
        (
            "p",
            "The tool that made local language models popular is llama.cpp, published in March 2023 by "
            "the Bulgarian developer Georgi Gerganov, a few weeks after Meta's first LLaMA models became "
            "available. It is written in plain C and C++, without heavy dependencies, and is built on "
            "ggml, a small tensor library by the same author. Its first goal was to run LLaMA on a "
            "MacBook by using 4-bit quantisation and the processor's vector instructions.",
        ),
        (
            "p",
            "The project grew quickly into a large open-source community. Today llama.cpp supports many "
            "model architectures and runs on ordinary CPUs, on Apple Silicon through the Metal "
            "interface, and on NVIDIA and AMD graphics cards. It is released under the MIT licence. "
            "Besides a command-line program, it includes a small HTTP server that offers an interface "
            "compatible with the OpenAI API, so that existing applications can talk to a local model.",
        ),
        ("h2", "The GGUF file format"),
        (
            "p",
            "The llama.cpp project introduced the GGUF file format in August 2023, replacing its earlier "
            "GGML format. A GGUF file contains, in a single file, the quantised weights together with the "
            "metadata needed to use them: the model architecture, the tokenizer and its vocabulary, and "
            "often a chat template. Downloading one file is therefore enough to run a model, and new "
            "information can be added to the format without breaking older files.",
        ),
        ("h2", "Quantisation types in GGUF"),
        (
            "p",
            "GGUF files are usually named after their quantisation type. Common examples are:",
        ),
        ("li", "Q8_0: 8 bits per weight, nearly identical in quality to the original model."),
        ("li", "Q5_K_M: about 5 bits per weight, a small loss of quality."),
        (
            "li",
            "Q4_K_M: about 4 to 5 bits per weight, the most popular compromise between size and quality.",
        ),
        (
            "p",
            "The K variants use a more refined block structure, with different precisions for different "
            "parts of the model. Publishers often offer several of these types for the same model.",
        ),
    ],
    [
        ("h2", "Other quantisation methods"),
        (
            "p",
            "Several other methods are common, especially for running models on GPUs. GPTQ, published in "
            "2022, quantises a trained model layer by layer while correcting the errors introduced at "
            "each step. AWQ, activation-aware weight quantisation, protects the small fraction of weights "
            "that matter most for the model's activations. The bitsandbytes library by Tim Dettmers "
            "provides 8-bit and 4-bit quantisation that can be applied when a model is loaded.",
        ),
        ("h2", "Fine-tuning on modest hardware: QLoRA"),
        (
            "p",
            "Quantisation is not only for inference. QLoRA, presented by Tim Dettmers and colleagues in "
            "May 2023, keeps the base model frozen in 4-bit precision and trains small low-rank adapter "
            "matrices on top of it. The paper showed that a model with 65 billion parameters could be "
            "fine-tuned on a single GPU with 48 GB of memory. It introduced a 4-bit data type called "
            "NormalFloat (NF4), designed for weights that follow a normal distribution.",
        ),
        ("h2", "Tools for running models locally"),
        (
            "li",
            "Ollama: a command-line tool and background service, built on llama.cpp, that downloads and "
            "runs models with a single command.",
        ),
        ("li", "LM Studio: a desktop application with a graphical interface for chatting with local models."),
        (
            "li",
            "MLX: an array framework for machine learning on Apple Silicon, released by Apple in "
            "December 2023.",
        ),
        ("h2", "Rules of thumb"),
        (
            "p",
            "A model of 7 to 8 billion parameters quantised to about 4 bits runs comfortably on a recent "
            "laptop with 16 GB of memory. A model of 70 billion parameters at 4 bits needs roughly 40 GB, "
            "which means a workstation with a large GPU or a computer with a lot of unified memory.",
        ),
    ],
]


def all_text() -> list[str]:
    """The plain text of each page, in order (used by check_dataset.py when pypdf is missing)."""
    return ["\n".join(text for _, text in blocks) for blocks in PAGES]


def _check_latin1() -> None:
    for n, blocks in enumerate(PAGES, 1):
        for _, text in blocks:
            try:
                text.encode("latin-1")
            except UnicodeEncodeError as e:  # pragma: no cover - guard for editors
                raise SystemExit(f"page {n}: non-Latin-1 text: {text[:60]!r}: {e}") from e


def build(out: Path = OUT) -> Path:
    from fpdf import FPDF  # imported here so PAGES can be read without fpdf2

    _check_latin1()
    pdf = FPDF(format="A4")
    pdf.set_title(TITLE)
    pdf.set_author("Open-source AI reference collection")
    pdf.set_creation_date(
        __import__("datetime").datetime(2025, 1, 1, tzinfo=__import__("datetime").timezone.utc)
    )
    pdf.set_margins(20, 20, 20)
    # Each page's content must fit on its page; overflow would shift facts to another page.
    pdf.set_auto_page_break(False)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for n, blocks in enumerate(PAGES, 1):
        pdf.add_page()
        for kind, text in blocks:
            if kind == "h1":
                pdf.set_font("Helvetica", "B", 17)
                pdf.multi_cell(width, 8, text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(4)
            elif kind == "h2":
                pdf.ln(2)
                pdf.set_font("Helvetica", "B", 13)
                pdf.multi_cell(width, 7, text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
            elif kind == "li":
                pdf.set_font("Helvetica", "", 11)
                pdf.set_x(pdf.l_margin + 4)
                pdf.multi_cell(width - 4, 5.5, "- " + text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
            else:
                pdf.set_font("Helvetica", "", 11)
                pdf.multi_cell(width, 5.5, text, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2.5)
        if pdf.get_y() > pdf.h - 25:
            raise SystemExit(f"page {n} overflows ({pdf.get_y():.0f} mm); shorten its text")
        pdf.set_xy(pdf.l_margin, pdf.h - 15)
        pdf.set_font("Helvetica", "I", 9)
        pdf.cell(width, 5, f"Page {n} of {len(PAGES)}", align="C")
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    return out


if __name__ == "__main__":
    path = build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
    print(f"wrote {path}")
