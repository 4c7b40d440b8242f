"""Classify a step by interface, kind and resource, or say why it is outside the Admin API.

The knowledge is data a docs writer can read: ``interfaces.toml`` (tab ids,
console names, client-code markers), ``kinds.toml`` (verbs and buttons) and
``resources.toml`` (UI nouns and Admin API resources). This module only applies
those rules, in the order the files document, and records which rule decided
each field so that a report can say why. Nothing is external by default: a step
no rule explains is left unclassified, and the run reports it as unbound.
"""

from __future__ import annotations

import fnmatch
import functools
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.catalog.sentence import Sentence
from harness.commands import classify_url, parse_cli, parse_curls

if TYPE_CHECKING:
    from harness.procedures.model import Procedure, Step

KINDS = ("navigation", "form", "save", "deploy", "create", "update", "delete", "observation")
# Kinds whose step is verified through a resource; navigation needs none (ui-only by rule).
NEEDS_RESOURCE = frozenset(KINDS) - {"navigation"}


class RulesError(Exception):
    """A rules file that cannot be used; the message starts with ``file:line:``."""


@dataclass(frozen=True)
class StepFacts:
    """What the classifier reads of a step: its words, labels, code, and where it is."""

    text: str
    kind: str = "action"  # "action" | "outcome"
    title: str = ""
    labels: tuple[str, ...] = ()
    literals: tuple[str, ...] = ()
    code: tuple[tuple[str, str], ...] = ()  # (language, text) of the step's code blocks
    page: str = ""  # page path below source/, without extension
    tab: str = ""
    sections: tuple[str, ...] = ()  # the owning sections' titles, outermost first
    parent: str = ""  # the enclosing step's title and text, for a sub-step
    location: str = ""  # "source/x.txt:12", for messages

    @classmethod
    def from_step(cls, step: Step, procedure: Procedure, page: str) -> StepFacts:
        """The facts of an extracted step, with its procedure's tab and its parent step."""
        parent = ""
        if "." in step.number:
            head = step.number.rsplit(".", 1)[0]
            for other in procedure.steps:
                if other.number == head:
                    parent = f"{other.title} {other.text}".strip()
        return cls(
            text=step.text,
            kind=step.kind.value,
            title=step.title,
            labels=step.labels,
            literals=step.literals,
            code=tuple((block.language, block.text) for block in step.code),
            page=page,
            tab=procedure.tab,
            sections=(*procedure.section_path, procedure.title),
            parent=parent,
            location=str(step.location),
        )

    @classmethod
    def from_sentence(cls, text: str, kind: str, tags: Iterable[str] = ()) -> StepFacts:
        """The facts a Gherkin step carries: its sentence and the scenario's tags."""
        sentence = Sentence.parse(text)
        found = {
            tag.lstrip("@").partition(":")[0]: tag.lstrip("@").partition(":")[2] for tag in tags
        }
        return cls(
            text=text,
            kind=kind,
            labels=sentence.labels,
            literals=sentence.literals,
            page=found.get("page", ""),
            tab=found.get("tab", ""),
        )


@dataclass(frozen=True)
class Evidence:
    """Which rule decided one field: ``field`` is interface, kind, resource or external."""

    field: str
    rule: str  # "harness/catalog/kinds.toml:57 (save-button)"
    detail: str  # what in the step matched


@dataclass(frozen=True)
class Classification:
    interface: str | None
    kind: str | None
    resource: str | None
    external_reason: str | None
    evidence: tuple[Evidence, ...] = ()

    @property
    def external(self) -> bool:
        return self.external_reason is not None

    @property
    def classified(self) -> bool:
        """Explained by a rule: external, navigation, or a kind with the resource it needs.

        The interface is not required: a resource read back verifies the step
        whichever interface the reader used, and a page often does not say.
        """
        if self.external:
            return True
        if self.kind is None:
            return False
        return self.kind not in NEEDS_RESOURCE or self.resource is not None

    @property
    def missing(self) -> str:
        """What no rule explained, for messages: "" when classified."""
        if self.classified:
            return ""
        return "kind" if self.kind is None else "resource"

    def why(self, field: str) -> str:
        return next((e.rule for e in self.evidence if e.field == field), "")


