"""`report.html`: one self-contained file (charts as base64 PNG, inline CSS, no scripts, nothing fetched).
Every piece of text from data (questions, answers, passages) is HTML-escaped.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from matplotlib.figure import Figure

from eval.scoring import METRIC_NOTES

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222;max-width:1400px}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}
th{background:#f3f3f3}.num{text-align:right;font-variant-numeric:tabular-nums}
.bad{background:#fde8e8}.claim{margin:.3em 0}.passage{font-size:12px;color:#444;background:#f7f7f7;
padding:4px;margin:2px 0 6px 1em;white-space:pre-wrap}.fail{color:#b00;font-weight:bold}img{max-width:100%}
.failed{color:#b00;font-size:12px;margin-left:1em}.nearest{font-size:12px;margin-left:1em;background:#fff6d6}
"""


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def charts(report: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(title, data URI) of each chart: metric means, latency per stage, per-question distributions."""
    # Figures made directly (not through pyplot) draw on the Agg canvas with no GUI backend chosen, and are
    # freed with their last reference: nothing global to set up or close.
    out = []
    agg = {k: v["mean"] for k, v in report["aggregate"].items() if v["mean"] is not None}
    if agg:
        fig = Figure(figsize=(8, 0.35 * len(agg) + 1))
        ax = fig.subplots()
        ax.barh(list(agg)[::-1], list(agg.values())[::-1], color="#4a7ab5")
        ax.set_xlim(0, 1)
        ax.set_xlabel("mean over questions where the metric applies")
        out.append(("Metrics", _png(fig)))
    lat = {k: v for k, v in (report.get("latency") or {}).items() if v["p50"] is not None}
    if lat:
        fig = Figure(figsize=(8, 3))
        ax = fig.subplots()
        xs = range(len(lat))
        ax.bar([x - 0.2 for x in xs], [v["p50"] for v in lat.values()], 0.4, label="p50")
        ax.bar([x + 0.2 for x in xs], [v["p95"] for v in lat.values()], 0.4, label="p95")
        ax.set_xticks(list(xs), list(lat))
        ax.set_ylabel("seconds")
        ax.legend()
        out.append(("Latency per stage", _png(fig)))
    series = {
        name: [q["metrics"].get(name) for q in report["questions"]]
        for name in ("faithfulness", "correctness_f1", "retrieval_recall_at_k")
    }
    series = {k: [v for v in vals if v is not None] for k, vals in series.items()}
    series = {k: v for k, v in series.items() if v}
    if series:
        fig = Figure(figsize=(8, 3))
        ax = fig.subplots()
        ax.hist(list(series.values()), bins=10, range=(0, 1), label=list(series))
        ax.set_xlabel("per-question score")
        ax.set_ylabel("questions")
        ax.legend()
        out.append(("Per-question distribution", _png(fig)))
    return out


def _num(value: Any) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else escape(str(value))


def _interval(ci: Sequence[float] | None) -> str:
    return "" if not ci else f"<small>[{ci[0]:.3f}, {ci[1]:.3f}]</small>"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(rows_cell for rows_cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _question_row(q: Mapping[str, Any]) -> list[str]:
    passages = {p["n"]: p for p in q.get("passages", [])}
    claims_html = []
    for c in q.get("claims", []):
        if c["supported"] and c.get("judge") is not False:
            continue
        cited = (
            "".join(
                f'<div class="passage">[{n}] {escape(passages[n]["file"])}: '
                f"{escape(passages[n]['text'])}</div>"
                for n in c["citations"]
                if n in passages
            )
            or '<div class="passage">(cites no passage)</div>'
        )
        judge = "" if "judge" not in c else f" judge: {escape(str(c['judge']))}"
        failed = "; ".join(c.get("failed_checks") or [])
        nearest = (
            f'<div class="nearest">nearest sentence [{escape(str(c.get("nearest_passage")))}]: '
            f"{escape(c['nearest_sentence'])}</div>"
            if c.get("nearest_sentence")
            else ""
        )
        claims_html.append(
            f'<div class="claim">✗ {escape(c["claim"])} <small>score {c["score"]:.2f}{judge}'
            f"</small></div>"
            + (f'<div class="failed">failed: {escape(failed)}</div>' if failed else "")
            + nearest
            + cited
        )
    m = q["metrics"]
    bad = (
        ' class="bad"'
        if q.get("error")
        or any(not c["supported"] for c in q.get("claims", []))
        or m.get("refusal_accuracy") == 0
        else ""
    )
    answer = escape(q.get("error") or q.get("answer") or "")
    return [
        f"<td{bad}>{escape(q['id'])}</td>",
        f"<td>{escape(q['question'])}<br><small>reference: "
        f"{escape(q.get('reference_answer') or '(unanswerable)')}"
        f"</small></td>",
        f"<td>{answer}{' <b>(refused)</b>' if q.get('refused') else ''}</td>",
        "<td>" + "<br>".join(f"{escape(k)}: {_num(v)}" for k, v in m.items() if v is not None) + "</td>",
        "<td>" + ("".join(claims_html) or "–") + "</td>",
    ]


def render_html(report: Mapping[str, Any]) -> str:
    """The whole report as one HTML document."""
    delta = (report.get("baseline") or {}).get("delta") or {}
    metric_rows = []
    for name, agg in report["aggregate"].items():
        row = [
            f"<td>{escape(name)}</td>",
            f'<td class="num">{_num(agg["mean"])}</td>',
            f'<td class="num">{agg["n"]}</td>',
        ]
        if delta:
            d = delta.get(name, {})
            dv = d.get("delta")
            row += [
                f'<td class="num">{_num(d.get("baseline"))}</td>',
                f'<td class="num">{"–" if dv is None else f"{dv:+.3f}"}</td>',
            ]
        metric_rows.append([*row, f"<td>{escape(METRIC_NOTES.get(name, ''))}</td>"])
    header = ["metric", "mean", "n", *(["baseline", "Δ"] if delta else []), "meaning"]
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Evaluation report</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Evaluation report — {escape(str(report['dataset']['path']))}</h1>",
        f"<p>Mode {escape(report['mode'])}; {len(report['questions'])} questions; {report['errors']} errors; "
        f"model {escape(str(report['models']['llm'] or '–'))}; "
        f"embedder {escape(str(report['models']['embedder']))}; "
        f"judge {escape(str(report['models']['judge'] or 'none'))}; corpus fingerprint "
        f"{escape(str(report['corpus']['fingerprint']))}.</p>",
        _table(header, metric_rows),
    ]
    for line in (report.get("gate") or {}).get("failures", []):
        parts.append(f'<p class="fail">{escape(line)}</p>')
    for title, uri in charts(report):
        parts.append(f"<h2>{escape(title)}</h2><img alt='{escape(title)}' src='{uri}'>")
    check_rows = [
        [
            f"<td>{escape(data)}{' (fit set)' if result.get('fit_set') else ''}</td>",
            f"<td>{escape(name)}</td>",
            f'<td class="num">{q["n"]}</td>',
            f'<td class="num">{q["failures"]}</td>',
            f'<td class="num">{_num(q["accuracy"])} {_interval(q.get("accuracy_ci"))}</td>',
            f'<td class="num">{_num(q["auroc"])} {_interval(q.get("auroc_ci"))}</td>',
        ]
        for data, result in (report.get("judge_check") or {}).items()
        for name, q in result["signals"].items()
    ]
    if check_rows:
        parts.append("<h2>How far the faithfulness signals can be trusted</h2>")
        parts.append(
            _table(["data", "signal", "n", "failures", "accuracy [95 % CI]", "AUROC [95 % CI]"], check_rows)
        )
    parts.append("<h2>Questions</h2>")
    parts.append(
        _table(
            ["id", "question", "answer", "metrics", "unsupported claims and their cited passages"],
            [_question_row(q) for q in report["questions"]],
        )
    )
    if report.get("attribution"):
        parts.append(
            "<h2>Data</h2><ul>" + "".join(f"<li>{escape(a)}</li>" for a in report["attribution"]) + "</ul>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)
