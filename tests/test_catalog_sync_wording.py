"""The Device Sync UI's wording (Pause Sync, the form's sections, "press"), run live.

A one-page project is extracted and run against the emulator (a real server on
127.0.0.1 that ``docharness run --live`` starts and stops): pausing is staged,
reviewed, deployed and read back as state "disabled"; a renamed modal button stays
unbound, and an outcome claiming another state fails at its line.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.catalog.bind import Bound, bind_step
from harness.catalog.load import load_catalog

REPO = Path(__file__).resolve().parent.parent
PAGE = "docs/source/sync/pausing.txt"
PAGE_TEXT = """\
==========
Pause Sync
==========

.. _pause-sync:

Pause Sync
----------

.. procedure::

   .. step:: Open the Pause Sync modal

      In the :guilabel:`Device Sync` tab of the UI, press the :guilabel:`Pause Sync` button.

   .. step:: Confirm

      In the modal that opens, press the :guilabel:`Pause Sync` button.

   .. step:: Review

      Press the :guilabel:`Review & Deploy` button in the blue bar.

   .. step:: Deploy

      In the modal that appears, press the :guilabel:`Deploy` button.

You have now paused Device Sync, and the deployment was successful.
"""


def _run(root: Path, text: str) -> tuple[int, dict[str, str], str]:
    """Extract and run the page live; (exit code, {step text: status}, output)."""
    (root / PAGE).parent.mkdir(parents=True, exist_ok=True)
    (root / "docs/snooty.toml").write_text('name = "pausing"\ntitle = "Pausing"\n')
    (root / PAGE).write_text(text, encoding="utf-8")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    output = ""
    code = 0
    for args in (["extract", "docs", "-o", "features"], ["run", "--live"]):
        done = subprocess.run(
            [sys.executable, "-m", "harness", *args],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        output += done.stdout + done.stderr
        code = done.returncode
    results = json.loads((root / "reports/results.json").read_text(encoding="utf-8"))
    statuses = {
        step["text"]: step["status"]
        for page in results["pages"]
        for procedure in page["procedures"]
        for step in procedure["steps"]
    }
    return code, statuses, output


def test_pausing_sync_is_staged_deployed_and_read_back_as_disabled(tmp_path: Path) -> None:
    code, statuses, output = _run(tmp_path, PAGE_TEXT)
    assert code == 0, output
    assert list(statuses.values()) == ["ui-only", "verified", "verified", "verified", "verified"]


@pytest.mark.parametrize(
    ("old", "new", "marker", "status"),
    [
        # a renamed modal button: no entry knows it, so it is unbound (and nothing is staged)
        (
            "opens, press the :guilabel:`Pause Sync`",
            "opens, press the :guilabel:`Hold Sync`",
            "Hold Sync",
            "unbound",
        ),
        # the outcome claims a state the deployment did not make
        ("You have now paused", "You have now terminated", "terminated", "failed"),
    ],
)
def test_a_changed_page_fails_at_the_changed_line(
    tmp_path: Path, old: str, new: str, marker: str, status: str
) -> None:
    assert old in PAGE_TEXT
    code, statuses, output = _run(tmp_path, PAGE_TEXT.replace(old, new))
    assert code == 1, output
    assert [s for text, s in statuses.items() if marker in text] == [status]


def test_press_reads_like_click_on_the_deploy_bar() -> None:
    catalog = load_catalog()
    for text, entry in [
        ('Press the "Review & Deploy" button in the blue notification bar.', "review-and-deploy"),
        ('In the modal, review your changes and press the green "Deploy" button.', "deploy-draft"),
    ]:
        binding = bind_step(catalog, text, "action")
        assert isinstance(binding, Bound) and binding.entry.id == entry
