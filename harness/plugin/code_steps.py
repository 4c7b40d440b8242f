"""Steps whose body is code run as the Admin API requests that code makes.

A step whose code holds a ``curl`` command or a ``realm-cli``/``appservices``
command is not bound by its sentence: :mod:`harness.commands` reads the
command, this module sends what it means with the scenario's client (live, or
through the recording) and reads back what it changed. A JSON block in a step
after a ``pull`` is an edit of the pulled configuration; the ``push`` that
follows sends it, and the deployed configuration read afterwards confirms (or
contradicts) each edit at its own step's line.

Truth rules (see README's status table): a curl GET is verified by its own
answer; a write only by a later read of what it wrote (``code.toml``); a pull
by the deployed configuration it answered; a push by the deployment it created
(``successful``) and the deployed configuration read outside any draft. A
command the shell or the CLI would not run as the page means (``-h`` for
``-H``, a missing ``\\``, a flag the command does not have) fails at its line
naming the defect; a command docharness cannot translate, or a value it cannot
fill, is unbound; a Data API or GraphQL call is external.
"""

from __future__ import annotations

import functools
import json
import re
import time
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from vcr.errors import CannotOverwriteExistingCassetteException

from harness.adminapi import AdminClientError, NotFoundError
from harness.commands import (
    CliPlan,
    RequestMatch,
    match_request,
    output_mismatches,
    parse_cli,
    parse_curls,
    parse_json_block,
    resolve,
)
from harness.commands.jsonedit import (
    EditError,
    apply_to_pull,
    locate,
    named_in_prose,
    new_item_lacks,
)
from harness.commands.lint import JSON_LANGUAGES, SHELL_LANGUAGES
from harness.commands.placeholders import (
    Placeholder,
    fill,
    find_placeholders,
    json_standin,
    reader_choice,
)
from harness.commands.problems import Problem
from harness.diagnostics import Severity
from harness.openapi import admin_spec_path, exchange_problems
from harness.plugin.cassettes import divergence
from harness.results import ApiCall, StepResult, StepStatus

if TYPE_CHECKING:
    from harness.commands.spec import Operation, SpecIndex
    from harness.plugin.scenario import ScenarioInfo, ScenarioRun, StepRef

_RUNNABLE_LANGUAGES = SHELL_LANGUAGES | {"", "text", "none"}
_OTHER_HEADER = re.compile(r"^\s*# (?P<kind>[a-z-]+) \((?P<where>\S+)\):")
_PROSE = frozenset({"paragraph", "list", "table", "figure"})
_CODE_HEADER = re.compile(
    r"^\s*# (?P<kind>code|output)(?: (?P<language>\S+))? \((?P<where>\S+)\):$"
)
_JSON_FILE = re.compile(r"[\w./-]*\w\.json\b")
_LITERAL = re.compile(r"`([^`]+)`")
_NO_ROUTE = "no route for "  # how a server says it has no such path at all


class CodeStepError(Exception):
    """A code step contradicted by the product or by its own command; the text says which."""


@dataclass(frozen=True)
class CodeBlock:
    """A code or output block of a step, at its doc line."""

    kind: str  # code | output
    language: str
    text: str
    line: int
    aside: str = ""  # the admonition (note, important...) the block sits in: not run
    caption: str = ""  # the code-block's :caption: (often the file it shows)


@dataclass
class _Edit:
    """A JSON edit a step staged in the pulled configuration, settled by the next push."""

    index: int  # the step's place in the scenario's results
    file: str
    value: Any


@dataclass
class CodeState:
    """What the scenario's code steps hold between steps, as the reader's shell would."""

    pulled: dict[str, Any] | None = None  # the app directory, as one pull document
    edits: list[_Edit] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)  # run values for placeholders


# Reading a step's code from its feature


@functools.lru_cache(maxsize=64)
def _feature_lines(feature_file: str) -> tuple[str, ...]:
    try:
        return tuple(Path(feature_file).read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError):  # no feature to read code from: no code step
        return ()


@functools.lru_cache(maxsize=64)
def _doc_lines(doc_file: str) -> tuple[str, ...]:
    try:
        return tuple(Path(doc_file).read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError):
        return ()


