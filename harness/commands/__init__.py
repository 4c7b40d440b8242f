"""Code in steps as evidence: curl commands and realm-cli/appservices commands read as the
Admin API requests they make, JSON config edits, and the DH3xx lint for them.

A leaf library: it reads only its own data files and the OpenAPI spec file it is
given, and imports no other pipeline stage, so the extractor's linter and the
runner can both use it.
"""

from __future__ import annotations

from harness.commands.cli import CliFlag, CliPlan, parse_cli, translate
from harness.commands.codes import CODE_CODES
from harness.commands.curl import CurlRequest, ResolvedRequest, parse_curls, resolve
from harness.commands.external import Destination, classify_url
from harness.commands.jsonedit import (
    EditError,
    JsonBlock,
    apply_edit,
    apply_to_pull,
    locate,
    merge,
    parse_json_block,
)
from harness.commands.lint import block_problems, lint_code
from harness.commands.match import RequestMatch, match_request, plan_operations
from harness.commands.output import output_mismatches
from harness.commands.placeholders import Placeholder, fill, find_placeholders
from harness.commands.problems import Problem

__all__ = [
    "CODE_CODES",
    "CliFlag",
    "CliPlan",
    "CurlRequest",
    "Destination",
    "EditError",
    "JsonBlock",
    "Placeholder",
    "Problem",
    "RequestMatch",
    "ResolvedRequest",
    "apply_edit",
    "apply_to_pull",
    "block_problems",
    "classify_url",
    "fill",
    "find_placeholders",
    "lint_code",
    "locate",
    "match_request",
    "merge",
    "output_mismatches",
    "parse_cli",
    "parse_curls",
    "parse_json_block",
    "plan_operations",
    "resolve",
    "translate",
]
