"""What a documented curl request is: an Admin API operation (and whether it fits the spec),
or an external call, with the problems a docs writer should fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.commands import codes
from harness.commands.cli import CliPlan
from harness.commands.curl import CurlRequest
from harness.commands.external import Destination, classify_url, hosts
from harness.commands.jsonedit import parse_json_block
from harness.commands.problems import Problem

if TYPE_CHECKING:
    from harness.commands.spec import Operation, SpecIndex


@dataclass(frozen=True)
class RequestMatch:
    """The destination of a request, its spec operation when it has one, and its problems."""

    request: CurlRequest
    destination: Destination
    operation: Operation | None
    problems: tuple[Problem, ...]  # the request's own (shell) problems and these

    @property
    def runnable(self) -> bool:
        """An Admin API request with an operation and no error: the harness may send it."""
        return (
            self.destination.kind == "admin-api"
            and self.operation is not None
            and not any(p.severity.value == "error" for p in self.problems)
        )


def match_request(request: CurlRequest, spec: SpecIndex | None) -> RequestMatch:
    """Classify ``request``; with a spec, also find its operation and check its JSON body."""
    destination = classify_url(request.url)
    problems = list(request.problems)
    operation = None
    if destination.kind == "admin-api":
        line, column = request.url_at
        if destination.legacy_host:
            problems.append(
                Problem(
                    codes.LEGACY_HOST,
                    line,
                    column,
                    f"the request goes to the legacy host {request.host}",
                    f"use https://{hosts().current_host}{hosts().base_path}/...",
                )
            )
        if spec is not None:
            operation = spec.match(request.method, request.path)
            if operation is None:
                methods = spec.methods_for(request.path)
                problems.append(
                    Problem(
                        codes.NO_SPEC_OPERATION,
                        line,
                        column,
                        f"{request.method} {short_path(request.path, spec)} is no operation of"
                        " the Admin API spec",
                        f"the spec has {', '.join(methods)} for this path"
                        if methods
                        else "check the path against the Admin API reference",
                    )
                )
            else:
                problems.extend(_body_problems(request, spec, operation))
    ordered = tuple(sorted(problems, key=lambda p: (p.line, p.column, p.code)))
    return RequestMatch(request, destination, operation, ordered)


def _body_problems(request: CurlRequest, spec: SpecIndex, operation: Operation) -> list[Problem]:
    if request.body is None or not spec.has_body(operation):
        return []
    line, column = request.body_at or request.url_at
    block = parse_json_block(request.body)
    if not block.parsed:
        return [
            Problem(
                codes.JSON_DOES_NOT_PARSE,
                line,
                column,
                f"the request body is not JSON: {block.error}",
                "show the body as the JSON the endpoint takes",
            )
        ]
    return [
        Problem(
            codes.BODY_DOES_NOT_FIT_SPEC,
            line,
            column,
            f"the body of {operation.operation_id} does not fit the spec: {text}",
            f"see the request schema of {operation.operation_id}",
        )
        for text in spec.validate_body(operation, block.value)
    ]


def short_path(path: str, spec: SpecIndex) -> str:
    return spec.relative(path) or path


def plan_operations(plan: CliPlan, spec: SpecIndex) -> tuple[Operation, ...]:
    """The spec operations (method and path template) of a translated CLI command, in order.

    Empty for an unbound plan: there is nothing to send.
    """
    if plan.unbound:
        return ()
    found = (spec.by_id(operation_id) for operation_id in plan.operations)
    return tuple(operation for operation in found if operation is not None)