def step_blocks(feature_file: str, step_line: int, doc_file: str, doc_line: int) -> list[CodeBlock]:
    """The code and output blocks under the step at feature line ``step_line``, in doc order.

    The feature format (``harness.gherkin``) gives the first code block as the
    DocString and the others as ``# code <language> (<path>:<line>):`` comments;
    the DocString's doc line is found in the page, after the step's own line.
    """
    lines = _feature_lines(feature_file)
    index = step_line  # the line after the step (0-based)
    blocks: list[CodeBlock] = []
    if index < len(lines) and lines[index].strip()[:3] in ('"""', "```"):
        opening = lines[index].strip()
        delimiter, language = opening[:3], opening[3:]
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip() != delimiter:
            line = lines[index]
            body.append(line[6:] if line.startswith(" " * 6) else line.strip())
            index += 1
        index += 1
        text = "\n".join(body)
        if delimiter == '"""':
            text = text.replace('\\"\\"\\"', '"""')
        at = _find_line(doc_file, doc_line, text)
        blocks.append(CodeBlock("code", language, text, at, caption=_caption(doc_file, at)))
    current: tuple[str, str, int] | None = None
    content: list[str] = []
    aside: tuple[str, int] | None = None  # the last admonition: its kind and doc line
    while index < len(lines) and lines[index].lstrip().startswith("#"):
        line = lines[index].strip()
        header = _CODE_HEADER.match(line)
        is_content = current is not None and (line == "#" or line.startswith("#   "))
        if is_content:
            content.append(line[4:])
        else:
            if current is not None:
                blocks.append(_block(current, content, aside, doc_file))
            current, content = None, []
            other = _OTHER_HEADER.match(line)
            if other and other["kind"] not in _PROSE and not header:
                where = other["where"].rsplit(":", 1)
                aside = (other["kind"], int(where[1])) if where[-1].isdigit() else None
            if header:
                where = header["where"].rsplit(":", 1)
                at = int(where[1]) if len(where) == 2 and where[1].isdigit() else doc_line
                current = (header["kind"], header["language"] or "", at)
        index += 1
    if current is not None:
        blocks.append(_block(current, content, aside, doc_file))
    return sorted(blocks, key=lambda block: block.line)


def _block(
    current: tuple[str, str, int], content: list[str], aside: tuple[str, int] | None, doc: str
) -> CodeBlock:
    """A comment block, marked as in an admonition when the page indents it under one."""
    kind, language, line = current
    inside = ""
    if aside is not None:
        lines = _doc_lines(doc)
        directive = next(
            (
                n
                for n in range(min(aside[1], len(lines)), 0, -1)
                if lines[n - 1].lstrip().startswith(".. ")
            ),
            0,
        )
        if directive and 0 < line <= len(lines):
            indent = len(lines[directive - 1]) - len(lines[directive - 1].lstrip())
            if len(lines[line - 1]) - len(lines[line - 1].lstrip()) > indent:
                inside = aside[0]
    return CodeBlock(kind, language, "\n".join(content), line, inside, _caption(doc, line))


def _caption(doc_file: str, line: int) -> str:
    """The ``:caption:`` of the directive whose code starts at doc line ``line``, if any."""
    lines = _doc_lines(doc_file)
    for number in range(min(line - 1, len(lines)), 0, -1):
        text = lines[number - 1].strip()
        if text.startswith(":caption:"):
            return text.removeprefix(":caption:").strip()
        if text.startswith(".. ") or (text and not text.startswith(":")):
            return ""
    return ""


def _find_line(doc_file: str, doc_line: int, text: str) -> int:
    """The doc line where ``text`` starts, searched from the step's line; the step's if absent."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    for number, line in enumerate(_doc_lines(doc_file)[doc_line - 1 :], start=doc_line):
        if first and line.strip() == first:
            return number
    return doc_line


def _paragraphs(feature_file: str, step_line: int) -> list[str]:
    """The step's own text and the prose comments under it (to find a config file's name)."""
    lines = _feature_lines(feature_file)
    found = [lines[step_line - 1]]
    for line in lines[step_line:]:
        stripped = line.strip()
        if (
            stripped
            and not stripped.startswith(("#", '"""', "```"))
            and not line.startswith(" " * 6)
        ):
            break
        if stripped.startswith("# ") and not _CODE_HEADER.match(stripped):
            found.append(stripped)
    return found


# The entry point from ScenarioRun.perform


def is_code_step(blocks: list[CodeBlock], state: CodeState) -> bool:
    """True for a step this module runs: a curl or CLI command, or a JSON edit after a pull."""
    for block in blocks:
        if block.kind != "code" or block.aside:
            continue
        language = block.language.casefold()
        if language in _RUNNABLE_LANGUAGES and (parse_curls(block.text) or parse_cli(block.text)):
            return True
        if language in JSON_LANGUAGES and state.pulled is not None:
            return True
    return False


