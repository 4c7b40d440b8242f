"""Recordings of Admin API exchanges: one vcrpy cassette per scenario.

What is special here, and why:

- Cassettes are named by the scenario id (page path + procedure slug), so a
  recording survives renaming the test and is easy to find from the page.
- Secrets never reach disk: Authorization headers are dropped, the login
  body is replaced, and access/refresh tokens in answers are replaced, with
  Content-Length kept right; a last pass removes any secret value still seen.
- Ids are made stable: the target's group and app become the emulator's
  default ids and every other ObjectId a counter in order of appearance, so
  recordings from a real app and from the local server look alike and
  replay anywhere. Matching ignores scheme, host and port for the same reason.
- Files are written atomically, and a malformed file is a clear
  :class:`CassetteError` naming the file and line, never "treated as empty".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import vcr
import yaml
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.persisters.filesystem import CassetteNotFoundError
from vcr.record_mode import RecordMode
from vcr.request import Request

from harness.emulator import DEFAULT_APP_ID, DEFAULT_GROUP_ID
from harness.fileio import write_atomic

REDACTED = "REDACTED"
CANONICAL_ORIGIN = "https://services.cloud.mongodb.com"
_AUTH_PATHS = ("/auth/providers/mongodb-cloud/login", "/auth/session")
TOKEN_FIELDS = ("access_token", "refresh_token")
# Fields whose value is a credential wherever they appear in a body, at any depth.
SECRET_FIELDS = (*TOKEN_FIELDS, "apiKey", "api_key", "private_api_key", "password")
_KEPT_RESPONSE_HEADERS = {"content-type", "retry-after", "location"}
_OBJECT_ID = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{24}(?![0-9a-fA-F])")


class CassetteError(Exception):
    """A recording that cannot be used; the message names the file (and line)."""


def cassette_path(cassette_dir: Path, scenario_id: str) -> Path:
    """``cassettes/<page>/<procedure slug>.yaml`` for a scenario id. Parts that could
    leave the folder (``..``, a root, NUL) are dropped: a hand-edited ``@id`` tag never
    names a file outside it."""
    parts = [
        p for p in re.split(r"[\\/]+", scenario_id) if p not in {"", ".", ".."} and "\0" not in p
    ]
    return cassette_dir / f"{'/'.join(parts) or 'scenario'}.yaml"


def is_auth_path(path: str) -> bool:
    """Login and session refresh: their bodies carry credentials and are never compared."""
    return path.endswith(_AUTH_PATHS)


def _body_json(body: bytes | str | None) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body


@dataclass
class RecordedOrder:
    """A vcrpy matcher that accepts only the recording's next unplayed request.

    vcrpy alone plays any unplayed interaction that matches, in any order, so a
    run that skipped or swapped steps could still be answered from the
    recording. With this matcher, replay is as strict as the product: the run
    must send the recorded requests in the recorded order.
    """

    cassette: Any = None  # vcr.cassette.Cassette, set once the cassette is open

    def match(self, r1: Request, r2: Request) -> None:
        if self.cassette is None:
            return
        played = self.cassette.play_count
        data = self.cassette.data
        if played >= len(data) or data[played][0] is not r2:
            raise AssertionError("not the recording's next request")


def _describe(request: Request) -> str:
    body = _body_json(request.body)
    shown = "" if body is None or is_auth_path(request.path) else f" {json.dumps(body)[:200]}"
    return f"{request.method} {request.path}{shown}"


def divergence(error: CannotOverwriteExistingCassetteException) -> str:
    """Why replay refused a request: what the run sent, and what the recording has next."""
    cassette = error.cassette
    sent = _describe(error.failed_request)
    played, total = cassette.play_count, len(cassette.data)
    if played >= total:
        expected = f"the recording has no more requests (all {total} were played)"
    else:
        expected = f"the recording's next request (#{played + 1} of {total}) is " + _describe(
            cassette.data[played][0]
        )
    return f"replay: this step sent {sent}, but {expected}"


def match_body(r1: Request, r2: Request) -> None:
    """Bodies match as JSON values; login and refresh bodies (scrubbed) are not compared."""
    if is_auth_path(r1.path):
        return
    left, right = _masked(_body_json(r1.body)), _masked(_body_json(r2.body))
    if left != right:
        raise AssertionError(f"body {left!r} != recorded {right!r}")


def _masked(payload: Any) -> Any:
    """``payload`` with every credential field's value masked: the recording keeps none of
    them (a password a page's command sends), so replay cannot compare them either."""
    if isinstance(payload, dict):
        return {
            key: REDACTED if key in SECRET_FIELDS and isinstance(value, str) else _masked(value)
            for key, value in payload.items()
        }
    if isinstance(payload, list):
        return [_masked(item) for item in payload]
    return payload


@dataclass
class Scrubber:
    """Collects the secrets seen while recording and keeps them out of the cassette."""

    secrets: set[str] = field(default_factory=set)

    def remember(self, value: object) -> None:
        """Keep a secret for the final sweep (not our own placeholders: filters run twice)."""
        if isinstance(value, str) and value and not value.startswith(REDACTED):
            self.secrets.add(value)

    def request(self, request: Request) -> Request:
        request.headers.pop("Authorization", None)
        request.headers.pop("authorization", None)
        if is_auth_path(request.path) and request.body:
            body = _body_json(request.body)
            if isinstance(body, dict):
                self.remember(body.get("apiKey"))
                scrubbed = {k: REDACTED for k in body}
                request.body = json.dumps(scrubbed).encode()
        return request

    def redact(self, payload: Any) -> bool:
        """Replace every credential field at any depth (remembering its value); True if any."""
        found = False
        if isinstance(payload, dict):
            for key, value in payload.items():
                if key in SECRET_FIELDS and isinstance(value, str) and value:
                    if not value.startswith(REDACTED):
                        self.remember(value)
                        payload[key] = f"{REDACTED}-{key.upper().replace('_', '-')}"
                    found = True
                else:
                    found = self.redact(value) or found
        elif isinstance(payload, list):
            for item in payload:
                found = self.redact(item) or found
        return found

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        body = response.get("body", {}).get("string", b"")
        payload = _body_json(body)
        if isinstance(payload, dict | list) and self.redact(payload):
            body = json.dumps(payload).encode()
            response["body"]["string"] = body
        headers = {
            name: values
            for name, values in response.get("headers", {}).items()
            if name.lower() in _KEPT_RESPONSE_HEADERS
        }
        if body:
            headers["Content-Length"] = [str(len(body))]
        response["headers"] = headers
        return response


def _canonical_uri(uri: str) -> str:
    parts = urlsplit(uri)
    origin = urlsplit(CANONICAL_ORIGIN)
    return urlunsplit((origin.scheme, origin.netloc, parts.path, parts.query, ""))


def _texts(cassette: Mapping[str, Any]) -> Iterator[str]:
    for request in cassette.get("requests", []):
        yield str(request.get("uri", ""))
        body = request.get("body")
        if body:
            yield body.decode() if isinstance(body, bytes) else str(body)
    for response in cassette.get("responses", []):
        body = response.get("body", {}).get("string", b"")
        if body:
            yield body.decode() if isinstance(body, bytes) else str(body)


def stable_ids(cassette: Mapping[str, Any], group_id: str, app_id: str) -> dict[str, str]:
    """A renaming of every ObjectId in the cassette: the target's group and app become the
    default ids, every other id the next free counter value in order of appearance."""
    found = [m.lower() for text in _texts(cassette) for m in _OBJECT_ID.findall(text)]
    mapping = {group_id.lower(): DEFAULT_GROUP_ID, app_id.lower(): DEFAULT_APP_ID}
    unavailable = set(found) | set(mapping.values())
    counter = 0
    for original in found:
        if original in mapping:
            continue
        counter += 1
        while f"{counter:024x}" in unavailable:
            counter += 1
        mapping[original] = f"{counter:024x}"
    return mapping


def _rename(text: str, mapping: Mapping[str, str]) -> str:
    return _OBJECT_ID.sub(lambda m: mapping.get(m.group(0).lower(), m.group(0)), text)


def _rename_body(body: Any, mapping: Mapping[str, str], secrets: Iterable[str]) -> Any:
    if not body:
        return body
    text = body.decode() if isinstance(body, bytes) else str(body)
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _rename(text, mapping)
    return text.encode() if isinstance(body, bytes) else text


class Persister:
    """vcrpy persister: clear errors on load; scrub, stabilise and write atomically on save."""

    scrubber: Scrubber = Scrubber()
    group_id: str = DEFAULT_GROUP_ID
    app_id: str = DEFAULT_APP_ID

    @classmethod
    def configured(cls, scrubber: Scrubber, group_id: str, app_id: str) -> type[Persister]:
        return type(
            "ConfiguredPersister",
            (cls,),
            {
                "scrubber": scrubber,
                "group_id": group_id,
                "app_id": app_id,
            },
        )

    @classmethod
    def load_cassette(cls, cassette_path: str | Path, serializer: Any) -> tuple[list[Any], ...]:
        path = Path(cassette_path)
        if not path.is_file():
            raise CassetteNotFoundError()
        return load_interactions(path)

    @classmethod
    def save_cassette(
        cls, cassette_path: str | Path, cassette_dict: dict[str, Any], serializer: Any
    ) -> None:
        raw = {
            "requests": [request._to_dict() for request in cassette_dict["requests"]],
            "responses": cassette_dict["responses"],
        }
        mapping = stable_ids(raw, cls.group_id, cls.app_id)
        secrets = cls.scrubber.secrets
        requests = []
        for data in raw["requests"]:
            data["uri"] = _rename(_canonical_uri(data["uri"]), mapping)
            data["body"] = _rename_body(data["body"], mapping, secrets)
            data["headers"] = {}
            requests.append(data)
        responses = []
        for response in cassette_dict["responses"]:
            response = dict(response)
            body = dict(response.get("body", {}))
            body["string"] = _rename_body(body.get("string"), mapping, secrets)
            response["body"] = body
            responses.append(response)
        interactions = [
            {"request": _text_body(req), "response": _text_response(resp)}
            for req, resp in zip(requests, responses, strict=True)
        ]
        text = yaml.safe_dump(
            {"interactions": interactions, "version": 1}, sort_keys=True, allow_unicode=True
        )
        for secret in secrets:
            if secret and secret in text:
                where = text.index(secret)
                line = text.count("\n", 0, where) + 1
                raise CassetteError(
                    f"{cassette_path}:{line}: a secret survived scrubbing; not written"
                )
        write_atomic(Path(cassette_path), text)


def _text_body(request: dict[str, Any]) -> dict[str, Any]:
    body = request.get("body")
    if isinstance(body, bytes):
        request = {**request, "body": body.decode("utf-8", errors="replace")}
    return request


def _text_response(response: dict[str, Any]) -> dict[str, Any]:
    body = response.get("body", {}).get("string")
    if isinstance(body, bytes):
        response = {**response, "body": {"string": body.decode("utf-8", errors="replace")}}
    return response


EMPTY_CASSETTE = yaml.safe_dump({"interactions": [], "version": 1}, sort_keys=True)


def recording_path(path: Path) -> Path:
    """Where a scenario is recorded before its cassette is replaced (not a ``.yaml``: the
    audit and replay never see a recording that is not finished)."""
    return path.with_name(path.name + ".recording")


def keep_recording(recording: Path, path: Path, *, keep: bool) -> None:
    """Put a finished recording in place of the cassette, or drop it.

    A failed scenario's recording is dropped unless ``keep`` (the good cassette
    stays). A scenario that sent no request still gets its cassette, an empty
    one, so that replay finds it.
    """
    if not keep:
        recording.unlink(missing_ok=True)
        return
    if recording.is_file():
        recording.replace(path)
    else:
        write_atomic(path, EMPTY_CASSETTE)


def load_interactions(path: Path) -> tuple[list[Any], list[Any]]:
    """(requests, responses) from a cassette file, or a :class:`CassetteError` saying why not."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CassetteError(f"{path}:1: cannot read cassette: {error}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error)
        raise CassetteError(f"{path}:{line}: malformed cassette YAML: {problem}") from None
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError(f"{path}:1: not a cassette: expected a mapping with `interactions`")
    requests, responses = [], []
    for number, interaction in enumerate(data["interactions"], start=1):
        try:
            request = interaction["request"]
            body = request.get("body")
            requests.append(
                Request(
                    request["method"],
                    request["uri"],
                    body.encode() if isinstance(body, str) else body,
                    request.get("headers") or {},
                )
            )
            response = dict(interaction["response"])
            response_body = response["body"].get("string", "")
            encoded = response_body.encode() if isinstance(response_body, str) else response_body
            response["body"] = {"string": encoded}
            response["status"] = {
                "code": int(response["status"]["code"]),
                "message": str(response["status"].get("message", "")),
            }
            response.setdefault("headers", {})
            responses.append(response)
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            raise CassetteError(
                f"{path}: interaction {number} is malformed (missing or bad {error})"
            ) from None
    return requests, responses


@contextmanager
def use_cassette(
    path: Path, *, record: bool, scrubber: Scrubber, group_id: str, app_id: str
) -> Iterator[None]:
    """Replay ``path`` with the network blocked, or record it afresh."""
    if not record and not path.is_file():
        raise CassetteError(
            f"{path}: no recording for this scenario; record one with `docharness run --record`"
        )
    recorder = vcr.VCR(
        record_mode=RecordMode.ALL if record else RecordMode.NONE,
        match_on=("method", "path", "query", "docharness_body", "docharness_order"),
        before_record_request=scrubber.request,
        before_record_response=scrubber.response,
        decode_compressed_response=True,
        drop_unused_requests=record,  # re-recording replaces the file, never merges into it
    )
    order = RecordedOrder()
    recorder.register_matcher("docharness_body", match_body)
    recorder.register_matcher("docharness_order", order.match)
    recorder.register_persister(Persister.configured(scrubber, group_id, app_id))
    with recorder.use_cassette(str(path)) as cassette:
        order.cassette = cassette
        yield
