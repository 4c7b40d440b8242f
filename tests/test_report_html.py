"""reports/index.html: the procedure as a reader sees it, each step with its status in words."""

from __future__ import annotations

import re
from dataclasses import replace

from test_report_fixtures import (
    APP,
    DEPLOY_ERROR,
    GET_STARTED,
    PARTITION_SENTENCE,
    SEED,
    UNBOUND,
    failing_result,
    seed_result,
    step,
    steps_of,
    terminate,
    unbound_result,
)

from harness.report.html import render_html, sentence_html
from harness.results import RunInfo, dumps, loads


def test_every_step_shows_its_status_as_a_word_and_its_doc_line() -> None:
    steps = steps_of(render_html(seed_result()), "Terminate Realm Sync")
    assert [status for status, _ in steps] == ["verified", "ui-only", *["verified"] * 4]
    words = {"verified": "Verified", "ui-only": "UI only"}
    for status, text in steps:
        assert words[status] in text
    lines = [int(m) for _, text in steps for m in re.findall(re.escape(SEED) + r":(\d+)", text)]
    assert lines == [18, 66, 71, 78, 84, 90]


def test_ui_labels_are_set_off_like_guilabels_and_literals_as_code() -> None:
    assert sentence_html('click the red "Terminate Sync" button') == (
        'Click the red <span class="guilabel">Terminate Sync</span> button'
    )
    assert '<code class="literal">_partition</code>' in sentence_html(PARTITION_SENTENCE)


def test_ui_only_reason_and_preconditions_are_shown() -> None:
    page = render_html(seed_result())
    assert "Not verified, UI only:</strong> The red button only opens a confirmation modal" in page
    assert "Before you start" in page
    assert "Sync is enabled (the page starts from an app that uses Realm Sync)" in page


def test_a_failure_shows_the_message_and_the_api_exchange() -> None:
    page = render_html(failing_result())
    failed = [t for s, t in steps_of(page, "Terminate Realm Sync") if s == "failed"]
    assert len(failed) == 1
    assert "Failed" in failed[0] and f"{SEED}:84" in failed[0]
    assert DEPLOY_ERROR.replace('"', "&quot;") in page
    assert f"POST {APP}/drafts/d1/deployment 201 120 ms" in failed[0]
    skipped = [t for s, t in steps_of(page, "Terminate Realm Sync") if s == "skipped"]
    assert len(skipped) == 1 and "Skipped" in skipped[0]


def test_an_unbound_step_suggests_a_catalog_entry() -> None:
    page = render_html(unbound_result())
    [(_, text)] = [st for st in steps_of(page, "Re-enable Realm Sync") if st[0] == "unbound"]
    assert "Unbound" in text
    assert "add a [[step]] entry for it to harness/catalog/catalog.toml" in text
    assert 'id = "choose-a-partition-key"' in text


def test_text_from_the_results_is_escaped_everywhere() -> None:
    hostile = '<script>alert(1)</script> & "<b>label</b>"'
    proc = terminate()
    odd = step("When", hostile, SEED, 66, UNBOUND, "", reason="<i>reason</i>")
    result = replace(
        seed_result(),
        run=replace(seed_result().run, target="<img src=x>"),
        pages=(
            replace(
                seed_result().pages[0],
                title="<h1>T</h1>",
                procedures=(replace(proc, title="<u>P</u>", steps=(odd,)),),
            ),
        ),
    )
    page = render_html(result)
    for raw in ("<script>", "<b>label", "<img src=x>", "<h1>T", "<u>P", "<i>reason"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page
    assert '<span class="guilabel">&lt;b&gt;label&lt;/b&gt;</span>' in page


def test_the_file_is_self_contained() -> None:
    page = render_html(failing_result())
    assert "<style>" in page
    for reference in ("<script", "<link", "src=", "url(", "@import", "http://", "https://"):
        assert reference not in page
    assert "default-src 'none'" in page


def test_same_results_give_the_same_bytes() -> None:
    result = unbound_result()
    assert render_html(result) == render_html(loads(dumps(result)))
    shuffled = replace(
        result,
        run=RunInfo(**{**vars(result.run), "versions": {"python": "3.11", "docharness": "0.1.0"}}),
    )
    assert render_html(shuffled) == render_html(result)


def test_a_procedure_followed_into_another_page_names_that_file() -> None:
    page = render_html(seed_result())
    reenable = page[page.index(">Re-enable Realm Sync</h3>") :]
    meta = reenable[: reenable.index("</p>")]
    assert f"steps from <code>{GET_STARTED}</code>" in meta
    terminate = page[page.index(">Terminate Realm Sync</h3>") :]
    assert "steps from" not in terminate[: terminate.index("</p>")]