def changes_app(info: ScenarioInfo, ref: StepRef) -> bool:
    """True when the step's code would change the app: a push or import, or an Admin API
    request other than a read (so a run against a real app needs --allow-destructive)."""
    doc_file = ref.doc_path if ".." not in Path(ref.doc_path).parts else ""
    for block in step_blocks(str(info.feature_file), ref.feature_line, doc_file, ref.doc_line):
        if block.kind != "code" or block.aside:
            continue
        if any(_cli_writes(plan) for plan in parse_cli(block.text)):
            return True
        for request in parse_curls(block.text):
            found = match_request(request, None)
            if found.destination.kind == "admin-api" and request.method != "GET":
                return True
    return False


def _cli_writes(plan: CliPlan) -> bool:
    """A CLI command that sends a write (push, users create...); login opens a session and
    changes nothing."""
    found = (spec().by_id(operation_id) for operation_id in plan.operations)
    writes = any(operation is not None and operation.method != "GET" for operation in found)
    return plan.command != "login" and writes


def run_code_step(run: ScenarioRun, ref: StepRef) -> StepResult | None:
    """The result of ``ref`` when its code decides it, else None (the catalog binds it).

    A FAILED result carries the error; the caller fails the scenario with it.
    """
    state = run.state.code
    doc_file = ref.doc_path if ".." not in Path(ref.doc_path).parts else ""
    blocks = step_blocks(str(run.info.feature_file), ref.feature_line, doc_file, ref.doc_line)
    if not is_code_step(blocks, state):
        return None
    started = time.perf_counter()
    first_call = len(run.calls)
    runner = _Runner(run, ref, blocks, len(run.results))
    try:
        status, reason = (StepStatus.SKIPPED, "") if run.stopped else runner.outcome()
        error = ""
    except CodeStepError as failure:
        status, reason, error = StepStatus.FAILED, "", str(failure)
    except AdminClientError as failure:
        status, reason, error = StepStatus.FAILED, "", f"the Admin API answered: {failure}"
    except CannotOverwriteExistingCassetteException as failure:
        status, reason = StepStatus.FAILED, ""
        error = (
            f"{divergence(failure)} (the page and the recording differ: re-record with"
            " `docharness run --record` if the page is right)"
        )
    calls: tuple[ApiCall, ...] = tuple(run.calls[first_call:])
    if status is StepStatus.SKIPPED:
        reason = f"not run: {run.blocked}, and this step would change the app"
    return ref.result(
        status,
        reason=reason,
        error=error,
        calls=calls,
        duration_ms=round((time.perf_counter() - started) * 1000, 3),
    )


