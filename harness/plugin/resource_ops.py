"""The generic operations of the resource model: one per kind, for any resource with fields.

A form step bound by harness/catalog/generic.py puts the value the page gives into
the scenario's form as ``"<resource>.<field>"`` (ui-only until read back). A save,
create or update step sends the pending fields of its resource into the user's
draft, as the UI does, and reads the item back from the draft. A deploy step
reviews the draft (this scenario's change must be in its diff) and deploys it.
After this scenario's deployment the item is read from the deployed configuration
(``GET .../pull``, which never shows a draft): each value the page had the reader
enter is compared there, which verifies its form step, or fails it naming both
values. A step with nothing from the page to send is ui-only (NothingToVerify).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from harness.adminapi.resources import resource
from harness.catalog.generic import ResourceFields, default_fields
from harness.plugin.operations import (
    CheckFailed,
    FormCheck,
    NothingToVerify,
    ScenarioState,
    deploy_draft,
    merge_change,
    review_draft,
)


def _fields_of(args: Mapping[str, str]) -> ResourceFields:
    resource = args.get("resource", "")
    found = default_fields().get(resource)
    if found is None:
        raise CheckFailed(f"resource {resource!r} has no fields in harness/catalog/fields.toml")
    return found


def _as_text(value: object) -> str:
    """A read-back value as the page writes it: text as is, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def pending(state: ScenarioState, resource: str) -> dict[str, str]:
    """The fields of ``resource`` this scenario's form steps set, by API field name."""
    prefix = f"{resource}."
    return {
        name[len(prefix) :]: value for name, value in state.form.items() if name.startswith(prefix)
    }