# Rules, as loaded from the three files


@dataclass(frozen=True)
class _Interface:
    id: str
    source: str
    tabs: frozenset[str]
    code: frozenset[str]
    phrases: tuple[re.Pattern[str], ...]
    labels: bool
    external: str | None
    files: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()


@dataclass(frozen=True)
class _External:
    id: str
    source: str
    interface: str
    reason: str
    phrases: tuple[re.Pattern[str], ...]
    pages: tuple[str, ...]
    any_tab: bool = False  # its phrases name a place no UI/CLI/API tab changes


@dataclass(frozen=True)
class _KindRule:
    id: str
    source: str
    kind: str
    labels: tuple[re.Pattern[str], ...]
    verbs: tuple[re.Pattern[str], ...]
    phrases: tuple[re.Pattern[str], ...]
    code: tuple[tuple[str, ...], ...]
    step: str
    methods: frozenset[str] = frozenset()
    resource: str = ""  # the resource a step of this rule works on, whatever it names
    why: str = ""  # for a step this rule leaves ui-only: why nothing can observe it
    every_label: bool = False  # every label of the step must match, not just one


@dataclass(frozen=True)
class _Conceptual:
    """Prose that asks for nothing: every sentence a statement, no label, no literal, no code."""

    id: str
    source: str
    interface: str
    reason: str
    lead: tuple[re.Pattern[str], ...]  # a leading clause skipped before the subject
    subjects: tuple[re.Pattern[str], ...]  # how a statement's main clause begins
    requests: tuple[re.Pattern[str], ...]  # words that make a sentence ask after all
    mentions: bool = False  # a UI label only mentioned (in a condition or the subject) is allowed


@dataclass(frozen=True)
class Resource:
    """A resource of the Admin API as the docs name it (a ``[[resource]]`` of resources.toml)."""

    id: str
    source: str
    title: str
    path: str
    read: str
    operations: tuple[str, ...]
    labels: frozenset[str]
    nouns: tuple[re.Pattern[str], ...]
    files: tuple[str, ...]
    pages: tuple[str, ...]
    generic: bool

    def path_pattern(self) -> re.Pattern[str]:
        """The spec path as a regular expression over a request path (placeholders free)."""
        full = self.path.replace("~", "/groups/{groupId}/apps/{appId}")
        parts = [
            r"[^/]+" if p.startswith("{") else re.escape(p) for p in full.strip("/").split("/")
        ]
        return re.compile(r"/" + "/".join(parts) + r"(/|$)")


@dataclass(frozen=True)
class Rules:
    interfaces: tuple[_Interface, ...]
    externals: tuple[_External, ...]
    markers: tuple[re.Pattern[str], ...]
    kinds: tuple[_KindRule, ...]
    resources: tuple[Resource, ...]
    statements: tuple[re.Pattern[str], ...] = ()  # parts of a sentence that ask for nothing
    conceptual: tuple[_Conceptual, ...] = ()

    def resource(self, resource_id: str) -> Resource | None:
        return next((r for r in self.resources if r.id == resource_id), None)