class _Runner:
    """One code step's run: its blocks, in order."""

    def __init__(self, run: ScenarioRun, ref: StepRef, blocks: list[CodeBlock], index: int):
        self.run = run
        self.ref = ref
        self.blocks = blocks
        self.index = index
        self.client = run.state.client
        self.code = run.state.code

    def outcome(self) -> tuple[StepStatus, str]:
        outcomes: list[tuple[StepStatus, str]] = []
        for position, block in enumerate(self.blocks):
            if block.kind != "code" or block.aside:
                continue  # code in a note or an "important" box is a side case, not a step
            language = block.language.casefold()
            if language in JSON_LANGUAGES and self.code.pulled is not None:
                outcomes.append(self._json_edit(block))
                continue
            if language not in _RUNNABLE_LANGUAGES:
                continue
            output = next(
                (b for b in self.blocks[position + 1 :] if b.kind == "output"),
                None,
            )
            for request in parse_curls(block.text):
                outcomes.append(self._curl(block, match_request(request, spec()), output))
            for plan in parse_cli(block.text):
                outcomes.append(self._cli(block, plan))
        return _combine(outcomes)

    # Where a problem is

    def _at(self, block: CodeBlock, problem: Problem) -> str:
        return (
            f"{self.ref.doc_path}:{block.line + problem.line}: {problem.code} {problem.message}"
            + (f" ({problem.hint})" if problem.hint else "")
        )

    def _errors(self, block: CodeBlock, problems: tuple[Problem, ...]) -> None:
        errors = [p for p in problems if p.severity is Severity.ERROR]
        if errors:
            raise CodeStepError("; ".join(self._at(block, p) for p in errors))

    def _blocked(self) -> bool:
        if self.run.blocked:
            self.run.stopped = True
            return True
        return False

    # Run values

    def values(self, *keys: str | None) -> dict[str, str]:
        """The run's values for placeholders: ids from the target, the rest asked once."""
        known = self.code.values
        target = self.client.target
        known.setdefault("groupId", target.group_id)
        known.setdefault("appId", target.app_id)
        if {"clientAppId", "appName"} & set(keys) and "clientAppId" not in known:
            app = self.client.get_app()
            known["clientAppId"], known["appName"] = app.client_app_id, app.name
        if "serviceId" in keys and "serviceId" not in known:
            known["serviceId"] = self.run.state.linked_cluster()
        if "serviceName" in keys and "serviceName" not in known:
            known["serviceName"] = self.client.find_service("mongodb-atlas").name
        if "draftId" in keys and "draftId" not in known and self.run.state.draft_id:
            known["draftId"] = self.run.state.draft_id
        if "deploymentId" in keys and "deploymentId" not in known and self.run.state.deployment:
            known["deploymentId"] = self.run.state.deployment.id
        return known

    # curl

    def _curl(
        self, block: CodeBlock, found: RequestMatch, output: CodeBlock | None
    ) -> tuple[StepStatus, str]:
        request = found.request
        if found.destination.kind not in ("admin-api", "unknown"):
            return StepStatus.EXTERNAL, found.destination.reason
        if found.destination.kind == "unknown":
            return StepStatus.UNBOUND, f"curl {request.url}: {found.destination.reason}"
        self._errors(block, found.problems)
        operation = found.operation
        assert operation is not None  # no operation is DH305, an error
        if request.body_file:
            return StepStatus.UNBOUND, (
                f"the request's body is the file {request.body_file!r}, which the page does"
                " not show"
            )
        if operation.operation_id in code_data().get("session", {}).get("operations", ()):
            self.client.login()
            return StepStatus.VERIFIED, (
                f"{operation.operation_id}: logged in with the run's API key pair (the page's"
                " keys are never sent)"
            )
        if operation.method != "GET" and self._blocked():
            return StepStatus.SKIPPED, ""
        fresh = dict(code_data().get("fresh", {}).get(operation.operation_id, {}))
        wanted = (p.key for p in request.placeholders if p.key not in fresh)
        values = {**self.values(*wanted), **fresh}
        # The session's own token is sent, never the page's: its header needs no value.
        headers = tuple(h for h in request.headers if h[0].casefold() != "authorization")
        resolved = resolve(replace(request, headers=headers), values, operation)
        index = spec()
        body = parse_json_block(resolved.body).value if resolved.body is not None else None
        body, dropped, left = _drop_optional(index, operation, body, resolved.unresolved)
        if left:
            names = ", ".join(sorted({p.text for p in left}))
            return (
                StepStatus.UNBOUND,
                f"no run value for {names} (harness/commands/placeholders.toml)",
            )
        path = index.relative(resolved.path) or resolved.path
        query = resolved.url.split("?", 1)[1] if "?" in resolved.url else ""
        sent = path + (f"?{query}" if query else "")
        before = len(self.run.calls)
        answer = self.client.call(operation.method, sent, body)
        shown = f"{operation.method} {operation.template}"
        self._check_spec(operation, sent, body, answer, before)
        self._remember(operation, answer)
        if output is not None:
            # The output's placeholders stand for any value, but for what this request chose.
            wrong = output_mismatches(output.text, answer, fresh)
            if wrong:
                raise CodeStepError(
                    f"{self.ref.doc_path}:{output.line}: the answer of {shown} differs from the"
                    f" output the page shows: {'; '.join(wrong[:5])}"
                )
        shown_too = (
            f"; the answer has what the output at line {output.line} shows" if output else ""
        )
        if dropped:
            shown_too += (
                f"; sent without {', '.join(dropped)}: optional in the spec, and the page leaves"
                " their value to the reader"
            )
        if operation.method == "GET":
            return StepStatus.VERIFIED, f"{shown} answered ({operation.operation_id}){shown_too}"
        status, reason = self._read_back(operation, path, body, answer)
        return status, reason + shown_too

    def _check_spec(
        self, operation: Operation, sent: str, body: Any, answer: Any, before: int
    ) -> None:
        """The request and its answer (live or recorded) must be what the spec allows:
        a status the operation declares, bodies that fit its schemas."""
        status = self.run.calls[-1].status if len(self.run.calls) > before else 0
        problems = exchange_problems(
            operation.method,
            sent,
            status,
            None if body is None else json.dumps(body),
            None if answer is None else json.dumps(answer),
        )
        if problems:
            raise CodeStepError(
                f"{operation.operation_id}: the exchange does not fit the Admin API spec:"
                f" {'; '.join(problems[:5])}"
            )

    def _remember(self, operation: Operation, answer: Any) -> None:
        """Ids a later step's placeholders may name: the draft or deployment this one made."""
        if not isinstance(answer, Mapping) or not isinstance(answer.get("_id"), str):
            return
        if operation.operation_id == "adminCreateDeploymentDraft":
            self.run.state.draft_id = answer["_id"]
            self.run.state.drafts_opened.append(answer["_id"])
            self.code.values["draftId"] = answer["_id"]
        elif operation.operation_id == "adminDeployDraft":
            self.code.values["deploymentId"] = answer["_id"]

    def _read_back(
        self, operation: Operation, path: str, body: Any, answer: Any
    ) -> tuple[StepStatus, str]:
        """A write confirmed by a later read (``code.toml``), or unbound when none exists."""
        index = spec()
        rule = reads().get(operation.operation_id)
        answer_id = answer.get("_id") if isinstance(answer, Mapping) else None
        if rule is not None:
            read_path = rule["path"].format_map(
                {**dict(index.match(operation.method, path).path_params)}  # type: ignore[union-attr]
                | {"_id": str(answer_id)}
            )
        elif operation.method in ("PATCH", "PUT", "DELETE"):
            read_path = path
        elif operation.method == "POST" and isinstance(answer_id, str):
            read_path = f"{path}/{answer_id}"
        else:
            read_path = ""
        if not read_path or index.match("GET", read_path) is None:
            return StepStatus.UNBOUND, (
                f"{operation.method} {operation.template} was sent, but no read of the spec"
                " confirms what it changed (harness/catalog/code.toml)"
            )
        read_label = f"GET {index.match('GET', read_path).template}"  # type: ignore[union-attr]
        if operation.method == "DELETE":
            try:
                self.client.call("GET", read_path)
            except NotFoundError:
                return StepStatus.VERIFIED, f"deleted: {read_label} answers 404"
            raise CodeStepError(f"{read_label} still answers after the DELETE the page sends")
        if rule is not None and rule.get("wait") == "deployment":
            deployment = self.client.wait_for_deployment(
                str(answer_id),
                timeout=self.run.state.deploy_timeout,
                interval=self.run.state.poll_interval,
            )
            self.run.state.deployment = deployment
            return StepStatus.VERIFIED, f"deployment {deployment.id} is successful ({read_label})"
        found = self.client.call("GET", read_path)
        removed = ""
        if operation.operation_id in code_data().get("fresh", {}):
            self.client.call("DELETE", read_path)  # made with a fresh value: leave no trace
            removed = "; what it made was deleted again"
        if rule is not None and rule.get("listed"):
            ids = [item.get("_id") for item in found if isinstance(item, Mapping)]
            if answer_id not in ids:
                raise CodeStepError(f"{read_label} does not list what {operation.method} made")
            return (
                StepStatus.VERIFIED,
                f"{operation.method} {operation.template} made an item that {read_label} lists",
            )
        if isinstance(body, Mapping) and rule is not None and "shows" in rule:
            body = {key: value for key, value in body.items() if key in rule["shows"]}
        if body:
            wrong = output_mismatches(json.dumps(body), found)
            if wrong:
                raise CodeStepError(
                    f"{read_label} does not show what {operation.method} sent:"
                    f" {'; '.join(wrong[:5])}"
                )
        return (
            StepStatus.VERIFIED,
            f"{operation.method} {operation.template} read back by {read_label}{removed}",
        )

    # realm-cli / appservices

    def _cli(self, block: CodeBlock, plan: CliPlan) -> tuple[StepStatus, str]:
        command = f"{plan.program} {plan.command}"
        wrong = [p for p in plan.problems if p.severity is Severity.ERROR]
        if plan.synopsis and not wrong:
            # Documentation of the command, not a command: like conceptual prose it asks
            # the reader to do nothing by itself, so it is external (outside the Admin
            # API, never passed or failing), not ui-only (which is something the reader does).
            return StepStatus.EXTERNAL, (
                f"{plan.unbound}: it documents the command and asks the reader to run nothing"
            )
        if plan.unbound and not wrong:
            return StepStatus.UNBOUND, plan.unbound
        self._errors(block, plan.problems)
        if plan.command == "login":
            self.client.login()
            return StepStatus.VERIFIED, (
                f"{command}: logged in with the run's API key pair (the page's keys are never sent)"
            )
        if plan.command == "pull" or (
            plan.command == "push" and plan.flag("--dry-run") is not None
        ):
            self._check_remote(plan)
            self.code.pulled = self.client.pull_config()
            self.code.edits.clear()
            return StepStatus.VERIFIED, (
                f"{command}: the deployed configuration of the app, as GET .../pull answered it"
            )
        if plan.command == "push":
            if self._blocked():
                return StepStatus.SKIPPED, ""
            self._check_remote(plan)
            return self._push(command)
        return self._cli_request(plan)

    def _cli_request(self, plan: CliPlan) -> tuple[StepStatus, str]:
        """Any other command: the one request it makes once the CLI has found the app."""
        command = f"{plan.program} {plan.command}"
        index = spec()
        operation = index.by_id(plan.operations[-1]) if plan.operations else None
        if operation is None or not set(_params(operation.template)) <= {"groupId", "appId"}:
            return StepStatus.UNBOUND, (
                f"docharness does not run '{command}' yet: its request needs more than the"
                " project and the app (harness/catalog/code.toml [cli])"
            )
        rule = dict(code_data().get("cli", {}).get(operation.operation_id, {}))
        if operation.method != "GET" and self._blocked():
            return StepStatus.SKIPPED, ""
        self._check_remote(plan)
        body, query, missing = self._cli_body(plan, rule)
        if missing:
            return StepStatus.UNBOUND, (
                f"{command}: no run value for {', '.join(missing)} (the CLI would prompt the"
                " reader for it)"
            )
        path = operation.template.format(
            groupId=self.client.target.group_id, appId=self.client.target.app_id
        )
        sent = path + (f"?{urlencode(query)}" if query else "")
        before = len(self.run.calls)
        shown = f"{command}: {operation.method} {operation.template}"
        try:
            answer = self.client.call(operation.method, sent, body)
        except NotFoundError as error:
            if not error.message.startswith(_NO_ROUTE):
                raise
            # The spec has the operation, so the page is right; this server lacks it (the
            # local emulator runs no functions: it has no JavaScript runtime).
            return StepStatus.UNBOUND, f"{shown}: the server does not serve it ({error.message})"
        self._check_spec(operation, sent, body, answer, before)
        if operation.method == "GET":
            return StepStatus.VERIFIED, f"{shown} answered ({operation.operation_id})"
        if rule.get("evidence") == "answer":
            return StepStatus.VERIFIED, (
                f"{shown} answered what it did ({operation.operation_id}: a wrong name or"
                " argument is refused)"
            )
        status, reason = self._read_back(operation, path, body, answer)
        return status, f"{command}: {reason}"

    def _cli_body(
        self, plan: CliPlan, rule: Mapping[str, Any]
    ) -> tuple[dict[str, Any] | None, dict[str, str], list[str]]:
        """The request body and query a command's flags make, and what no value fills."""
        missing: list[str] = []

        def value(flag: str) -> list[str]:
            given = list(plan.values(flag))
            if not given or any(not text for text in given):
                missing.append(flag)
                return []
            filled: list[str] = []
            for text in given:
                placeholders = find_placeholders(text)
                values = self.values(*(p.key for p in placeholders))
                unfilled = [p.text for p in placeholders if p.key is None or p.key not in values]
                missing.extend(unfilled)
                filled.append(fill(text, values)[0])
            return filled

        body: dict[str, Any] = {}
        for field_name, flag in dict(rule.get("body", {})).items():
            if flag in rule.get("json_flags", ()):
                texts = value(flag) if plan.flag(flag) is not None else []
                try:
                    body[field_name] = [json.loads(text) for text in texts]
                except ValueError:
                    raise CodeStepError(
                        f"{plan.program} {plan.command}: {flag} takes JSON values"
                    ) from None
            else:
                found = value(flag)
                if found:
                    body[field_name] = found[-1]
        query = dict(rule.get("query", {}))
        for parameter, flag in dict(rule.get("query_flags", {})).items():
            if plan.flag(flag) is not None:
                given = value(flag)
                query = {parameter: given[-1]} if given else {}
        return (body if rule.get("body") else None), query, missing

    def _check_remote(self, plan: CliPlan) -> None:
        """``--remote``/``--app`` (1.x: ``--app-id``) must name the run's app once filled in."""
        flag = next(
            (f for f in reversed(plan.flags) if f.name in ("--remote", "--app", "--app-id")), None
        )
        given = flag.value if flag is not None else None
        if not given or not find_placeholders(given):
            return  # left out, or the page's example value: the reader's own app
        placeholders = find_placeholders(given)
        values = self.values(*(p.key for p in placeholders))
        if any(p.key not in values for p in placeholders):
            names = ", ".join(p.text for p in placeholders if p.key not in values)
            raise CodeStepError(f"{plan.program} {plan.command}: no run value for {names}")
        apps = self.client.list_apps()
        filled = given
        for placeholder in placeholders:
            filled = filled.replace(placeholder.text, values[str(placeholder.key)])
        if not any(filled in (app.client_app_id, app.name, app.id) for app in apps):
            name = flag.written.partition("=")[0] if flag is not None else "--remote"
            raise CodeStepError(  # named as the page wrote them, so the writer finds them
                f"{plan.program} {plan.written or plan.command}: {name} names no app of the"
                f" project once filled in ({given!r})"
            )

    def _push(self, command: str) -> tuple[StepStatus, str]:
        try:
            return self._push_and_read(command)
        except (CodeStepError, AdminClientError, CannotOverwriteExistingCassetteException):
            self._fail_edits(
                f"not deployed: the push at {self.ref.doc_path}:{self.ref.doc_line} failed"
            )
            raise

    def _fail_edits(self, error: str) -> None:
        """The staged edits' steps fail with ``error`` (their push did not deploy them)."""
        for edit in self.code.edits:
            step = self.run.results[edit.index]
            self.run.results[edit.index] = replace(step, status=StepStatus.FAILED, error=error)
        self.code.edits.clear()

    def _push_and_read(self, command: str) -> tuple[StepStatus, str]:
        before = {deployment.id for deployment in self.client.list_deployments()}
        config = self.code.pulled if self.code.pulled is not None else self.client.pull_config()
        self.client.push_config(config)
        made = [d for d in self.client.list_deployments() if d.id not in before]
        if len(made) != 1:
            raise CodeStepError(f"{command}: the push made {len(made)} deployments, not one")
        deployment = self.client.wait_for_deployment(
            made[0].id, timeout=self.run.state.deploy_timeout, interval=self.run.state.poll_interval
        )
        self.run.state.deployment = deployment
        deployed = self.client.pull_config()
        self.code.pulled = deployed
        confirmed = self._settle(deployed)
        edits = f"; the deployed configuration shows the edits of {confirmed}" if confirmed else ""
        return StepStatus.VERIFIED, (
            f"{command}: deployment {deployment.id} is successful{edits} (GET .../pull)"
        )

    def _settle(self, deployed: Mapping[str, Any]) -> str:
        """Mark each staged edit verified by the deployed configuration, or fail its step."""
        results = self.run.results
        confirmed: list[str] = []
        wrong: list[str] = []
        for edit in self.code.edits:
            step = results[edit.index]
            node = _place(deployed, edit.file, edit.value)
            found = output_mismatches(json.dumps(edit.value), node)
            where = f"{step.path}:{step.line}"
            if found:
                error = (
                    f"the deployed {edit.file} is not what the page's edit sets:"
                    f" {'; '.join(found[:5])}"
                )
                results[edit.index] = replace(step, status=StepStatus.FAILED, error=error)
                wrong.append(f"{where}: {error}")
            else:
                reason = (
                    f"{edit.file} as edited here is in the deployed configuration (GET .../pull)"
                )
                results[edit.index] = replace(step, status=StepStatus.VERIFIED, reason=reason)
                confirmed.append(where)
        self.code.edits.clear()
        if wrong:
            raise CodeStepError("; ".join(wrong))
        return ", ".join(confirmed)

    # JSON edits

    def _json_edit(self, block: CodeBlock) -> tuple[StepStatus, str]:
        assert self.code.pulled is not None
        placeholders = find_placeholders(f"{block.caption}\n{block.text}")
        values = self.values(*(p.key for p in placeholders))
        parsed = parse_json_block(block.text, values)
        if not parsed.parsed:
            raise CodeStepError(
                f"{self.ref.doc_path}:{block.line + parsed.line}: DH306 the JSON block does not"
                f" parse: {parsed.error}"
            )
        # A value the reader must choose (a name, a mode) is no value to push; a typed one
        # (<Boolean>, <Number>) stands for any value of its type.
        left = [
            p
            for p in placeholders
            if (p.key is None or p.key not in values) and json_standin(p.text) == json.dumps(p.text)
        ]
        unfilled = sorted({p.text for p in left if not reader_choice(p)})
        if unfilled:
            return StepStatus.UNBOUND, f"no run value for {', '.join(unfilled)} in the JSON to edit"
        chosen = sorted({p.text for p in left})
        caption = fill(block.caption, values)[0]
        texts = _paragraphs(str(self.run.info.feature_file), self.ref.feature_line)
        file = _config_file([f"`{caption}`", *texts] if caption.endswith(".json") else texts)
        if file is None:
            file = named_in_prose("\n".join(texts), parsed.value)
            if file is not None and _place(self.code.pulled, file, parsed.value) is None:
                return StepStatus.UNBOUND, (
                    f"the step edits the reader's {file}, and the app has none: the page"
                    " shows an example of the reader's own"
                )
        if file is None:
            return StepStatus.UNBOUND, (
                "the step shows JSON but names no config file it goes into (such as"
                " `sync/config.json`)"
            )
        if chosen:
            return StepStatus.UI_ONLY, (
                f"the page leaves {', '.join(chosen)} to the reader: nothing of the page's to"
                f" send and read back ({file} is a template; harness/commands/placeholders.toml"
                " [reader_choices])"
            )
        try:
            lacks = new_item_lacks(self.code.pulled, file, parsed.value)
        except EditError as error:  # a fragment of a list file's item: which item, unsaid
            return StepStatus.UNBOUND, str(error)
        if lacks:
            return StepStatus.UNBOUND, (
                f"the step adds a new item to {file} without {', '.join(lacks)}, which the app"
                " directory keeps in another file the page does not show"
            )
        try:
            self.code.pulled = apply_to_pull(self.code.pulled, file, parsed.value)
        except EditError as error:
            raise CodeStepError(f"{self.ref.doc_path}:{block.line}: {error}") from None
        self.code.edits.append(_Edit(self.index, file, parsed.value))
        return StepStatus.UNBOUND, (
            f"the edit of {file} is verified only when a later push deploys it, and no push"
            " in this procedure did"
        )


