"""``reports/index.html``: the run as a docs writer reads it.

Each procedure appears as the page shows it (numbered steps, UI labels set off
like ``:guilabel:``), and every step carries its status as a word, not only a
colour, with the doc file and line to fix. One self-contained file: the CSS is
inlined and a Content-Security-Policy forbids every fetch, so the report opens
offline, from a CI artifact, exactly as it was written. Every piece of text
from the results is escaped; the same results always give the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from html import escape
from importlib import resources

from harness.report.coverage import DEFINITION, measure
from harness.report.status import (
    GROUP_LABELS,
    LABELS,
    ORDER,
    UNBOUND_ADVICE,
    Tally,
    location,
    page_status,
    percent,
    procedure_status,
    tally,
)
from harness.results import ApiCall, PageResult, ProcedureResult, RunInfo, RunResult, StepResult
from harness.results import StepStatus as S

GENERATOR = "docharness"

# Marks drawn next to the badge words; decoration only, hidden from screen readers.
_ICONS = {
    S.VERIFIED: "\u2713",
    S.UI_ONLY: "\u25cb",
    S.UNBOUND: "?",
    S.FAILED: "\u2715",
    S.SKIPPED: "\u2013",
    S.EXTERNAL: "\u2197",
}

_MARKUP = re.compile(r'"([^"]+)"|`([^`]+)`')
_NOT_ID = re.compile(r"[^a-z0-9]+")


def _css() -> str:
    return resources.files("harness.report").joinpath("report.css").read_text(encoding="utf-8")


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _cls(status: S) -> str:
    return f"st-{status.value}"


def badge(status: S, labels: Mapping[S, str] = LABELS) -> str:
    """A status as an icon and a word: colour alone says nothing to many readers."""
    return (
        f'<span class="badge {_cls(status)}"><span aria-hidden="true">{_ICONS[status]}</span> '
        f"{labels[status]}</span>"
    )


def sentence_html(text: str) -> str:
    """The step as the page reads: first letter capitalised, "quoted" UI labels as
    guilabels and `backticked` literals as code, everything else escaped."""
    text = text[:1].upper() + text[1:]
    parts: list[str] = []
    last = 0
    for match in _MARKUP.finditer(text):
        parts.append(_e(text[last : match.start()]))
        label, literal = match.groups()
        if label is not None:
            parts.append(f'<span class="guilabel">{_e(label)}</span>')
        else:
            parts.append(f'<code class="literal">{_e(literal)}</code>')
        last = match.end()
    parts.append(_e(text[last:]))
    return "".join(parts)


def _milliseconds(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def _run_time(run: RunInfo) -> str:
    try:
        seconds = (
            datetime.fromisoformat(run.finished) - datetime.fromisoformat(run.started)
        ).total_seconds()
    except (TypeError, ValueError):
        return "unknown"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)} min {rest:.0f} s" if minutes else f"{rest:.1f} s"


def _slugs(names: Iterable[str], prefix: str) -> list[str]:
    """Anchor ids, unique even when two names slug alike."""
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        base = f"{prefix}-{_NOT_ID.sub('-', name.lower()).strip('-')}"
        anchor, n = base, 2
        while anchor in seen:
            anchor, n = f"{base}-{n}", n + 1
        seen.add(anchor)
        out.append(anchor)
    return out


def _bar(counts: Tally, label: str) -> str:
    spans = "".join(
        f'<span class="{_cls(s)}" style="width:{counts.share(s):.2f}%"></span>'
        for s in ORDER
        if counts.count(s)
    )
    return f'<div class="bar" role="img" aria-label="{_e(label)}">{spans}</div>'


def _breakdown(counts: Tally) -> str:
    return ", ".join(f"{counts.count(s)} {LABELS[s].lower()}" for s in ORDER)


def _calls_table(calls: tuple[ApiCall, ...]) -> str:
    rows = "".join(
        f'<tr><td class="mono">{_e(c.method)}</td><td class="mono">{_e(c.path)}</td>'
        f'<td class="num{" bad" if c.status >= 400 else ""}">{c.status}</td>'
        f'<td class="num">{_e(_milliseconds(c.duration_ms))}</td></tr>'
        for c in calls
    )
    return (
        '<table class="calls"><caption class="sr">Admin API exchange</caption>'
        '<thead><tr><th scope="col">Method</th><th scope="col">Path</th>'
        '<th scope="col" class="num">Status</th><th scope="col" class="num">Time</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _text_block(text: str) -> str:
    return f"<pre>{_e(text)}</pre>" if "\n" in text else f" {_e(text)}"


def _notes(step: StepResult) -> str:
    """What the writer needs next to a step: why it is not verified, or what went wrong."""
    note = f'<div class="note {_cls(step.status)}">'
    if step.status is S.FAILED and step.known:
        return (
            f"{note}<strong>Known finding</strong> (accepted in {_e(step.known)}; it does not "
            f"fail the run):<pre>{_e(step.error or 'failed')}</pre></div>"
        )
    if step.status is S.FAILED:
        calls = _calls_table(step.calls) if step.calls else ""
        return (
            f"{note}<strong>Failure:</strong><pre>{_e(step.error or 'failed')}</pre>{calls}</div>"
        )
    if step.status is S.UNBOUND:
        extra = _text_block(step.reason) if step.reason else ""
        return f"{note}<strong>Unbound:</strong> {_e(UNBOUND_ADVICE)}{extra}</div>"
    if step.status is S.UI_ONLY:
        why = _e(step.reason) if step.reason else "no Admin API call can observe this step."
        return f"{note}<strong>Not verified, UI only:</strong> {why}</div>"
    if step.status is S.SKIPPED:
        return f"{note}Not run: an earlier step did not pass.</div>"
    if step.status is S.EXTERNAL:
        return f"{note}<strong>External, not run:</strong> {_e(step.reason)}</div>"
    if not (step.reason or step.calls):
        return ""
    calls = f"{len(step.calls)} API call{'s' if len(step.calls) != 1 else ''}"
    body = f"<p>{_e(step.reason)}</p>" if step.reason else ""
    return (
        f"<details><summary>How it was verified ({calls})</summary>{body}"
        f"{_calls_table(step.calls) if step.calls else ''}</details>"
    )


def _step_item(step: StepResult, marker: str, marker_label: str) -> str:
    entry = f" \u00b7 catalog: <code>{_e(step.catalog_entry)}</code>" if step.catalog_entry else ""
    outcome = " outcome" if marker_label == "Outcome" else ""
    return (
        f'<li class="step {_cls(step.status)}" data-status="{step.status.value}">'
        f'<span class="marker{outcome}" title="{marker_label}">'
        f'<span class="sr">{marker_label} </span>{marker}</span>'
        f'<div class="content"><p class="sentence">{sentence_html(step.text)}</p>'
        f'<p class="where"><code>{_e(location(step))}</code>{entry}</p>{_notes(step)}</div>'
        f"{badge(step.status)}</li>"
    )


def _steps(steps: tuple[StepResult, ...]) -> Iterator[str]:
    """Actions numbered as on the page; an outcome sentence gets a mark, not a number."""
    number = 0
    for step in steps:
        if step.kind == "outcome":
            yield _step_item(step, "\u2192", "Outcome")
        else:
            number += 1
            yield _step_item(step, str(number), "Step")


def _procedure(procedure: ProcedureResult, anchor: str, page_path: str) -> str:
    status = procedure_status(procedure)
    counts = tally(step.status for step in procedure.steps)
    extra = f" \u00b7 tab <code>{_e(procedure.tab)}</code>" if procedure.tab else ""
    elsewhere = sorted({step.path for step in procedure.steps} - {page_path})
    if elsewhere:  # a procedure the page sends the reader to, e.g. through :doc:
        files = ", ".join(f"<code>{_e(path)}</code>" for path in elsewhere)
        extra += f" \u00b7 steps from {files}"
    before = ""
    if procedure.preconditions:
        items = "".join(_step_item(s, "\u2022", "Precondition") for s in procedure.preconditions)
        before = (
            f'<div class="before"><h4>Before you start</h4><ul class="steps">{items}</ul></div>'
        )
    return (
        f'<section class="procedure" id="{anchor}" aria-labelledby="{anchor}-title">'
        f'<header><div><h3 id="{anchor}-title">{_e(procedure.title)}</h3>'
        f'<p class="meta">{_e(_breakdown(counts))} \u00b7 scenario '
        f"<code>{_e(procedure.feature)}:{procedure.feature_line}</code>{extra}</p></div>"
        f"{badge(status, GROUP_LABELS)}</header>{before}"
        f'<ol class="steps">{"".join(_steps(procedure.steps))}</ol></section>'
    )


def _page(page: PageResult, anchor: str) -> str:
    anchors = _slugs((p.id for p in page.procedures), anchor)
    procedures = "".join(
        _procedure(p, a, page.path) for p, a in zip(page.procedures, anchors, strict=True)
    )
    return (
        f'<article class="page" id="{anchor}" aria-labelledby="{anchor}-title">'
        f'<header><h2 id="{anchor}-title">{_e(page.title or page.page)} '
        f"{badge(page_status(page), GROUP_LABELS)}</h2>"
        f"<p><code>{_e(page.path)}</code></p></header>{procedures}</article>"
    )


def _page_steps(page: PageResult) -> list[StepResult]:
    return [step for proc in page.procedures for step in proc.steps]


def _index_row(page: PageResult, anchor: str) -> str:
    steps = _page_steps(page)
    counts = tally(step.status for step in steps)
    share = percent(counts.share(S.VERIFIED))
    cells = "".join(
        f'<td class="num{"" if counts.count(s) else " zero"}">{counts.count(s)}</td>' for s in ORDER
    )
    time = _milliseconds(sum(step.duration_ms for step in steps))
    return (
        f'<tr><td><a href="#{anchor}">{_e(page.title or page.page)}</a>'
        f'<span class="page-path mono">{_e(page.path)}</span></td>'
        f"<td>{badge(page_status(page), GROUP_LABELS)}</td>"
        f'<td><div class="share">{_bar(counts, f"{share} verified")}<span>{share}</span></div></td>'
        f'{cells}<td class="num">{counts.total}</td><td class="num">{_e(time)}</td></tr>'
    )


def _header(run: RunInfo) -> str:
    facts = [
        ("Mode", run.mode),
        ("Target", run.target),
        ("Started", run.started),
        ("Finished", run.finished),
        ("Run time", _run_time(run)),
        *sorted(run.versions.items()),
    ]
    items = "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in facts)
    return (
        '<header class="top"><div class="wrap"><p class="brand">docharness</p>'
        f'<h1>Documentation test report</h1><dl class="run">{items}</dl></div></header>'
    )


def verdict(result: RunResult) -> tuple[S, str]:
    """The run's overall verdict as a status for colour and a word, as the exit code has it."""
    if result.passed and any(p.known_findings for page in result.pages for p in page.procedures):
        return S.VERIFIED, "Passed, but for known findings"
    if result.passed:
        return S.VERIFIED, "Passed"
    return S.FAILED, "Failed"


