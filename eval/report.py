"""The run's report files: `report.json` (everything), `report.md` (the summary a reviewer reads) and
`report.html` (self-contained, see `eval/html_report.py`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eval.html_report import render_html
from eval.scoring import METRIC_NOTES


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _ci(interval: Any) -> str:
    return "" if not interval else f"[{interval[0]:.3f}, {interval[1]:.3f}]"


def _delta(value: float | None) -> str:
    return "–" if value is None else f"{value:+.3f}"


def write_reports(report: Mapping[str, Any], out: Path) -> dict[str, Path]:
    """Write report.json, report.md and report.html into `out`; returns their paths by kind."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "report.json", "md": out / "report.md", "html": out / "report.html"}
    paths["json"].write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    paths["md"].write_text(render_markdown(report), encoding="utf-8")
    paths["html"].write_text(render_html(report), encoding="utf-8")
    return paths


def render_markdown(report: Mapping[str, Any]) -> str:
    """The summary: run, metrics (with baseline deltas), latency, judge checks, gate, weakest answers."""
    lines = [f"# Evaluation report — {report['dataset']['path']}", ""]
    lines += [
        f"- Mode: {report['mode']}; questions: {len(report['questions'])}; errors: {report['errors']}; "
        f"answers from cache: {report['cache']['hits']}",
        f"- Model: {report['models']['llm'] or '–'}; embedder: {report['models']['embedder']}; "
        f"judge: {report['models']['judge'] or 'none (model-free signals)'}",
        f"- Corpus: {report['corpus']['dir']} (fingerprint {report['corpus']['fingerprint']}, collection "
        f"{report['corpus']['collection']})",
        f"- top_k {report['settings'].get('top_k')}, temperature {report['settings'].get('temperature')}, "
        f"seed {report['settings'].get('seed')}",
        "",
        "## Metrics",
        "",
    ]
    delta = (report.get("baseline") or {}).get("delta") or {}
    header = "| metric | mean | n |" + (" baseline | Δ |" if delta else "") + " meaning |"
    lines += [header, "|" + "---|" * (header.count("|") - 1)]
    for name, agg in report["aggregate"].items():
        row = f"| {name} | {_fmt(agg['mean'])} | {agg['n']} |"
        if delta:
            d = delta.get(name, {})
            row += f" {_fmt(d.get('baseline'))} | {_delta(d.get('delta'))} |"
        lines.append(row + f" {METRIC_NOTES.get(name, '')} |")
    if report.get("latency"):
        lines += [
            "",
            "## Latency (seconds, answers computed in this run)",
            "",
            "| stage | p50 | p95 | n |",
            "|---|---|---|---|",
        ]
        for stage, q in report["latency"].items():
            lines.append(f"| {stage} | {_fmt(q['p50'], 2)} | {_fmt(q['p95'], 2)} | {q['n']} |")
    lines += _judge_check_md(report.get("judge_check") or {})
    if report.get("judge"):
        j = report["judge"]
        lines += [
            "",
            f"LLM judge {j['model']} at {j['base_url']}: {j['calls']} calls, **{j['failures']} failures** "
            f"{j['failures_by_kind'] or ''}",
        ]
    gate = report.get("gate") or {}
    if gate.get("thresholds"):
        lines += ["", "## Gate", ""]
        lines += [f"- {line}" for line in gate["failures"]] or [
            "- every threshold met: " + ", ".join(f"{k} ≥ {v}" for k, v in gate["thresholds"].items())
        ]
    lines += _weakest_md(report["questions"])
    if report.get("attribution"):
        lines += ["", "## Data", ""] + [f"- {a}" for a in report["attribution"]]
    return "\n".join(lines) + "\n"


def _judge_check_md(check: Mapping[str, Any]) -> list[str]:
    if not check:
        return []
    lines = [
        "",
        "## How far the faithfulness signals can be trusted",
        "",
        "| data | signal | n | failures | accuracy [95 % CI] | AUROC [95 % CI] |",
        "|---|---|---|---|---|---|",
    ]
    for data, result in check.items():
        fit = " (fit set)" if result.get("fit_set") else ""
        for name, q in result["signals"].items():
            lines.append(
                f"| {data}{fit} | {name} | {q['n']} | {q['failures']} | {_fmt(q['accuracy'])} "
                f"{_ci(q.get('accuracy_ci'))} | {_fmt(q['auroc'])} {_ci(q.get('auroc_ci'))} |"
            )
        for name, q in (result.get("judge_subset") or {}).items():
            lines.append(
                f"| {data} | {name} (judge's subset) | {q['n']} | {q['failures']} | "
                f"{_fmt(q['accuracy'])} | {_fmt(q['auroc'])} |"
            )
    return lines


def _weakest_md(questions: list[Mapping[str, Any]], limit: int = 10) -> list[str]:
    scored = [q for q in questions if q["metrics"].get("faithfulness") is not None]
    scored.sort(key=lambda q: q["metrics"]["faithfulness"])
    errors = [q for q in questions if q.get("error")]
    lines: list[str] = []
    if errors:
        lines += ["", "## Errors", ""] + [f"- `{q['id']}`: {q['error']}" for q in errors]
    weak = [q for q in scored if any(not c["supported"] for c in q["claims"])][:limit]
    if weak:
        lines += ["", "## Least faithful answers", ""]
        for q in weak:
            lines.append(f"- `{q['id']}` (faithfulness {q['metrics']['faithfulness']:.2f}): {q['question']}")
            for c in q["claims"]:
                if not c["supported"]:
                    why = "; ".join(c.get("failed_checks") or []) or f"score {c['score']:.2f}"
                    lines.append(f"  - unsupported: “{c['claim']}” {c['citations']} ({why})")
                    if c.get("nearest_sentence"):
                        lines.append(f"    nearest [{c.get('nearest_passage')}]: “{c['nearest_sentence']}”")
    return lines