def _combine(outcomes: list[tuple[StepStatus, str]]) -> tuple[StepStatus, str]:
    """One status for a step with several commands: the worst of them, with every reason."""
    if not outcomes:
        return StepStatus.UNBOUND, "the step's code holds no command docharness can run"
    order = (
        StepStatus.SKIPPED,
        StepStatus.UNBOUND,
        StepStatus.EXTERNAL,
        StepStatus.UI_ONLY,
        StepStatus.VERIFIED,
    )
    status = next(s for s in order if any(found is s for found, _ in outcomes))
    return status, "; ".join(reason for found, reason in outcomes if reason)


def _config_file(texts: list[str]) -> str | None:
    """The config file a JSON block edits, as the step's text and prose name it.

    A path (``sync/config.json``) wins; a bare name (``config.json``) is placed in
    a directory the prose names as a literal (```sync```), when that makes a
    file the pull document has a place for.
    """
    names: list[str] = []
    literals: list[str] = []
    for text in texts:
        names.extend(match.group().lstrip("/") for match in _JSON_FILE.finditer(text))
        literals.extend(match.group(1).strip("/ ") for match in _LITERAL.finditer(text))
    for name in names:
        if "/" in name and _placed(name):
            return name
    for name in names:
        for folder in literals:
            if folder and "." not in folder and _placed(f"{folder}/{name}"):
                return f"{folder}/{name}"
        if _placed(name):
            return name
    return None


