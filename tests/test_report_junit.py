"""JUnit XML: testcases point at the doc file and line; unbound and failed steps fail them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from test_report_fixtures import (
    DEPLOY_ERROR,
    GET_STARTED,
    PARTITION_SENTENCE,
    SEED,
    failing_result,
    seed_result,
    unbound_result,
)

from harness.report.junit import render_junit
from harness.results import dumps, loads


def _cases(xml: str) -> dict[str, ET.Element]:
    root = ET.fromstring(xml)
    return {case.get("name", ""): case for case in root.iter("testcase")}


def test_one_suite_per_page_one_case_per_procedure_with_doc_locations() -> None:
    root = ET.fromstring(render_junit(seed_result()))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "Terminating & Re-enabling Realm Sync",
        "Get Started with Sync",
    ]
    assert [s.get("tests") for s in suites] == ["2", "1"]
    terminate, reenable = suites[0].findall("testcase")
    assert (terminate.get("file"), terminate.get("line")) == (SEED, "66")
    assert (reenable.get("file"), reenable.get("line")) == (GET_STARTED, "39")
    for case in root.iter("testcase"):
        assert not case.get("file", "").endswith(".feature")
        assert case.get("classname") and float(case.get("time", "x")) >= 0
    assert terminate.get("classname") == "reference.terminating-and-reenabling-realm-sync"
    assert root.get("failures") == "0" and root.find(".//failure") is None


def test_ui_only_steps_are_listed_in_system_out() -> None:
    out = _cases(render_junit(seed_result()))["Terminate Realm Sync"].findtext("system-out", "")
    assert f"[UI only] {SEED}:66: When in the" in out
    assert "not verifiable through the Admin API: The red button only opens" in out
    assert f"[Verified] {SEED}:71:" in out


def test_a_failing_case_names_the_failing_step_line_and_sentence() -> None:
    xml = render_junit(failing_result())
    root = ET.fromstring(xml)
    failure = _cases(xml)["Terminate Realm Sync"].find("failure")
    assert failure is not None
    message = failure.get("message", "")
    assert message.startswith(f"{SEED}:84: step failed: in the model that appears")
    assert failure.get("type") == "failed"
    assert DEPLOY_ERROR in (failure.text or "")
    assert "POST /groups/" in (failure.text or "")
    assert root.get("failures") == "1"
    assert root.find("testsuite[@name='Get Started with Sync']/testcase/failure") is None


def test_unbound_counts_as_a_failure() -> None:
    case = _cases(render_junit(unbound_result()))["Re-enable Realm Sync"]
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "unbound"
    assert failure.get("message") == f"{GET_STARTED}:44: step unbound: {PARTITION_SENTENCE}"
    assert "harness/catalog/catalog.toml" in (failure.text or "")


def test_control_characters_do_not_break_the_xml() -> None:
    result = failing_result()
    broken = loads(dumps(result).replace("cluster Cluster0 is paused", "bad \\u0007 byte"))
    failure = _cases(render_junit(broken))["Terminate Realm Sync"].find("failure")
    assert failure is not None and "bad \ufffd byte" in (failure.text or "")


def test_same_results_give_the_same_bytes() -> None:
    result = unbound_result()
    assert render_junit(result) == render_junit(loads(dumps(result)))
