"""Collection: a generated .feature file becomes a module of pytest-bdd scenario tests."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd.exceptions import GherkinParseError
from pytest_bdd.feature import get_feature
from pytest_bdd.scenario import scenario as bdd_scenario
from pytest_bdd.scenario import scenario_wrapper_template_registry

from harness.gherkin import is_generated
from harness.plugin.features import tag_values
from harness.plugin.options import RunSettings, run_settings
from harness.plugin.scenario import ScenarioInfo, ScenarioRun, step_refs

_OUR_TAGS = ("id:", "page:", "label:", "tab:", "from:")


def _conclude(docharness_scenario: ScenarioRun) -> None:
    """Runs after the last step: a failed precondition, or unbound steps unless allowed,
    fail the scenario."""
    if docharness_scenario.blocked:
        pytest.fail(docharness_scenario.blocked, pytrace=False)
    summary = docharness_scenario.unbound_summary()
    if summary and not docharness_scenario.allow_unbound:
        pytest.fail(summary, pytrace=False)


class FeatureModule(pytest.Module):
    """A .feature file as a module of pytest-bdd scenario tests."""

    def _getobj(self) -> types.ModuleType:
        module = types.ModuleType(f"docharness_feature_{self.path.stem}")
        module.__file__ = str(self.path)
        try:
            feature = get_feature(str(self.path.parent), self.path.name)
        except GherkinParseError as error:  # a user's edit: one line, not a traceback
            where = f"{relative(self.path)}:{error.line}"
            message = f"{where}: not valid Gherkin: {error.line_content.strip()}"
            raise self.CollectError(message) from None
        for index, (name, templated) in enumerate(feature.scenarios.items()):
            test = bdd_scenario(str(self.path), name, features_base_dir=str(self.path.parent))(
                _conclude
            )
            ids = tag_values(templated.tags, "id")
            test_name = f"test_{(ids[0] if ids else name)}".replace("/", "__")
            test_name = "".join(c if c.isalnum() else "_" for c in test_name) or f"test_{index}"
            setattr(module, test_name, test)
        return module


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Only files docharness generated: other pytest-bdd suites keep their own features."""
    if file_path.suffix == ".feature" and is_generated(file_path):
        module: pytest.Collector = FeatureModule.from_parent(parent, path=file_path)
        return module
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Resolve the run settings once scenarios are known, so mistakes stop the run early."""
    if any(isinstance(item.parent, FeatureModule) for item in items):
        run_settings(config)


def pytest_bdd_apply_tag(tag: str, function: Any) -> Any:
    """Our tags carry data (ids, labels), not pytest markers."""
    return function if tag.startswith(_OUR_TAGS) else None


def scenario_info(item: pytest.Item, settings: RunSettings) -> ScenarioInfo:
    function = getattr(item, "function", None)
    templated = scenario_wrapper_template_registry.get(function) if function else None
    if templated is None:
        raise pytest.UsageError(f"docharness: {item.nodeid} is not a docharness scenario")
    feature_file = Path(templated.feature.filename)
    tags = frozenset(templated.tags | templated.feature.tags)
    ids = tag_values(tags, "id")
    tabs = tag_values(tags, "tab")
    rendered = templated.render({})
    raw = [(s.keyword, s.type, s.name, s.line_number) for s in rendered.steps]
    return ScenarioInfo(
        id=ids[0] if ids else f"{feature_file.stem}/{templated.name}",
        title=templated.name,
        tags=tags,
        feature_file=feature_file,
        feature_line=templated.line_number,
        steps=step_refs(feature_file, relative(settings.project.docs), raw),
        tab=tabs[0] if tabs else "",
    )


def relative(path: Path) -> Path:
    """``path`` relative to the current directory when below it: how reports name files."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path
