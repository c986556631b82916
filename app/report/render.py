"""Render a gathered report (see :func:`app.report.figures.gather`) as one self-contained HTML
file: matplotlib charts as inline SVG, no scripts or network resources, plus ``report.json``."""

from __future__ import annotations

import csv
import html
import io
import json
import urllib.parse
from pathlib import Path

CJK_FONTS = ["Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "Source Han Sans SC", "DejaVu Sans"]
HEADLINE_ORDER = ("duration_min", "comments", "viewers", "new_viewers", "returning_viewers", "replies", "spoken",
                  "questions", "questions_answered", "answer_rate", "held", "unanswered", "purchase_signals", "link_clicks", "purchases",
                  "gifts", "likes", "follows", "enters", "moderated", "latency_p50_s", "latency_p95_s", "speech_s")


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.sans-serif"] = CJK_FONTS
    plt.rcParams["axes.unicode_minus"] = False
    plt.rcParams["svg.fonttype"] = "none"  # text stays text: small files, searchable
    return plt


def _svg(fig, chart_id: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    _plt().close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    return f'<figure class="chart" id="{chart_id}">{svg}</figure>'


def _timeline_chart(rep: dict) -> str:
    plt = _plt()
    tl = rep["timeline"]
    x = list(range(tl["minutes"]))
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(10, 4.8), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    palette = plt.get_cmap("tab10")
    pids = sorted({b[2] for b in tl["bands"]})
    for a, b, pid in tl["bands"]:
        for axis in (ax, ax2):
            axis.axvspan(a, b, color=palette(pids.index(pid) % 10), alpha=0.12, lw=0)
        ax.text((a + b) / 2, 1.0, pid, transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                fontsize=7, rotation=0)
    for key in ("comments", "gifts", "follows", "enters"):
        ax.plot(x, tl[key], label=key, lw=1.2)
    axl = ax.twinx()
    axl.plot(x, tl["likes"], label="likes", color="grey", lw=0.8, ls=":")
    axl.set_ylabel("likes / min")
    ax.set_ylabel("events / min")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = axl.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=7, loc="upper left", ncol=5)
    ax2.bar(x, tl["speech_s"], width=0.9, color="tab:purple")
    ax2.set_ylabel("host speech s")
    ax2.set_xlabel("stream minute (bands: now-selling product)")
    return _svg(fig, "chart-timeline")


def _barh(items: list[tuple[str, float]], title: str, chart_id: str, color: str = "tab:blue") -> str:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 0.3 * max(3, len(items)) + 0.8))
    labels = [k for k, _ in items][::-1]
    ax.barh(labels, [v for _, v in items][::-1], color=color)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=8)
    return _svg(fig, chart_id)


def _host_chart(rep: dict) -> str:
    plt = _plt()
    per = rep["host"]["per_intent"]
    intents = list(per)
    keys = ("suggested", "auto_approved", "seller_approved", "edited", "rejected", "spoken")
    fig, ax = plt.subplots(figsize=(10, 3.2))
    w = 0.8 / len(keys)
    for i, k in enumerate(keys):
        ax.bar([j + i * w for j in range(len(intents))], [per[n][k] for n in intents], width=w, label=k)
    ax.set_xticks([j + 0.4 - w / 2 for j in range(len(intents))], intents, rotation=30, ha="right", fontsize=8)
    ax.legend(fontsize=7, ncol=5)
    ax.set_ylabel("replies")
    return _svg(fig, "chart-host")


def _table(headers: list[str], rows: list[list], cls: str = "") -> str:
    th = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape('' if c is None else str(c))}</td>" for c in r) + "</tr>"
                   for r in rows)
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def faq_csv_text(rep: dict) -> str:
    """The missing-fact FAQ rows as CSV text with the catalog's FAQ header ``question,answer``."""
    from app.report.figures import faq_rows

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["question", "answer"])
    w.writerows(faq_rows(rep))
    return buf.getvalue()