def _summary(result: RunResult) -> str:
    coverage = measure(result)
    steps = coverage.steps
    share = percent(coverage.verified_share)
    legend = "".join(f"<li>{badge(s)} {steps.count(s)}</li>" for s in ORDER)
    status, word = verdict(result)
    procedures = [p for page in result.pages for p in page.procedures]
    passed = sum(1 for p in procedures if result.procedure_passed(p))
    allowed = " (unbound steps allowed)" if result.run.allow_unbound else ""
    return (
        f'<section class="panel verdict {_cls(status)}" aria-labelledby="verdict-title">'
        f'<h2 id="verdict-title">{word}</h2>'
        f"<p>{passed} of {len(procedures)} procedures passed{allowed}.</p></section>"
        '<section class="panel summary" aria-labelledby="summary-title">'
        f'<div class="headline"><h2 id="summary-title">Verified</h2>'
        f'<div class="figure">{share}</div>'
        f"<p>{steps.count(S.VERIFIED)} of {steps.total} steps verified by the Admin API</p></div>"
        f"<div>{_bar(steps, f'Steps: {_breakdown(steps)}')}"
        f'<ul class="legend" aria-label="Steps by status">{legend}</ul>'
        f'<p class="definition">{len(result.pages)} pages, {coverage.procedures.total} procedures, '
        f"{steps.total} steps. {_e(DEFINITION[0].upper() + DEFINITION[1:])}. "
        "A procedure counts as its worst step.</p></div></section>"
    )