def _drop_optional(
    index: SpecIndex, operation: Operation, body: Any, unfilled: tuple[Placeholder, ...]
) -> tuple[Any, list[str], list[Placeholder]]:
    """A JSON body without the top-level fields that hold a value the reader chooses, when
    the spec marks each of them optional (``placeholders.toml`` says why); the fields
    dropped, and the placeholders still unfilled (then the request is not sent)."""
    if not unfilled or not isinstance(body, Mapping):
        return body, [], list(unfilled)
    optional = index.optional_body_fields(operation)
    kept: dict[str, Any] = dict(body)
    dropped: list[str] = []
    left: list[Placeholder] = []
    for placeholder in unfilled:
        holders = [k for k, v in body.items() if placeholder.text in json.dumps(v)]
        if holders and all(k in optional for k in holders):
            dropped.extend(k for k in holders if k not in dropped)
            for key in holders:
                kept.pop(key, None)
        else:
            left.append(placeholder)
    if left:
        return body, [], left
    return kept, sorted(dropped), []


def _params(template: str) -> list[str]:
    """The path parameters of a spec template, in order."""
    return re.findall(r"\{(\w+)\}", template)


def _placed(name: str) -> bool:
    try:
        return locate(name) is not None
    except EditError:
        return False


def _place(document: Mapping[str, Any], file: str, edit: Any) -> Any:
    """The part of a pull document that config file ``file`` is (None when absent); the
    item ``edit`` names, in a file that holds a list."""
    node: Any = document
    for step in locate(file, edit) or ():
        if isinstance(step, str):
            node = node.get(step) if isinstance(node, Mapping) else None
        else:
            items = node if isinstance(node, list) else []
            node = next(
                (item for item in items if all(_dotted(item, k) == v for k, v in step.items())),
                None,
            )
    return node


def _dotted(item: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        item = item.get(key) if isinstance(item, Mapping) else None
    return item


@functools.cache
def spec() -> SpecIndex:
    """The Admin API spec the emulator serves (a copy of the official one), indexed."""
    from harness.commands.spec import load_spec_index

    return load_spec_index(admin_spec_path())


@functools.cache
def code_data() -> dict[str, Any]:
    """``harness/catalog/code.toml``: reads, session requests, fresh values."""
    text = resources.files("harness.catalog").joinpath("code.toml").read_text("utf-8")
    return tomllib.loads(text)


def reads() -> dict[str, dict[str, Any]]:
    """``code.toml``'s reads, by the write's operationId."""
    return dict(code_data().get("reads", {}))