def render_html(rep: dict, compare: dict | None = None) -> str:
    """The report as one HTML document (str). ``compare``: another session's report (or just
    ``{"session": ..., "headline": ...}``) shown side by side in the headline table."""
    e = html.escape
    s = rep["session"]
    head = rep["headline"]
    defs = rep["definitions"]
    parts = [f"<h1>直播复盘 Session report — {e(s['session_id'])}</h1>",
             f"<p>Platform {e(s['platform'])}; {head['duration_min']} min"
             + ("" if s["ended"] else "; <b>the session did not end cleanly</b>") + ".</p>"]
    # headline (+ compare)
    hdr = ["figure", s["session_id"]] + ([compare["session"]["session_id"], "change"] if compare else []) + ["what it counts"]
    rows = []
    for k in HEADLINE_ORDER:
        v = head.get(k)
        row = [k, v]
        if compare:
            o = compare["headline"].get(k)
            row += [o, (round(v - o, 3) if isinstance(v, (int, float)) and isinstance(o, (int, float)) else "")]
        rows.append(row + [defs.get(k, "")])
    parts += ['<h2 id="headline">Headline figures' + (" — compared with a previous session" if compare else "")
              + "</h2>", _table(hdr, rows, "headline")]
    parts += ['<h2 id="timeline">Stream timeline</h2>', _timeline_chart(rep)]
    # products
    parts.append('<h2 id="products">Products</h2>')
    parts.append(_table(["product", "title", "on_air_min", "questions", "questions_per_min", "purchase_signals",
                         "link_clicks", "purchases", "recommended", "questions by intent"],
                        [[p["product_id"], p["title"], p["on_air_min"], p["questions"], p["questions_per_min"],
                          p["purchase_signals"], p["link_clicks"], p["purchases"], p["recommended"],
                          ", ".join(f"{k} {v}" for k, v in p["by_intent"].items())] for p in rep["products"]],
                        "products"))
    qs = [(f"{p['product_id']}", p["questions"]) for p in rep["products"] if p["questions"]]
    if qs:
        parts.append(_barh(qs, "questions per product", "chart-questions"))
    parts.append('<h3 id="words">Words viewers used most, per product</h3><div class="grid">')
    for i, p in enumerate(p for p in rep["products"] if p["words"]):
        parts.append(_barh([(w, c) for w, c in p["words"]], f"{p['product_id']} {p['title']}",
                           f"chart-words-{i}", "tab:green"))
    parts.append("</div>")
    # unanswered / missing facts
    parts.append('<h2 id="unanswered">Questions not answered or held</h2>')
    parts.append(_table(["t (s)", "product", "intent", "status", "held_reason", "detail", "question", "draft"],
                        [[u["t"], u["product_id"], u["intent"], u["status"], u["held_reason"], u["held_detail"],
                          u["question"], u["draft"]] for u in rep["unanswered"]], "unanswered"))
    parts.append('<h3 id="missing-facts">Missing facts (fix the catalog or add FAQ answers)</h3>')
    parts.append(_table(["product", "title", "missing fact", "questions"],
                        [[g["product_id"], g["title"], g["fact"], " / ".join(g["questions"])]
                         for g in rep["missing_facts"]], "missing"))
    data = "data:text/csv;charset=utf-8," + urllib.parse.quote("\ufeff" + faq_csv_text(rep))
    parts.append(f'<p><a id="faq-export" download="faq.csv" href="{data}">Export these questions as FAQ rows '
                 "(faq.csv: question,answer — write the answers, then import with the catalog)</a></p>")
    # host
    parts.append('<h2 id="host">The host\'s performance</h2>')
    if rep["host"]["per_intent"]:
        parts.append(_host_chart(rep))
    parts.append(f"<p>Reply latency p50 {rep['host']['latency_p50_s']} s, p95 {rep['host']['latency_p95_s']} s "
                 f"({e(defs['latency_p50_s'])})</p>")
    parts.append(_table(["intent", "suggested", "auto_approved", "seller_approved", "edited", "rejected", "spoken"],
                        [[k, *v.values()] for k, v in rep["host"]["per_intent"].items()], "host"))
    parts.append("<h3>The seller's edits</h3>" + (_table(["intent", "draft", "seller's text"],
                 [[x["intent"], x["draft"], x["edited"]] for x in rep["host"]["edits"]], "edits")
                 if rep["host"]["edits"] else "<p>No edits.</p>"))
    # viewers
    v = rep["viewers"]
    parts.append('<h2 id="viewers">Viewers</h2>')
    parts.append(f"<p>{v['viewers']} viewers: {v['new_viewers']} new, {v['returning_viewers']} returning; "
                 f"{v['moderated']} messages moderated.</p><div class=\"grid\">")
    parts.append("<div><h3>Top askers</h3>" + _table(["viewer", "questions"], v["top_askers"]) + "</div>")
    parts.append("<div><h3>Top gift senders</h3>" + _table(["viewer", "gifts"], v["top_gift_senders"]) + "</div></div>")
    parts.append('<h2 id="definitions">What each figure counts</h2><dl>'
                 + "".join(f"<dt>{e(k)}</dt><dd>{e(d)}</dd>" for k, d in defs.items()) + "</dl>")
    css = ("body{font-family:'Noto Sans CJK SC',sans-serif;margin:2em;max-width:1100px;color:#222}"
           "table{border-collapse:collapse;margin:.5em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;"
           "vertical-align:top}th{background:#f2f2f2}.grid{display:flex;flex-wrap:wrap;gap:1em}"
           "figure.chart{margin:.5em 0}figure.chart svg{max-width:100%;height:auto}dt{font-weight:bold}")
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>直播复盘 "
            f"{e(s['session_id'])}</title><style>{css}</style></head><body>" + "\n".join(parts) + "</body></html>")


def write_report(rep: dict, out_html: Path, *, compare: dict | None = None, json_path: Path | None = None) -> Path:
    """Write the HTML to ``out_html`` and the figures to ``json_path`` (default: report.json next
    to it). Returns the JSON path. Raises OSError when the folder cannot be written."""
    out_html = Path(out_html)
    out_html.parent.mkdir(parents=True, exist_ok=True)
    out_html.write_text(render_html(rep, compare), encoding="utf-8")
    json_path = Path(json_path) if json_path else out_html.with_name("report.json")
    payload = dict(rep)
    if compare:
        payload["compare"] = {"session": compare["session"], "headline": compare["headline"]}
    json_path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    return json_path