def _index(result: RunResult, anchors: list[str]) -> str:
    rows = "".join(_index_row(p, a) for p, a in zip(result.pages, anchors, strict=True))
    heads = "".join(f'<th scope="col" class="num">{LABELS[s]}</th>' for s in ORDER)
    return (
        '<section class="panel" aria-labelledby="pages-title"><h2 id="pages-title">Pages</h2>'
        '<div class="scroll"><table class="index"><thead><tr><th scope="col">Page</th>'
        '<th scope="col">Status</th><th scope="col">Verified share</th>'
        f'{heads}<th scope="col" class="num">Steps</th><th scope="col" class="num">Time</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></div></section>"
    )


def render_html(result: RunResult) -> str:
    anchors = _slugs((page.page for page in result.pages), "page")
    share = percent(measure(result).verified_share)
    pages = "".join(_page(p, a) for p, a in zip(result.pages, anchors, strict=True))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f'<meta name="generator" content="{GENERATOR}">\n'
        f"<title>{verdict(result)[1]}: {share} of steps verified \u00b7 docharness report</title>\n"
        f"<style>\n{_css()}</style>\n</head>\n<body>\n{_header(result.run)}\n"
        f'<main class="wrap">\n{_summary(result)}\n{_index(result, anchors)}\n{pages}\n</main>\n'
        '<footer class="wrap">Generated by docharness from the results of one run. '
        "UI-only steps are shown for completeness and are never counted as verified.</footer>\n"
        "</body>\n</html>\n"
    )