def _line_of(text: str, entry_id: str) -> int:
    match = re.search(rf'^\s*id\s*=\s*"{re.escape(entry_id)}"', text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _patterns(raw: Any, where: str, key: str, whole: bool = False) -> tuple[re.Pattern[str], ...]:
    values = raw.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise RulesError(f"{where}: `{key}` must be a list of strings")
    try:
        if whole:
            return tuple(re.compile(rf"(?:{v})\Z", re.IGNORECASE) for v in values)
        return tuple(re.compile(v, re.IGNORECASE) for v in values)
    except re.error as error:
        raise RulesError(f"{where}: bad pattern in `{key}`: {error}") from None


def _anchored(raw: Any, where: str, key: str, flags: int) -> tuple[re.Pattern[str], ...]:
    """Patterns matched at the start of a clause, as whole words."""
    try:
        return tuple(re.compile(rf"^(?:{v})\b", flags) for v in _strings(raw, key, where))
    except re.error as error:
        raise RulesError(f"{where}: bad pattern in `{key}`: {error}") from None


def _verbs(raw: Any, where: str) -> tuple[re.Pattern[str], ...]:
    words = raw.get("verbs", [])
    if not isinstance(words, list):
        raise RulesError(f"{where}: `verbs` must be a list of strings")
    return tuple(
        # a verb after "to" states a purpose ("To delete an app, click ..."), not the action
        re.compile(rf"(?<!\bto )\b{re.escape(str(w))}(?:s|es|d|ed|ing)?\b", re.IGNORECASE)
        for w in words
    )


def _strings(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = raw.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise RulesError(f"{where}: `{key}` must be a list of strings")
    return tuple(values)


def parse_rules(
    interfaces: tuple[str, str], kinds: tuple[str, str], resources_: tuple[str, str]
) -> Rules:
    """Build the rules from (display name, TOML text) of the three files."""
    tables: dict[str, dict[str, Any]] = {}
    for name, text in (interfaces, kinds, resources_):
        try:
            tables[name] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise RulesError(f"{name}: {error}") from None

    def where(pair: tuple[str, str], entry: Mapping[str, Any]) -> str:
        return f"{pair[0]}:{_line_of(pair[1], str(entry.get('id', '')))} ({entry.get('id', '?')})"

    data = tables[interfaces[0]]
    found_interfaces = []
    for raw in data.get("interface", []):
        at = where(interfaces, raw)
        found_interfaces.append(
            _Interface(
                id=str(raw["id"]),
                source=at,
                tabs=frozenset(t.lower() for t in _strings(raw, "tabs", at)),
                code=frozenset(c.lower() for c in _strings(raw, "code", at)),
                phrases=_patterns(raw, at, "phrases"),
                labels=bool(raw.get("labels", False)),
                external=str(raw["external"]) if "external" in raw else None,
                files=_strings(raw, "files", at),
                pages=_strings(raw, "pages", at),
            )
        )
    externals = []
    for raw in data.get("external", []):
        at = where(interfaces, raw)
        if "reason" not in raw:
            raise RulesError(f"{at}: an [[external]] rule needs a `reason`")
        externals.append(
            _External(
                id=str(raw["id"]),
                source=at,
                interface=str(raw.get("interface", "external")),
                reason=str(raw["reason"]),
                phrases=_patterns(raw, at, "phrases"),
                pages=_strings(raw, "pages", at),
                any_tab=raw.get("any_tab") is True,
            )
        )
    markers = _patterns(data.get("app_services", {}), interfaces[0], "markers")
    conceptual = []
    for raw in data.get("conceptual", []):
        at = where(interfaces, raw)
        if "reason" not in raw:
            raise RulesError(f"{at}: a [[conceptual]] rule needs a `reason`")
        conceptual.append(
            _Conceptual(
                id=str(raw["id"]),
                source=at,
                interface=str(raw.get("interface", "concept")),
                reason=str(raw["reason"]),
                lead=_anchored(raw, at, "lead", re.IGNORECASE),
                subjects=_anchored(raw, at, "subjects", re.IGNORECASE),
                requests=_patterns(raw, at, "requests"),
                mentions=raw.get("labels") == "mentioned",
            )
        )
    kind_rules = []
    for raw in tables[kinds[0]].get("rule", []):
        at = where(kinds, raw)
        if raw.get("kind") not in KINDS:
            raise RulesError(f"{at}: `kind` must be one of {', '.join(KINDS)}")
        kind_rules.append(
            _KindRule(
                id=str(raw["id"]),
                source=at,
                kind=str(raw["kind"]),
                labels=_patterns(raw, at, "labels", whole=True),
                verbs=_verbs(raw, at),
                phrases=_patterns(raw, at, "phrases"),
                code=tuple(tuple(c.split()) for c in _strings(raw, "code", at)),
                step=str(raw.get("step", "")),
                methods=frozenset(m.upper() for m in _strings(raw, "methods", at)),
                resource=str(raw.get("resource", "")),
                why=str(raw.get("why", "")),
                every_label=bool(raw.get("every_label", False)),
            )
        )
    found_resources = []
    for raw in tables[resources_[0]].get("resource", []):
        at = where(resources_, raw)
        nouns = tuple(
            re.compile(rf"(?<![\w-])(?:{n})(?![\w-])", re.IGNORECASE)
            for n in _strings(raw, "nouns", at)
        )
        found_resources.append(
            Resource(
                id=str(raw["id"]),
                source=at,
                title=str(raw.get("title", raw["id"])),
                path=str(raw.get("path", "")),
                read=str(raw.get("read", "")),
                operations=_strings(raw, "operations", at),
                labels=frozenset(label.lower() for label in _strings(raw, "labels", at)),
                nouns=nouns,
                files=_strings(raw, "files", at),
                pages=_strings(raw, "pages", at),
                generic=bool(raw.get("generic", False)),
            )
        )
    statements = _patterns(tables[kinds[0]].get("statements", {}), kinds[0], "patterns")
    return Rules(
        tuple(found_interfaces),
        tuple(externals),
        markers,
        tuple(kind_rules),
        tuple(found_resources),
        statements,
        tuple(conceptual),
    )


RULE_FILES = ("interfaces.toml", "kinds.toml", "resources.toml")
# The [tool.docharness] keys that list a project's own rules files, in RULE_FILES' order.
RULE_KEYS = ("interfaces", "kinds", "resources")


@functools.cache
def shipped_rules() -> Rules:
    """The rules shipped with docharness (harness/catalog/*.toml)."""
    files = resources.files("harness.catalog")
    pairs = [(f"harness/catalog/{n}", files.joinpath(n).read_text("utf-8")) for n in RULE_FILES]
    return parse_rules(pairs[0], pairs[1], pairs[2])


_project_rules: list[Rules] = []  # what use_rules() set for this process, if anything


def default_rules() -> Rules:
    """The rules in use: the shipped ones, then the project's (see :func:`use_rules`)."""
    return _project_rules[-1] if _project_rules else shipped_rules()


def load_rules(extra: Iterable[tuple[str, Path]]) -> Rules:
    """The shipped rules followed by a project's own rules files.

    ``extra`` holds (key, path) pairs, the key one of RULE_KEYS. A project's rules
    come after the shipped ones: a kind rule of the project is tried after every
    shipped rule, and an id the shipped files already use is an error, so a project
    file never silently replaces a shipped rule or resource.
    """
    merged = shipped_rules()
    for key, path in extra:
        if key not in RULE_KEYS:
            raise RulesError(f"{path}: unknown rules key {key!r} (one of {', '.join(RULE_KEYS)})")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise RulesError(f"{path}: cannot read: {error}") from None
        pairs = [(f"(empty {k})", "") for k in RULE_KEYS]
        pairs[RULE_KEYS.index(key)] = (str(path), text)
        merged = _merge_rules(merged, parse_rules(pairs[0], pairs[1], pairs[2]))
    return merged


def _merge_rules(base: Rules, more: Rules) -> Rules:
    for kept, added in (
        (base.interfaces, more.interfaces),
        (base.externals, more.externals),
        (base.kinds, more.kinds),
        (base.resources, more.resources),
        (base.conceptual, more.conceptual),
    ):
        known = {item.id: item.source for item in kept}
        for item in added:
            if item.id in known:
                raise RulesError(
                    f"{item.source}: id {item.id!r} is already used by {known[item.id]}; "
                    "give the project's rule its own id"
                )
    return Rules(
        base.interfaces + more.interfaces,
        base.externals + more.externals,
        base.markers + more.markers,
        base.kinds + more.kinds,
        base.resources + more.resources,
        base.statements + more.statements,
        base.conceptual + more.conceptual,
    )


def use_rules(rules: Rules | None) -> None:
    """Make ``rules`` the rules in use in this process (None: the shipped ones again)."""
    _project_rules.clear()
    if rules is not None:
        _project_rules.append(rules)


# Applying the rules


@dataclass(frozen=True)
class _Code:
    cli_commands: tuple[tuple[str, tuple[str, ...]], ...]  # (command, operations)
    api_paths: tuple[str, ...]  # Admin API request paths
    api_methods: tuple[str, ...]  # their methods, in the same order
    external_urls: tuple[tuple[str, str], ...]  # (url, reason)
    languages: frozenset[str]


def _read_code(facts: StepFacts) -> _Code:
    commands: list[tuple[str, tuple[str, ...]]] = []
    api_paths: list[str] = []
    api_methods: list[str] = []
    external: list[tuple[str, str]] = []
    for language, text in facts.code:
        if language.lower() in ("json", "javascript", "js", "json5", "text", "none"):
            continue
        for plan in parse_cli(text):
            commands.append((plan.command, plan.operations))
        for request in parse_curls(text):
            destination = classify_url(request.url)
            if destination.kind == "admin-api":
                api_paths.append(request.path)
                api_methods.append(request.method.upper())
            elif destination.kind != "unknown":
                external.append((request.url, destination.reason))
    return _Code(
        tuple(commands),
        tuple(api_paths),
        tuple(api_methods),
        tuple(external),
        frozenset(language.lower() for language, _ in facts.code),
    )


def _first(patterns: Iterable[re.Pattern[str]], text: str) -> re.Match[str] | None:
    return next((m for p in patterns if (m := p.search(text))), None)


def _app_services_evidence(rules: Rules, text: str, labels: Iterable[str], code: _Code) -> str:
    """Why a step is plainly inside App Services ("" when nothing says so)."""
    if code.cli_commands or code.api_paths:
        return "a realm-cli or Admin API command"
    marker = _first(rules.markers, text)
    if marker:
        return f"names {marker.group(0)!r}"
    names = {label.lower() for label in labels}
    for resource in rules.resources:
        shared = names & resource.labels
        if shared:
            return f"the UI label {sorted(shared)[0]!r} of {resource.id}"
    return ""


_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")


def _states_only(rules: Rules, rule: _Conceptual, text: str, labels: tuple[str, ...] = ()) -> bool:
    """Whether every sentence of ``text`` states something and none asks for an action.

    A sentence states when, after leading clauses ("By default, ", "When ..., "), it
    begins with one of the rule's subjects; it asks when it uses one of the rule's
    request words, or offers an action verb of kinds.toml ("you can delete ...").
    Each of ``labels`` must be only mentioned: in a sentence's leading clauses, or as
    its subject ('A role's "Apply When" condition determines ...').
    """
    verbs = [v for kind_rule in rules.kinds for v in kind_rule.verbs]
    unplaced = set(labels)
    for sentence in _SENTENCE_END.split(text.strip()):
        clause = sentence.strip()
        for _ in range(3):
            clause = next(
                (p.sub("", clause, count=1) for p in rule.lead if p.match(clause)), clause
            )
        lead = sentence.strip()[: len(sentence.strip()) - len(clause)]
        subject = next((m for p in rule.subjects if (m := p.match(clause))), None)
        after = clause[subject.end() :].lstrip() if subject else clause
        for label in list(unplaced):
            quoted = f'"{label}"'
            if quoted in lead or re.match(rf"(?:[\w-]+'s\s+)?{re.escape(quoted)}", after):
                unplaced.discard(label)
        if not clause or not (subject or (labels and clause.startswith('"'))):
            return False
        if _first(rule.requests, sentence):
            return False
        offered = re.findall(
            r"\byou (?:can|may|could) (?:also |safely |then |now )?(\w+)", clause, re.I
        )
        if any(_first(verbs, word) for word in offered):
            return False
    return not unplaced


def _conceptual(rules: Rules, facts: StepFacts, code: _Code) -> tuple[str, str, Evidence] | None:
    """A [[conceptual]] rule: an action step of statements only, naming no label or literal,
    holding no code and introducing no block with a closing colon (an outcome states what
    the page claims: it is never conceptual)."""
    if facts.kind != "action" or facts.literals or facts.code:
        return None
    if facts.text.rstrip().endswith(":"):
        return None  # it introduces a block (code, a list) that may be what the step asks for
    for rule in rules.conceptual:
        if facts.labels and not rule.mentions:
            continue
        if _states_only(rules, rule, facts.text, facts.labels):
            return rule.interface, rule.reason, Evidence("external", rule.source, "statements only")
    return None


def _external(rules: Rules, facts: StepFacts, code: _Code) -> tuple[str, str, Evidence] | None:
    """(interface, reason, evidence) when an explicit rule puts the step outside the Admin API:
    a tab, client code, a console or other [[external]] rule, else a [[conceptual]] rule."""
    return _explicit_external(rules, facts, code) or _conceptual(rules, facts, code)


def _explicit_external(
    rules: Rules, facts: StepFacts, code: _Code
) -> tuple[str, str, Evidence] | None:
    tab = facts.tab.lower()
    for interface in rules.interfaces:
        if interface.external and tab and tab in interface.tabs:
            return (
                interface.id,
                interface.external,
                Evidence("external", interface.source, f"tab {facts.tab!r}"),
            )
    own = f"{facts.title} {facts.text}"
    inside = _app_services_evidence(rules, facts.text, facts.labels, code)
    if code.external_urls and not code.api_paths:
        url, reason = code.external_urls[0]
        return "api", reason, Evidence("external", "harness/commands/hosts.toml", url)
    if not inside:
        for interface in rules.interfaces:
            languages = sorted(code.languages & interface.code)
            if interface.external and languages:
                return (
                    interface.id,
                    interface.external,
                    Evidence("external", interface.source, f"{languages[0]} code"),
                )
    if inside:
        return None
    decided = _interface(rules, facts, code)
    if decided is not None and decided[1].detail.startswith(("tab ", "file ", "page ")):
        # its tab or step file puts the step in the UI, CLI or API, unless a rule names a
        # place no tab changes (a new folder on the reader's computer)
        for rule in rules.externals:
            match = _first(rule.phrases, facts.text) if rule.any_tab else None
            if match:
                return rule.interface, rule.reason, Evidence("external", rule.source, match[0])
        return None
    parent_inside = _app_services_evidence(
        rules, facts.parent, (), _Code((), (), (), (), frozenset())
    )
    for rule in rules.externals:
        match = _first(rule.phrases, own)
        if match:
            return rule.interface, rule.reason, Evidence("external", rule.source, match.group(0))
        match = _first(rule.phrases, facts.parent)
        if match and not parent_inside:
            detail = f"{match.group(0)} (in the enclosing step)"
            return rule.interface, rule.reason, Evidence("external", rule.source, detail)
        page = next((p for p in rule.pages if fnmatch.fnmatchcase(facts.page, p)), None)
        if page:
            return rule.interface, rule.reason, Evidence("external", rule.source, f"page {page}")
    return None


def _interface(rules: Rules, facts: StepFacts, code: _Code) -> tuple[str, Evidence] | None:
    tab = facts.tab.lower()
    if tab:
        for interface in rules.interfaces:
            if tab in interface.tabs:
                return interface.id, Evidence("interface", interface.source, f"tab {facts.tab!r}")
    if code.cli_commands:
        return "cli", Evidence("interface", "harness/commands/cli.toml", code.cli_commands[0][0])
    if code.api_paths:
        return "api", Evidence("interface", "harness/commands/hosts.toml", code.api_paths[0])
    own = f"{facts.title} {facts.text}"
    for interface in rules.interfaces:
        if interface.external:
            continue
        match = _first(interface.phrases, own)
        if match:
            return interface.id, Evidence("interface", interface.source, match.group(0))
        if interface.labels and facts.labels:
            return interface.id, Evidence(
                "interface", interface.source, f"label {facts.labels[0]!r}"
            )
    for where, text in [("enclosing step", facts.parent)] + [
        (f"section {s!r}", s) for s in reversed(facts.sections)
    ]:
        for interface in rules.interfaces:
            match = None if interface.external else _first(interface.phrases, text)
            if match:
                detail = f"{match.group(0)} ({where})"
                return interface.id, Evidence("interface", interface.source, detail)
    path = facts.location.rsplit(":", 1)[0]
    for interface in rules.interfaces:
        if interface.external:
            continue
        hit = next((f for f in interface.files if fnmatch.fnmatchcase(path, f"*{f}")), None)
        if hit and path:
            return interface.id, Evidence("interface", interface.source, f"file {path}")
        page = next((p for p in interface.pages if fnmatch.fnmatchcase(facts.page, p)), None)
        if page and facts.page:
            return interface.id, Evidence("interface", interface.source, f"page {facts.page}")
    return None


def _plain(facts: StepFacts) -> str:
    """The sentence without its quoted labels and literals: where verbs are looked for."""
    return Sentence.parse(facts.text).plain


def _asking(rules: Rules, text: str) -> str:
    """The step without the parts that ask for nothing (kinds.toml [statements])."""
    for pattern in rules.statements:
        text = pattern.sub(" ", text)
    return " ".join(text.split())


def _request_plain(rules: Rules, facts: StepFacts) -> str:
    """The plain sentence of the step's request; the whole step's when it only states."""
    asking = _asking(rules, facts.text)
    return Sentence.parse(asking).plain if asking else _plain(facts)


def _kind(rules: Rules, facts: StepFacts, code: _Code) -> tuple[str, Evidence] | None:
    """The first kind rule the step's request matches, then the whole step's, its purpose's,
    its title's."""
    found = None
    asking = _asking(rules, facts.text)
    if asking and asking != " ".join(facts.text.split()):
        found = _kind_of(rules, facts, code, Sentence.parse(asking).plain, asking)
    if found is None:
        found = _kind_of(rules, facts, code, _plain(facts), facts.text)
    if found is None:  # only a purpose ("To define a function from the UI:"): it names the kind
        purpose = re.sub(r"\bto (?=\w)", "", _plain(facts))
        found = _kind_of(rules, facts, code, purpose, facts.text)
    if found is None and facts.title and facts.title != facts.text:
        title = Sentence.parse(facts.title)
        found = _kind_of(rules, facts, code, title.plain, facts.title)
        if found is not None:
            kind, why = found
            found = kind, Evidence(why.field, why.rule, f"{why.detail} (step title)")
    return found


def _kind_of(
    rules: Rules, facts: StepFacts, code: _Code, plain: str, text: str
) -> tuple[str, Evidence] | None:
    commands = [tuple(command.split()) for command, _ in code.cli_commands]
    for rule in rules.kinds:
        if rule.step and rule.step != facts.kind:
            continue
        detail = ""
        if rule.step and not (rule.labels or rule.verbs or rule.phrases or rule.code):
            detail = f"{facts.kind} sentence"
        if rule.methods:
            method = next((m for m in code.api_methods if m in rule.methods), None)
            if method is None:
                continue
            detail = f"an Admin API {method} request"
        if rule.code:
            hit = next(
                (c for c in commands if any(c[: len(want)] == want for want in rule.code)), None
            )
            if hit is None:
                continue
            detail = f"realm-cli {' '.join(hit)}"
        if rule.labels:
            label = next((lb for lb in facts.labels if _first(rule.labels, lb.strip())), None)
            if label is None:
                continue
            if rule.every_label and not all(_first(rule.labels, lb.strip()) for lb in facts.labels):
                continue
            detail = f"label {label!r}"
        if rule.verbs:
            verb = _first(rule.verbs, plain)
            if verb is None:
                continue
            detail = f"verb {verb.group(0)!r}"
        if rule.phrases:
            phrase = _first(rule.phrases, text)
            if phrase is None:
                continue
            detail = f"phrase {phrase.group(0)!r}"
        if detail:
            return rule.kind, Evidence("kind", rule.source, detail)
    return None


def _resource_from_labels(rules: Rules, labels: Iterable[str]) -> list[tuple[Resource, str]]:
    found = []
    for label in labels:
        for resource in rules.resources:
            if label.lower().strip() in resource.labels:
                found.append((resource, f"label {label!r}"))
    return found


def _resource_from_text(rules: Rules, text: str) -> list[tuple[Resource, str]]:
    hits: list[tuple[int, int, Resource, str]] = []
    for order, resource in enumerate(rules.resources):
        for noun in resource.nouns:
            match = noun.search(text)
            if match:
                hits.append((match.start(), order, resource, f"noun {match.group(0)!r}"))
    return [(resource, detail) for _, _, resource, detail in sorted(hits, key=lambda h: h[:2])]


def _resource_from_files(rules: Rules, names: Iterable[str]) -> list[tuple[Resource, str]]:
    found = []
    for name in names:
        clean = name.strip().lstrip("/")
        for resource in rules.resources:
            for pattern in resource.files:
                exact = clean == pattern.rstrip("/")
                inside = pattern.endswith("/") and clean.startswith(pattern)
                if exact or inside or ("*" in pattern and fnmatch.fnmatchcase(clean, pattern)):
                    found.append((resource, f"file {name!r}"))
    return found


def _resource_from_code(rules: Rules, code: _Code) -> list[tuple[Resource, str]]:
    found = []
    for path in code.api_paths:
        best = max(
            (r for r in rules.resources if r.path and r.path_pattern().search(path)),
            key=lambda r: len(r.path),
            default=None,
        )
        if best is not None:
            found.append((best, f"request {path}"))
    for command, operations in code.cli_commands:
        for resource in rules.resources:
            if set(operations) & set(resource.operations):
                found.append((resource, f"realm-cli {command}"))
    return found


def _resource(rules: Rules, facts: StepFacts, code: _Code) -> tuple[str, Evidence] | None:
    """The first source that names a specific resource; a generic one only as a last resort.

    An Admin API request in the step's code names its resource exactly, generic or not.
    """
    requested = [(r, d) for r, d in _resource_from_code(rules, code) if d.startswith("request ")]
    if requested:
        resource, detail = requested[0]
        return resource.id, Evidence("resource", resource.source, f"{detail} (code)")
    sources: list[tuple[str, list[tuple[Resource, str]]]] = [
        ("labels", _resource_from_labels(rules, facts.labels)),
        ("code", _resource_from_code(rules, code)),
        ("sentence", _resource_from_text(rules, _strip_products(_request_plain(rules, facts)))),
        ("literals", _resource_from_files(rules, facts.literals)),
        ("title", _resource_from_text(rules, _strip_products(facts.title))),
        *(
            ("section", _resource_from_text(rules, _strip_products(s)))
            for s in reversed(facts.sections)
        ),
        (
            "page",
            [
                (r, f"page {p}")
                for r in rules.resources
                for p in r.pages
                if fnmatch.fnmatchcase(facts.page, p)
            ],
        ),
    ]
    generic: tuple[Resource, str, str] | None = None
    for name, found in sources:
        for resource, detail in found:
            if not resource.generic:
                return resource.id, Evidence("resource", resource.source, f"{detail} ({name})")
            if generic is None:
                generic = (resource, detail, name)
    if generic is not None:
        resource, detail, name = generic
        return resource.id, Evidence("resource", resource.source, f"{detail} ({name})")
    return None


_PRODUCTS = re.compile(
    r"\b(Atlas App Services|App Services|MongoDB Realm|Realm|MongoDB Atlas|Atlas)\b", re.IGNORECASE
)


def _strip_products(text: str) -> str:
    """Product names are not resources: "App Services" names no service."""
    return _PRODUCTS.sub(" ", text)


def classify(facts: StepFacts, rules: Rules | None = None) -> Classification:
    """The step's interface, kind and resource, or why it is outside the Admin API.

    External only by an explicit rule; navigation is always read in the UI (and is
    ui-only by rule); anything no rule explains stays ``None``.
    """
    rules = rules or default_rules()
    code = _read_code(facts)
    evidence: list[Evidence] = []
    external = _external(rules, facts, code)
    if external is not None:
        outside, reason, why = external
        return Classification(outside, None, None, reason, (why,))
    interface = _interface(rules, facts, code)
    kind = _kind(rules, facts, code)
    resource = _resource(rules, facts, code) if kind and kind[0] in NEEDS_RESOURCE else None
    fixed = next((r for r in rules.kinds if kind and r.source == kind[1].rule and r.resource), None)
    if fixed is not None and kind is not None:
        resource = (fixed.resource, Evidence("resource", fixed.source, kind[1].detail))
    interface_id = interface[0] if interface else None
    if kind and kind[0] == "navigation" and interface_id in (None, "ui"):
        interface_id = "ui"
        evidence.append(
            Evidence("interface", kind[1].rule, "navigation is done in the UI")
            if interface is None
            else interface[1]
        )
    elif interface:
        evidence.append(interface[1])
    for found in (kind, resource):
        if found:
            evidence.append(found[1])
    return Classification(
        interface=interface_id,
        kind=kind[0] if kind else None,
        resource=resource[0] if resource else None,
        external_reason=None,
        evidence=tuple(evidence),
    )