def _get(record: Mapping[str, Any] | None, dotted: str) -> Any:
    """A field of a record; a dotted name reads a nested one ("config.useJWKURI")."""
    value: Any = record
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _nested(flat: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted field names as the nested object the API takes."""
    body: dict[str, Any] = {}
    for dotted, value in flat.items():
        *parents, last = dotted.split(".")
        place = body
        for part in parents:
            place = place.setdefault(part, {})
        place[last] = value
    return body


def _singleton(fields: ResourceFields) -> bool:
    return resource(fields.api).kind == "singleton"


def save(state: ScenarioState, args: Mapping[str, str]) -> str:
    """Stage the pending fields in the user's draft (create, or update the item of that name)."""
    fields = _fields_of(args)
    shown_form, line = state.open_form
    # A sentence that names what it saves ("enable it and then deploy") saves that.
    if shown_form and shown_form != fields.id and not args.get("named"):
        raise NothingToVerify(
            f"the form on screen is the {shown_form} form that line {line} opened, so this "
            f"step saves that, not {fields.id}; docharness sends nothing for {shown_form} here"
        )
    change = pending(state, fields.id)
    if not change:
        known = "its fields" if fields.mapped else "no fields of it"
        raise NothingToVerify(
            f"no earlier step entered a value for {fields.id} that docharness can send and "
            f"read back ({fields.source} lists {known})"
        )
    singleton = _singleton(fields)
    key = "" if singleton else change.get(fields.key)
    if key is None:
        raise NothingToVerify(
            f"the page sets {', '.join(sorted(change))} of {fields.id} but not its "
            f"{fields.key}, so the item cannot be found again to read back"
        )
    typed = {name: fields.decode(name, text) for name, text in change.items()}
    draft = state.stage() if fields.drafted else ""
    client = state.client
    stand_ins: dict[str, Any] = {}
    if singleton:
        current = dict(client.get_setting(fields.api) or {})
        stand_ins = {k: v for k, v in fields.defaults if _get(current, k) is None}
        if fields.linked and not _get(current, fields.linked):
            stand_ins[fields.linked] = state.linked_cluster()
        stand_ins = {k: v for k, v in stand_ins.items() if k not in typed}
        staged = {k: v for k, v in typed.items() if _get(current, k) != v}
        client.set_setting(fields.api, merge_change(current, _nested({**stand_ins, **typed})))
        read: Mapping[str, Any] = client.get_setting(fields.api) or {}
        verb, what = "set", fields.id
    else:
        existing = next(
            (r for r in client.list_resources(fields.api) if r.raw.get(fields.key) == key), None
        )
        if existing is None:
            stand_ins = {k: v for k, v in fields.defaults if k not in typed}
            item = client.create_resource(fields.api, _nested({**stand_ins, **typed}))
            staged = dict(typed)
            state.made[fields.id] = str(key)
        else:
            body = {k: v for k, v in existing.raw.items() if k != "_id"}
            client.update_resource(fields.api, existing.id, merge_change(body, _nested(typed)))
            item = existing
            staged = {k: v for k, v in typed.items() if _get(existing.raw, k) != v}
        read = client.get_resource(fields.api, item.id).raw
        verb, what = ("created" if existing is None else "updated"), f"{fields.id} {key!r}"
    where = f"draft {draft}" if draft else "the API (it changes at once, outside drafts)"
    wrong = [
        f"{name} is {_as_text(_get(read, name))!r}, not {value!r}"
        for name, value in change.items()
        if _as_text(_get(read, name)) != value
    ]
    if wrong:
        raise CheckFailed(f"after saving, {what} reads back from {where} with " + "; ".join(wrong))
    shown = ", ".join(f"{name} = {value!r}" for name, value in sorted(change.items()))
    if stand_ins:
        entered = ", ".join(f"{k} = {_as_text(v)!r}" for k, v in sorted(stand_ins.items()))
        shown += f" (stand-ins the API needs, no evidence of the page: {entered})"
    if not fields.drafted:  # nothing to deploy: the read above is the evidence
        evidence = f"{fields.id} read back after this step saved it (GET .../{fields.api})"
        state.form_checks += [
            FormCheck(f"{fields.id}.{n}", v, _as_text(_get(read, n)), evidence)
            for n, v in change.items()
        ]
        return f"{what} {verb}, read back from {where}: {shown}"
    if staged:
        nested = _nested(staged)
        state.staged = merge_change(state.staged, {fields.id: nested})
        state.undeployed = merge_change(state.undeployed, {fields.id: nested})
    state.after_deploy.append(_read_back(fields, dict(change)))
    return f"{what} {verb} in {where}, read back from the draft: {shown}"


def _read_back(
    fields: ResourceFields, change: Mapping[str, str]
) -> Callable[[ScenarioState], None]:
    """After this scenario's deployment: each field the page set, compared with the deployed one."""

    def read(state: ScenarioState) -> None:
        deployment = state.deployment.id if state.deployment else "?"
        item = _deployed_item(state, fields, change.get(fields.key, ""))
        evidence = f"deployed {fields.deployed} (GET .../pull) read after deployment {deployment}"
        for name, expected in change.items():
            found = "(no such item)" if item is None else _as_text(_get(item, name))
            state.form_checks.append(FormCheck(f"{fields.id}.{name}", expected, found, evidence))

    return read


def _deployed_item(
    state: ScenarioState, fields: ResourceFields, key: str
) -> Mapping[str, Any] | None:
    """The deployed record of this resource named ``key`` (GET .../pull), or None; for a
    singleton, its deployed settings."""
    section = state.client.pull_config().get(fields.deployed)
    if _singleton(fields):
        return section if isinstance(section, Mapping) else None
    return next(
        (
            record
            for record in (section if isinstance(section, list) else [])
            if isinstance(record, Mapping) and record.get(fields.key) == key
        ),
        None,
    )


def deploy(state: ScenarioState, args: Mapping[str, str]) -> str:
    """Review & Deploy: the draft must show this scenario's change, then it is deployed."""
    if not state.undeployed:
        raise NothingToVerify("no earlier step of this scenario staged a change to deploy")
    reviewed = review_draft(state, args)
    deployed = deploy_draft(state, args)
    return f"{reviewed}; {deployed}"


def save_deploy(state: ScenarioState, args: Mapping[str, str]) -> str:
    """A deploy step whose sentence saves first ("enable it and then deploy"): save the
    pending change of the resource it names, then review and deploy it; each value the
    page gave is then read back from the deployed configuration."""
    saved = save(state, {**args, "named": "1"})
    if not state.undeployed:
        raise NothingToVerify(
            f"{saved}: the draft already held these values, so this step changes nothing "
            "and there is no deployment of this scenario to read them back from"
        )
    return f"{saved}; {deploy(state, args)}"


def observe(state: ScenarioState, args: Mapping[str, str]) -> str:
    """An observation naming values: each must be one this scenario entered and deployed,
    and the deployed configuration must show it; any other value is nothing to compare."""
    fields = _fields_of(args)
    literals = json.loads(args.get("literals", "[]"))
    change = pending(state, fields.id)
    deployed = state.deployment is not None and fields.id not in state.undeployed
    ours = {name: value for name, value in change.items() if value in literals}
    if not deployed or not ours or not (_singleton(fields) or fields.key in change):
        raise NothingToVerify(
            f"the page names {', '.join(map(repr, literals))}, which no step of this scenario "
            f"entered for {fields.id} and deployed: nothing to compare it with"
        )
    deployment = state.deployment.id if state.deployment else "?"
    key = change.get(fields.key, fields.id)
    item = _deployed_item(state, fields, key) or {}
    wrong = [
        f"{name} is {_as_text(_get(item, name))!r}, not {value!r}"
        for name, value in ours.items()
        if _as_text(_get(item, name)) != value
    ]
    if wrong:
        raise CheckFailed(
            f"the deployed {fields.deployed} (GET .../pull) after deployment {deployment} "
            f"show {fields.id} {key!r} with " + "; ".join(wrong)
        )
    shown = ", ".join(f"{name} = {value!r}" for name, value in sorted(ours.items()))
    return (
        f"deployed {fields.deployed} (GET .../pull) after deployment {deployment} "
        f"show {fields.id} {key!r}: {shown}"
    )


def _listed(state: ScenarioState, fields: ResourceFields, key: str) -> str:
    """The id of the item named ``key`` as the caller sees it (draft view), or ""."""
    found = next(
        (r for r in state.client.list_resources(fields.api) if r.raw.get(fields.key) == key), None
    )
    return found.id if found is not None else ""


def delete(state: ScenarioState, args: Mapping[str, str]) -> str:
    """Delete the item of the resource that this run made, and read back that it is gone.

    Only an item this run made is ever deleted: one a save of this scenario created,
    else the one its precondition made. A drafted resource's deletion is reviewed in
    the draft's diff and, after this scenario's deployment, must be gone from the
    deployed configuration too.
    """
    fields = _fields_of(args)
    key = state.made.get(fields.id)
    if key is None:
        raise NothingToVerify(
            f"no {fields.id} item made by this run to delete: docharness deletes only what "
            "it made, and no earlier step or precondition made one"
        )
    where = "the draft" if fields.drafted else "the API"
    if state.gone.get(fields.id) == key:
        # Reading the same absence again could not come out differently: the delete
        # step's read-back is the evidence, and the confirmation adds none.
        raise NothingToVerify(
            f"confirms the delete of {fields.id} {key!r} an earlier step made and read back "
            f"as gone from {where}: that read is the evidence, a second one would add none"
        )
    draft = state.stage() if fields.drafted else ""
    item_id = _listed(state, fields, key)
    if not item_id:
        raise CheckFailed(f"{fields.id} {key!r}, which this run made, is not there to delete")
    state.client.delete_resource(fields.api, item_id)
    if _listed(state, fields, key):
        raise CheckFailed(f"after deleting, {fields.id} {key!r} is still listed in {where}")
    state.gone[fields.id] = key  # a confirm step after this one reads again
    if not fields.drafted:
        return f"{fields.id} {key!r} deleted; no longer listed (GET .../{fields.api})"
    state.deleted = {**state.deleted, fields.id: (fields.key, key)}
    state.undeployed = merge_change(state.undeployed, {fields.id: {"deleted": key}})
    state.after_deploy.append(_gone_after_deploy(fields, key))
    return f"{fields.id} {key!r} deleted in draft {draft}; no longer listed in the draft"


def _gone_after_deploy(fields: ResourceFields, key: str) -> Callable[[ScenarioState], None]:
    def read(state: ScenarioState) -> None:
        if _deployed_item(state, fields, key) is not None:
            deployment = state.deployment.id if state.deployment else "?"
            raise CheckFailed(
                f"deployment {deployment} still deploys {fields.id} {key!r}, which this "
                "scenario deleted (GET .../pull)"
            )

    return read


def made(state: ScenarioState, args: Mapping[str, str]) -> str:
    """A precondition's check: the item of this run, by the name the precondition gives."""
    fields, name = _fields_of(args), args.get("name", "")
    if state.made.get(fields.id) != name or not _listed(state, fields, name):
        raise CheckFailed(f"this run has made no {fields.id} {name!r} yet")
    return f"{fields.id} {name!r}, made by this run, is listed"


def make(state: ScenarioState, args: Mapping[str, str]) -> str:
    """Make an item of this run for a later delete step: created with the resource's
    defaults (stand-ins, no evidence of the page), and deployed when it is drafted."""
    fields, name = _fields_of(args), args.get("name", "")
    body = _nested({**dict(fields.defaults), fields.key: name})
    if not fields.drafted:
        state.client.create_resource(fields.api, body)
        state.made[fields.id] = name
        return f"{fields.id} {name!r} created"
    state.stage()
    state.client.create_resource(fields.api, body)
    state.staged = {fields.id: {fields.key: name}}
    state.undeployed = dict(state.staged)
    review_draft(state, args)
    deployed = deploy_draft(state, args)
    # The page's own steps must stage and deploy their change themselves.
    state.staged, state.deployment, state.form_checks = {}, None, []
    state.made[fields.id] = name
    return f"{fields.id} {name!r} created and deployed ({deployed})"


GENERIC: Mapping[str, Callable[[ScenarioState, Mapping[str, str]], str]] = {
    "save": save,
    "delete": delete,
    "made": made,
    "make": make,
    "deploy": deploy,
    "save_deploy": save_deploy,
    "observe": observe,
}


def run_generic(kind: str, state: ScenarioState, args: Mapping[str, str]) -> str:
    """The generic operation of ``kind`` (what operations.OPERATIONS registers)."""
    return GENERIC[kind](state, args)
