"""``run --record`` never loses a good recording, and gives every scenario one."""

from __future__ import annotations

from collections.abc import Callable

from e2e_project import Project

from harness.emulator import DEFAULT_APP_ID, DEFAULT_GROUP_ID, DEFAULT_PUBLIC_KEY, Emulator


def _refused_keys() -> dict[str, str]:
    return {
        "MONGODB_ATLAS_PUBLIC_API_KEY": DEFAULT_PUBLIC_KEY,
        "MONGODB_ATLAS_PRIVATE_API_KEY": "a-key-the-server-refuses",
        "MONGODB_ATLAS_PROJECT_ID": DEFAULT_GROUP_ID,
        "DOCHARNESS_APP_ID": DEFAULT_APP_ID,
    }


def test_a_failed_record_keeps_the_good_cassettes(
    project: Project, emulator_with: Callable[..., Emulator]
) -> None:
    emulator = emulator_with()
    cassettes = sorted((project.root / "cassettes").rglob("*.yaml"))
    before = {path: path.read_bytes() for path in cassettes}
    done = project.docharness("run", "--record", "--api-url", emulator.url, env=_refused_keys())
    assert done.code == 1, done.output
    assert "401" in done.output or "InvalidPassword" in done.output
    assert {path: path.read_bytes() for path in cassettes} == before
    assert not list((project.root / "cassettes").rglob("*.recording"))
    assert project.docharness("run").code == 0  # the old recordings still replay

    forced = project.docharness(
        "run", "--record", "--record-failed", "--api-url", emulator.url, env=_refused_keys()
    )
    assert forced.code == 1, forced.output
    assert all(path.read_bytes() != before[path] for path in cassettes)


def test_a_scenario_without_api_calls_gets_a_cassette(project: Project) -> None:
    page = project.root / "docs/source/sync/look.txt"
    page.write_text(
        "====\nLook\n====\n\nOpen the modal\n--------------\n\n"
        "1. In the :guilabel:`Sync` tab, click the red :guilabel:`Terminate Sync` button.\n"
        "2. Turn on the :guilabel:`Development Mode` toggle.\n",
        encoding="utf-8",
    )
    assert project.docharness("extract", "docs", "-o", "features").code in (0, 1)
    recorded = project.docharness("run", "--record", "-k", "look")
    assert recorded.code == 0, recorded.output
    cassette = project.root / "cassettes/sync/look/open-the-modal.yaml"
    assert cassette.is_file()
    assert project.docharness("run", "-k", "look").code == 0
    assert project.docharness("cassettes").code == 0  # one recording per scenario, none missing


def test_a_first_recording_is_kept_even_when_its_scenario_failed(
    project: Project, emulator_with: Callable[..., Emulator]
) -> None:
    """With no cassette to protect, a failed scenario's recording is kept, so replay reports
    the failure the recording saw instead of "no recording"."""
    emulator = emulator_with()
    for cassette in (project.root / "cassettes").rglob("*.yaml"):
        cassette.unlink()
    recorded = project.docharness("run", "--record", "--api-url", emulator.url, env=_refused_keys())
    assert recorded.code == 1, recorded.output
    kept = sorted((project.root / "cassettes").rglob("*.yaml"))
    assert kept, "the failed first recordings were dropped"
    replayed = project.docharness("run")
    assert replayed.code == 1
    assert "no recording" not in replayed.output, replayed.output
    assert "401" in replayed.output or "InvalidPassword" in replayed.output, replayed.output
