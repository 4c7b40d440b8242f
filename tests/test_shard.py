"""Sharded runs: a deterministic, balanced split by page, and a merge equal to the whole run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from harness.cli.run import RunOptions, UsageProblem, shard_app
from harness.plugin.shard import assign, parse_shard
from harness.report.merge import MergeError, merge_results
from harness.results import PageResult, RunInfo, RunResult, loads


def test_parse_shard_accepts_k_of_n_and_names_the_mistake() -> None:
    assert parse_shard("2/3") == (2, 3)
    for wrong in ("0/3", "4/3", "3", "a/b", "1/0"):
        with pytest.raises(ValueError, match="shard"):
            parse_shard(wrong)


def test_pages_are_dealt_heaviest_first_to_the_lightest_shard() -> None:
    weights = {"a": 10, "b": 7, "c": 5, "d": 3, "e": 2, "f": 1}
    shard_of = assign(weights, 3)
    loads = {k: sum(w for p, w in weights.items() if shard_of[p] == k) for k in (1, 2, 3)}
    assert loads == {1: 10, 2: 9, 3: 9}
    assert assign(dict(reversed(weights.items())), 3) == shard_of  # order of discovery: irrelevant
    assert set(assign(weights, 1).values()) == {1}


def _options(**changes: Any) -> RunOptions:
    base: dict[str, Any] = {
        "features": (),
        "mode": "live",
        "api_url": "https://services.example.com/api/admin/v3.0",
        "keyword": "",
        "workers": "",
        "allow_destructive": True,
        "allow_unbound": False,
        "deploy_timeout": 1.0,
        "results": None,
        "quiet": True,
        "as_json": False,
        "shard": "2/3",
    }
    base.update(changes)
    return RunOptions(**base)


def test_live_shards_of_a_remote_app_need_one_distinct_app_each() -> None:
    with pytest.raises(UsageProblem, match="must not share an app"):
        shard_app(_options(), {})
    with pytest.raises(UsageProblem, match="3 distinct"):
        shard_app(_options(), {"DOCHARNESS_SHARD_APPS": "a,b,a"})
    assert shard_app(_options(), {"DOCHARNESS_SHARD_APPS": "a, b ,c"}) == "b"
    with pytest.raises(UsageProblem, match="agree"):
        shard_app(_options(), {"DOCHARNESS_SHARD_APPS": "a,b,c", "DOCHARNESS_APP_ID": "a"})
    # Nothing to share: replay, an emulator of each job's own, or no shards at all.
    assert shard_app(_options(mode="replay"), {}) is None
    assert shard_app(_options(api_url="http://127.0.0.1:9/api/admin/v3.0"), {}) is None
    assert shard_app(_options(api_url=""), {}) is None
    assert shard_app(_options(shard=""), {}) is None


def _result(*pages: str, mode: str = "live", target: str = "t") -> RunResult:
    return RunResult(
        run=RunInfo(mode, target, "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:01+00:00"),
        pages=tuple(PageResult(page, f"{page}.txt", page, ()) for page in pages),
    )


def test_merge_refuses_overlapping_or_mixed_shards() -> None:
    merged = merge_results([("1", _result("b")), ("2", _result("a")), ("3", _result())])
    assert [page.page for page in merged.pages] == ["a", "b"]
    with pytest.raises(MergeError, match="overlap"):
        merge_results([("1", _result("a")), ("2", _result("a"))])
    with pytest.raises(MergeError, match="modes"):
        merge_results([("1", _result("a")), ("2", _result("b", mode="replay"))])
    with pytest.raises(MergeError, match="targets"):
        merge_results([("1", _result("a")), ("2", _result("b", target="u"))])


# --- the dev corpus, run whole and in three shards ---------------------------------------------


def _docharness(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MONGODB_ATLAS_")}
    return subprocess.run(
        [sys.executable, "-m", "harness", *args],
        cwd=root,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _timeless(path: Path) -> dict[str, Any]:
    """results.json without what differs between any two runs: times."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "duration_ms"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    run = data["run"]
    run["started"] = run["finished"] = ""
    return dict(strip(data))


@pytest.mark.slow
def test_three_live_shards_merge_into_the_unsharded_run(
    tmp_path: Path, shared_dir: Path, repo_root: Path
) -> None:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copytree(shared_dir / "corpus/app-services", root / "docs")
    shutil.copy(repo_root / "pyproject.toml", root / "pyproject.toml")
    extracted = _docharness(root, "extract", "docs", "-o", "features", "--no-cache")
    assert extracted.returncode == 0, extracted.stderr

    whole = _docharness(root, "run", "--live", "-q", "--results", "whole/results.json")
    assert whole.returncode in (0, 1), whole.stderr
    shards = []
    for index in (1, 2, 3):
        folder = f"shard-{index}"
        results = f"{folder}/results.json"
        done = _docharness(
            root, "run", "--live", "-q", "--shard", f"{index}/3", "--results", results
        )
        assert done.returncode in (0, 1), done.stderr
        shards.append(folder)
    pages = [
        {page["page"] for page in json.loads((root / s / "results.json").read_text())["pages"]}
        for s in shards
    ]
    assert all(pages) and not (pages[0] & pages[1] or pages[0] & pages[2] or pages[1] & pages[2])

    merged = _docharness(root, "report", "--merge", *shards, "-o", "merged")
    assert merged.returncode == whole.returncode, merged.stderr
    assert _timeless(root / "merged/results.json") == _timeless(root / "whole/results.json")
    for name in ("index.html", "junit.xml", "cucumber.json"):
        assert (root / "merged" / name).is_file()
    merged_junit = (root / "merged/junit.xml").read_text(encoding="utf-8")
    whole_junit = (root / "whole/junit.xml").read_text(encoding="utf-8")
    assert merged_junit.count("<testcase") == whole_junit.count("<testcase") > 0
    assert merged_junit.count("<failure") == whole_junit.count("<failure")
    assert loads((root / "merged/results.json").read_text()).pages


def test_merge_refuses_shards_with_different_unbound_rules() -> None:
    allowed = _result("b")
    allowed = RunResult(run=replace(allowed.run, allow_unbound=True), pages=allowed.pages)
    with pytest.raises(MergeError, match="allow-unbound"):
        merge_results([("1", _result("a")), ("2", allowed)])
    merged = merge_results([("1", allowed), ("2", RunResult(allowed.run, ()))])
    assert merged.run.allow_unbound
