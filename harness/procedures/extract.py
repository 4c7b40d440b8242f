"""Find the procedures of one parsed page.

A procedure is either a ``.. procedure::`` of ``.. step::`` blocks, or a
numbered list whose items read as steps. Lists on real pages are often broken
up by figures and notes, or broken outright by an unindented continuation
line (docutils then ends the list and the next item is a paragraph starting
"2. "); both are read as one procedure, and the broken items are reported.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources

from docutils import nodes

from harness.diagnostics import Diagnostic
from harness.procedures.codes import (
    BROKEN_LIST_ITEM,
    EMPTY_PROCEDURE,
    NUMBERING,
    UNTITLED_STEP,
    severity_of,
)
from harness.procedures.model import Block, Link, Procedure, SourceLocation, Step, StepKind
from harness.procedures.text import Rendered, TitleLookup, render
from harness.rst import Project
from harness.rst import nodes as snooty

_WORDING = tomllib.loads(
    resources.files("harness.procedures").joinpath("wording.toml").read_text(encoding="utf-8")
)
GENERIC_TITLES = frozenset(_WORDING["generic_titles"])
IMPERATIVE_VERBS = frozenset(_WORDING["imperative_verbs"].split())
MIN_INSTRUCTIONS = int(_WORDING["reader_procedures"]["min_instructions"])

_FOLLOW = re.compile(r"\bfollow (?:the )?(?:steps|instructions|procedure)\b", re.IGNORECASE)
_BROKEN_ITEM = re.compile(r"^(?P<number>\d{1,3}|[a-zA-Z])(?P<suffix>[.)])\s+")
_OUTCOME_START = re.compile(
    r"^(?:you(?:'ve| have) now|you should (?:now|see|get|be able)|you now have"
    r"|you will (?:now )?see|now you have|you can now see)\b",
    re.IGNORECASE,
)
_OUTCOME_ANYWHERE = re.compile(
    r"\bshould (?:now )?(?:get|see|appear|display|show)\b", re.IGNORECASE
)
# A clause before the instruction: "In the Sync tab, click ...", "Optionally, add ...".
_LEADING_CLAUSE = re.compile(
    r"^(?:in|on|from|under|at|inside|within|near|after|once|when|if|to|for|with|using|"
    r"back|optionally|then|now|finally|first|next|alternatively|if needed)\b[^,]*,\s*",
    re.IGNORECASE,
)
_FIRST_WORD = re.compile(r"^[\"'`(]*([A-Za-z][A-Za-z-]*)")


def is_outcome(text: str) -> bool:
    """The closing sentence of a procedure: what the reader should now see or have."""
    return bool(_OUTCOME_START.search(text) or _OUTCOME_ANYWHERE.search(text))


def reader_performs(steps: Sequence[StepDraft]) -> bool:
    """The rule for ``.. procedure::`` blocks (wording.toml ``[reader_procedures]``): a
    scenario only when enough of its steps are instructions (by title or text), hold
    code to run or have sub-steps; one that narrates what the system does is not."""
    actions = [step for step in steps if step.kind is StepKind.ACTION]
    doing = sum(
        1
        for step in actions
        if reads_as_step(step)
        or _imperative(step.title)
        or any(block.kind == "code" for block in step.body)
        or step.substeps
    )
    return doing >= min(MIN_INSTRUCTIONS, len(actions))


def _imperative(text: str) -> bool:
    match = _FIRST_WORD.match(_LEADING_CLAUSE.sub("", text, count=1))
    return match is not None and match.group(1).lower() in IMPERATIVE_VERBS


def reads_as_step(draft: StepDraft) -> bool:
    """An instruction: it names a UI label or starts with an imperative verb."""
    if draft.labels:
        return True
    text = _LEADING_CLAUSE.sub("", draft.text, count=1)
    match = _FIRST_WORD.match(text)
    return match is not None and match.group(1).lower() in IMPERATIVE_VERBS


@dataclass
class StepDraft:
    """A step being assembled; sub-steps are numbered when the procedure is built."""

    kind: StepKind
    text: str
    location: SourceLocation
    title: str = ""
    labels: tuple[str, ...] = ()
    literals: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    figures: list[str] = field(default_factory=list)
    body: list[Block] = field(default_factory=list)
    substeps: list[StepDraft] = field(default_factory=list)
    closing: StepDraft | None = None  # an outcome sentence ending the step's body

    def flatten(self, number: str) -> Iterator[Step]:
        yield Step(
            number=number if self.kind is StepKind.ACTION else "",
            kind=self.kind,
            text=self.text,
            location=self.location,
            title=self.title,
            labels=self.labels,
            literals=self.literals,
            links=self.links,
            figures=tuple(self.figures),
            body=tuple(self.body),
        )
        for index, sub in enumerate(self.substeps, start=1):
            yield from sub.flatten(f"{number}.{index}")


@dataclass(frozen=True)
class SectionInfo:
    title: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Where:
    """Where in the page a scope is: the section chain and the tabs it sits in."""

    sections: tuple[SectionInfo, ...]
    tabs: tuple[str, ...] = ()

    def owner(self) -> SectionInfo:
        """The section a procedure is named after: generic headings defer to their parent."""
        for section in reversed(self.sections):
            if section.title.strip().lower() not in GENERIC_TITLES:
                return section
        return self.sections[-1] if self.sections else SectionInfo("", ())


@dataclass
class ProcedureDraft:
    """A procedure found on the page, before ids (which need the whole page) are given."""

    where: Where
    location: SourceLocation
    steps: list[StepDraft]

    def build(self) -> Procedure:
        """The model procedure, numbered; its id is given once the whole page is known."""
        owner = self.where.owner()
        steps: list[Step] = []
        number = 0
        for draft in self.steps:
            if draft.kind is StepKind.ACTION:
                number += 1
            steps.extend(draft.flatten(str(number)))
        return Procedure(
            id="",
            title=owner.title,
            location=self.location,
            steps=tuple(steps),
            section_path=tuple(section.title for section in self.where.sections),
            labels=owner.labels,
            tab=self.where.tabs[-1] if self.where.tabs else "",
        )


@dataclass(frozen=True)
class DocReference:
    """A section that says "follow the steps in :doc:`X`" (or ``:ref:`label```)
    instead of listing steps."""

    where: Where
    location: SourceLocation
    role: str  # "doc" or "ref"
    target: str  # page path for doc, label for ref


@dataclass
class _Run:
    """An open numbered-list procedure: items so far and the number expected next."""

    where: Where
    location: SourceLocation
    steps: list[StepDraft] = field(default_factory=list)
    expected: int = 1
    arabic: bool = True  # numbered 1, 2, 3 (else lettered a, b, c)
    interrupted: bool = False  # something other than a figure since the last step
    problems: list[Diagnostic] = field(default_factory=list)


class PageWalker:
    """Walks one doctree in document order, collecting procedures and problems."""

    def __init__(self, project: Project, document: nodes.document, titles: TitleLookup):
        self.project = project
        self.document = document
        self.titles = titles
        self.entries: list[ProcedureDraft | DocReference] = []
        self.diagnostics: list[Diagnostic] = []
        self.section_labels = _section_labels(document)
        self.paths: dict[str, str] = {}

    # -- locations and text ---------------------------------------------------------

    def location(self, node: nodes.Node) -> SourceLocation:
        holder: nodes.Node | None = node
        while holder is not None and not getattr(holder, "line", None):
            holder = holder.parent
        source = self.document["source"] if holder is None else holder.source
        source = source or self.document["source"]
        path = self.paths.get(source)
        if path is None:
            path = self.paths[source] = self.project.relpath(source)
        return SourceLocation(path, 1 if holder is None else holder.line)

    def report(self, code: str, node: nodes.Node, message: str, hint: str = "") -> Diagnostic:
        where = self.location(node)
        return Diagnostic(where.path, where.line, 1, code, severity_of(code), message, hint)

    def render(self, node: nodes.Node | None) -> Rendered:
        return render(node, self.titles)

    # -- sections -------------------------------------------------------------------

    def walk(self) -> None:
        top = Where(sections=())
        self.scope(_body(self.document), top)
        for section in _sections(self.document):
            self.section(section, top)

    def section(self, section: nodes.section, parent: Where) -> None:
        title = self.render(section.next_node(nodes.title)).text
        info = SectionInfo(title, self.section_labels.get(id(section), ()))
        where = Where(sections=(*parent.sections, info))
        before = len(self.entries)
        body = _body(section)
        self.scope(body, where)
        if len(self.entries) == before:
            reference = self.doc_reference(body, where)
            if reference is not None:
                self.entries.append(reference)
        for child in _sections(section):
            self.section(child, where)

    def doc_reference(self, body: Sequence[nodes.Node], where: Where) -> DocReference | None:
        """The link after "follow the steps in" in a paragraph of the section, if any."""
        for node in body:
            if not isinstance(node, nodes.paragraph) or not _FOLLOW.search(node.astext()):
                continue
            before = ""
            for inner in node.findall(include_self=False):
                if isinstance(inner, nodes.Text):
                    before += inner.astext()
                elif _is_link(inner) and _FOLLOW.search(before):
                    return DocReference(where, self.location(node), inner["role"], inner["target"])
        return None

    # -- scopes: a run of sibling blocks --------------------------------------------

    def scope(self, children: Sequence[nodes.Node], where: Where) -> None:
        run: _Run | None = None
        after: ProcedureDraft | None = None  # a procedure just closed: its outcome may follow
        loose_steps: list[snooty.step] = []

        def close() -> ProcedureDraft | None:
            nonlocal run
            finished = self.finish_run(run) if run is not None else None
            run = None
            return finished

        def flush_steps() -> None:
            nonlocal after
            if loose_steps:
                after = self.step_procedure(loose_steps[0], list(loose_steps), where)
                loose_steps.clear()

        for node in children:
            if isinstance(node, _INVISIBLE):
                continue
            if not isinstance(node, snooty.step):
                flush_steps()
            if isinstance(node, (nodes.figure, nodes.image)):
                alt = _alt(node)
                target = run.steps[-1] if run and run.steps else _last_step(after)
                if target is not None and alt:
                    target.figures.append(alt)
                continue
            if isinstance(node, snooty.step):
                after = close()
                loose_steps.append(node)
                continue
            if isinstance(node, nodes.enumerated_list):
                after = None
                start = int(node.get("start", 1))
                if run is not None and start != 1 and abs(start - run.expected) <= 1:
                    if start != run.expected:
                        run.problems.append(self.numbering(node, run.expected, start))
                    self.add_items(run, node)
                    continue
                close()
                run = _Run(where, self.location(node))
                self.add_items(run, node)
                continue
            if isinstance(node, nodes.paragraph):
                if run is not None:
                    if self.recover(run, node):
                        continue
                    if not run.interrupted and is_outcome(self.render(node).text):
                        run.steps.append(self.outcome(node))
                        after = close()
                        continue
                    run.interrupted = True
                    continue
                if after is not None and _open(after) and is_outcome(self.render(node).text):
                    after.steps.append(self.outcome(node))
                after = None
                continue
            after = None
            if run is not None and run.steps and isinstance(node, _STEP_CONTENT):
                # code, a table or a note between items belongs to the item above it
                self.fill(run.steps[-1], [node], skip=None)
                run.interrupted = True
            elif isinstance(node, snooty.procedure):
                close()
                after = self.procedure(node, where)
            elif isinstance(node, snooty.tabs):
                close()
                for tab in node.children:
                    self.tab(tab, where)
            elif isinstance(node, snooty.tab):
                close()
                self.tab(node, where)
            elif _is_container(node):
                if run is not None:
                    run.interrupted = True
                self.scope(node.children, where)
            elif run is not None:
                run.interrupted = True
        flush_steps()
        close()

    def tab(self, tab: nodes.Node, where: Where) -> None:
        if isinstance(tab, snooty.tab):
            self.scope(tab.children, Where(where.sections, (*where.tabs, tab["tabid"])))
        elif isinstance(tab, nodes.Element):
            self.scope(tab.children, where)

    # -- numbered lists ---------------------------------------------------------------

    def add_items(self, run: _Run, node: nodes.enumerated_list) -> None:
        items = [item for item in node.children if isinstance(item, nodes.list_item)]
        run.steps.extend(self.item(item) for item in items)
        run.expected = int(node.get("start", 1)) + len(items)
        run.arabic = node.get("enumtype", "arabic") == "arabic"
        run.interrupted = False

    def recover(self, run: _Run, paragraph: nodes.paragraph) -> bool:
        """A paragraph "N. text" continuing the run: an item docutils could not see."""
        match = _BROKEN_ITEM.match(paragraph.astext())
        if match is None:
            return False
        written = match["number"]
        if written.isdigit() != run.arabic:
            return False
        number = int(written) if run.arabic else ord(written.lower()) - ord("a") + 1
        if abs(number - run.expected) > 1 or number < 2:
            return False
        if number != run.expected:
            run.problems.append(self.numbering(paragraph, run.expected, number))
        run.problems.append(
            self.report(
                BROKEN_LIST_ITEM,
                paragraph,
                f"numbered item {written} is not part of the list above it:"
                " its continuation line is not indented, so the page shows a paragraph",
                hint="indent the continuation line(s) to line up with the item text",
            )
        )
        draft = self.step_from(paragraph, paragraph)
        draft.text = _BROKEN_ITEM.sub("", draft.text, count=1)
        run.steps.append(draft)
        run.expected = number + 1
        run.interrupted = False
        return True

    def numbering(self, node: nodes.Node, expected: int, found: int) -> Diagnostic:
        change = "repeats" if found < expected else "skips"
        return self.report(
            NUMBERING,
            node,
            f"numbered list {change} a number: expected {expected}, found {found}",
            hint="renumber the items (or use #. to let the renderer number them)",
        )

    def finish_run(self, run: _Run) -> ProcedureDraft | None:
        actions = [step for step in run.steps if step.kind is StepKind.ACTION]
        if len(run.steps) < 2 or sum(map(reads_as_step, actions)) * 2 < len(actions):
            return None
        last = run.steps[-1]
        if last.kind is StepKind.ACTION and is_outcome(last.text) and len(actions) > 2:
            last.kind = StepKind.OUTCOME
        self.diagnostics.extend(run.problems)
        steps = run.steps if last.kind is StepKind.OUTCOME else _closed(run.steps)
        draft = ProcedureDraft(run.where, run.location, steps)
        self.entries.append(draft)
        return draft

    # -- steps ----------------------------------------------------------------------

    def item(self, item: nodes.list_item) -> StepDraft:
        paragraph = _leading(item.children, nodes.paragraph)
        draft = self.step_from(paragraph, item)
        self.fill(draft, item.children, skip=paragraph)
        return draft

    def step_from(
        self, paragraph: nodes.Node | None, anchor: nodes.Node, title: str = ""
    ) -> StepDraft:
        rendered = self.render(paragraph)
        return StepDraft(
            kind=StepKind.ACTION,
            text=rendered.text or title,
            location=self.location(paragraph if paragraph is not None else anchor),
            title=title,
            labels=rendered.labels,
            literals=rendered.literals,
            links=rendered.links,
        )

    def outcome(self, paragraph: nodes.paragraph) -> StepDraft:
        draft = self.step_from(paragraph, paragraph)
        draft.kind = StepKind.OUTCOME
        return draft

    def fill(self, draft: StepDraft, body: Sequence[nodes.Node], skip: nodes.Node | None) -> None:
        """The rest of a step's body, in order: sub-steps (numbered lists, nested steps and
        procedures, numbered lists inside tabs), code, tables, later paragraphs, notes and
        figures; and the outcome sentence when the body ends with one ("You have now ...")."""
        for node in body:
            if node is skip or isinstance(node, _INVISIBLE):
                continue
            if isinstance(node, (nodes.figure, nodes.image)):
                if _alt(node):
                    (draft.closing or draft).figures.append(_alt(node))
                    draft.body.append(Block("figure", _alt(node), self.location(node)))
                continue
            draft.closing = None
            if isinstance(node, nodes.paragraph):
                rendered = self.render(node).text
                if rendered:
                    draft.body.append(Block("paragraph", rendered, self.location(node)))
                if is_outcome(rendered):
                    draft.closing = self.outcome(node)
            elif isinstance(node, nodes.enumerated_list):
                draft.substeps.extend(
                    self.item(item) for item in node.children if isinstance(item, nodes.list_item)
                )
            elif isinstance(node, snooty.procedure):
                draft.substeps.extend(self.steps_of(node))
            elif isinstance(node, snooty.step):
                draft.substeps.append(self.step(node))
            elif isinstance(node, nodes.literal_block):
                draft.body.append(self.code(node))
            elif isinstance(node, nodes.table):
                draft.body.append(self.table(node))
                draft.body.extend(self.nested_code(node))
            elif isinstance(node, (nodes.bullet_list, nodes.definition_list)):
                items = [self.render(item).text for item in node.children]
                text = "\n".join(item for item in items if item)
                if text:
                    draft.body.append(Block("list", text, self.location(node)))
                draft.body.extend(self.nested_code(node))
            elif isinstance(node, nodes.admonition):
                kind = next((c for c in node["classes"] if c != "admonition"), "note")
                text = " ".join(
                    self.render(child).text
                    for child in node.children
                    if not isinstance(child, (nodes.title, nodes.literal_block, *_INVISIBLE))
                ).strip()
                if text:
                    draft.body.append(Block("note", text, self.location(node), title=kind))
                draft.body.extend(self.nested_code(node))
            elif isinstance(node, nodes.section):
                title = self.render(node.next_node(nodes.title)).text
                if title:
                    draft.body.append(Block("paragraph", title, self.location(node)))
                self.fill(draft, node.children[1:], skip=None)
            elif isinstance(node, (snooty.tabs, snooty.tab, snooty.directive, *_CONTAINERS)):
                self.fill(draft, node.children, skip=None)
            elif isinstance(node, nodes.Element) and node.astext().strip():
                text = self.render(node).text
                if text:
                    draft.body.append(Block("paragraph", text, self.location(node)))

    def nested_code(self, node: nodes.Node) -> list[Block]:
        """Code written inside a note, a table cell or a bullet item of the step: still
        code of the step (a note's example, a value to paste), kept as code blocks."""
        return [self.code(block) for block in node.findall(nodes.literal_block)]

    def code(self, node: nodes.literal_block) -> Block:
        kind = "output" if node.get("io") == "output" else "code"
        return Block(kind, node.astext(), self.location(node), language=node.get("language", ""))

    def table(self, node: nodes.table) -> Block:
        rows = tuple(
            tuple(self.render(entry).text for entry in row.findall(nodes.entry))
            for row in node.findall(nodes.row)
        )
        width = max((len(row) for row in rows), default=0)
        padded = tuple((*row, *("",) * (width - len(row))) for row in rows)
        return Block("table", "", self.location(node), rows=padded)

    def step(self, node: snooty.step) -> StepDraft:
        title_node = _first(node.children, snooty.step_title)
        title = self.render(title_node).text if title_node is not None else ""
        if not title:
            self.diagnostics.append(
                self.report(
                    UNTITLED_STEP, node, "step without a title", hint="write .. step:: Title"
                )
            )
        body = [child for child in node.children if child is not title_node]
        paragraph = _leading(body, nodes.paragraph)
        draft = self.step_from(paragraph, node, title)
        if title_node is not None and not draft.labels and paragraph is None:
            rendered = self.render(title_node)
            draft.labels, draft.literals, draft.links = (
                rendered.labels,
                rendered.literals,
                rendered.links,
            )
        self.fill(draft, body, skip=paragraph)
        return draft

    def steps_of(self, node: snooty.procedure) -> list[StepDraft]:
        return [self.step(child) for child in node.children if isinstance(child, snooty.step)]

    def procedure(self, node: snooty.procedure, where: Where) -> ProcedureDraft | None:
        steps = self.steps_of(node)
        if not steps:
            self.diagnostics.append(
                self.report(
                    EMPTY_PROCEDURE, node, "procedure without steps", hint="add .. step:: blocks"
                )
            )
            return None
        if not reader_performs(steps):
            return None
        draft = ProcedureDraft(where, self.location(node), _closed(steps))
        self.entries.append(draft)
        return draft

    def step_procedure(
        self, anchor: snooty.step, steps: list[snooty.step], where: Where
    ) -> ProcedureDraft:
        """Steps written without a ``.. procedure::`` around them still make one."""
        draft = ProcedureDraft(where, self.location(anchor), _closed([self.step(s) for s in steps]))
        self.entries.append(draft)
        return draft


def _closed(steps: list[StepDraft]) -> list[StepDraft]:
    """``steps`` plus the outcome sentence that ends the last step's body, if any."""
    last = steps[-1] if steps else None
    if last is not None and last.closing is not None:
        closing = last.closing
        last.body = [
            block
            for block in last.body
            if not (block.kind == "paragraph" and block.location == closing.location)
        ]
        return [*steps, closing]
    return steps


def _alt(node: nodes.Node) -> str:
    image = node if isinstance(node, nodes.image) else node.next_node(nodes.image)
    return " ".join(str(image.get("alt", "")).split()) if image is not None else ""


def _is_link(node: nodes.Node) -> bool:
    return isinstance(node, snooty.xref) and node["role"] in {"doc", "ref"}


def _open(draft: ProcedureDraft) -> bool:
    """The procedure has no outcome sentence yet."""
    return not draft.steps or draft.steps[-1].kind is StepKind.ACTION


def _last_step(draft: ProcedureDraft | None) -> StepDraft | None:
    return draft.steps[-1] if draft is not None and draft.steps else None


def _leading(children: Sequence[nodes.Node], kind: type[nodes.Node]) -> nodes.Node | None:
    """The first visible child when it is a ``kind``: a step's own text comes first, so a
    paragraph after its code or sub-steps is body, not the step's sentence."""
    first = next((c for c in children if not isinstance(c, (*_INVISIBLE, snooty.step_title))), None)
    return first if isinstance(first, kind) else None


def _first(children: Sequence[nodes.Node], kind: type[nodes.Node]) -> nodes.Node | None:
    return next((child for child in children if isinstance(child, kind)), None)


def _body(node: nodes.Element) -> list[nodes.Node]:
    return [child for child in node.children if not isinstance(child, (nodes.title, nodes.section))]


def _sections(node: nodes.Element) -> list[nodes.section]:
    return [child for child in node.children if isinstance(child, nodes.section)]


# Nodes a reader does not see: they neither interrupt a list nor separate an outcome.
_INVISIBLE = (nodes.system_message, nodes.comment, nodes.target, nodes.substitution_definition)

_CONTAINERS = (
    nodes.admonition,
    nodes.Admonition,
    nodes.block_quote,
    nodes.container,
    nodes.compound,
    nodes.topic,
    nodes.sidebar,
)


# Blocks that, written between two numbered items, belong to the item above them.
_STEP_CONTENT = (nodes.literal_block, nodes.table, nodes.container)


def _is_container(node: nodes.Node) -> bool:
    """Blocks whose content may hold procedures of the same section."""
    if isinstance(node, snooty.directive):
        return not any(isinstance(child, nodes.literal_block) for child in node.children)
    return isinstance(node, _CONTAINERS)


def _section_labels(document: nodes.document) -> dict[int, tuple[str, ...]]:
    """The ``.. _label:`` targets written right before each section.

    docutils leaves such a target at the end of the previous section; it labels
    the next section in document order.
    """
    labels: dict[int, tuple[str, ...]] = {}
    pending: list[str] = []
    for node in document.findall(nodes.Element):
        if isinstance(node, nodes.target) and not node.get("refuri"):
            pending.extend(node["names"])
        elif isinstance(node, nodes.section):
            labels[id(node)] = tuple(pending)
            pending = []
        elif not isinstance(node, nodes.document):
            pending = []
    return labels


def page_labels(document: nodes.document) -> tuple[str, ...]:
    """Every ``.. _label:`` on the page, in document order."""
    return tuple(
        name
        for node in document.findall(nodes.target)
        if not node.get("refuri")
        for name in node["names"]
    )


def label_titles(document: nodes.document) -> dict[str, str]:
    """label -> title of the section it labels (what a bare ``:ref:`label``` shows)."""
    by_section = _section_labels(document)
    titles: dict[str, str] = {}
    for section in document.findall(nodes.section):
        title = render(section.next_node(nodes.title)).text
        for label in by_section.get(id(section), ()):
            titles[label] = title
    return titles
