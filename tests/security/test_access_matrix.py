"""The access matrix: every page, API operation, export and download of the URL
configuration, called as each persona on objects inside and outside their jurisdiction and
across classifications, against the rule of DESIGN.md ("a user sees their region and
everything below it, and nothing else... every page, API call, export, attachment
download").

A leak is a 2xx where the rule says no access, a write that changed something it may not,
or a marker of a record the caller may not read anywhere in a response body (HTML, JSON,
CSV, XLSX, PDF, DOCX). The inside case must work too, so the matrix cannot pass on refusals
alone. A URL name without a rule in ``rules.py`` fails: a new endpoint needs one.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.apps import apps
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from tests.security.rules import ADMIN_NAMESPACE, CREATE_RULES, RULES, Rule
from tests.security.world import PERSONA_NAMES, Obj, World, persona_info, visible

pytestmark = pytest.mark.security


def walk(resolver=None, namespace=None):
    """Every (name, pattern) of the URL configuration, namespaced, without format suffixes."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry, inner)
        elif isinstance(entry, URLPattern):
            name = entry.name
            if name and namespace and namespace != ADMIN_NAMESPACE:
                name = f"{namespace}:{name}"
            yield namespace, name, str(entry.pattern)


def endpoint_names() -> list[str]:
    """Every URL name outside the admin (checked on its own below); an unnamed pattern
    counts as an endpoint without a rule."""
    names = []
    for namespace, name, pattern in walk():
        if namespace == ADMIN_NAMESPACE:
            continue
        name = name or f"<unnamed {pattern}>"
        if name not in names:
            names.append(name)
    return names


def admin_names() -> list[str]:
    seen = []
    for namespace, name, pattern in walk():
        if namespace == ADMIN_NAMESPACE and name and "<" not in pattern \
                and "(?P" not in pattern and name not in seen:
            seen.append(f"{ADMIN_NAMESPACE}:{name}")
    return seen


NAMES = endpoint_names()


def test_every_endpoint_has_an_access_rule():
    missing = [n for n in NAMES if n not in RULES]
    assert not missing, "\n".join(f"new endpoint without an access rule: {n}" for n in missing)
    stale = [n for n in RULES if n not in NAMES]
    assert not stale, f"rules for endpoints that no longer exist: {stale}"


@pytest.fixture
def client_for(db, world, settings):
    """A client signed in as a persona (authorization is what the matrix tests, so a
    session is made directly, as ``force_login`` does)."""
    settings.AXES_ENABLED = False
    settings.OTP_REQUIRED_ROLES = []  # two-factor login is tested on its own

    def make(persona: str) -> APIClient:
        client = APIClient()
        if persona != "anonymous":
            client.force_login(world.users[persona])
        return client

    return make


# --- Reading bodies ------------------------------------------------------------------------

def body_text(response) -> str:
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)
    else:
        raw = response.content
    kind = response.get("Content-Type", "")
    if raw.startswith(b"%PDF"):
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(raw))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    if raw.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            parts = [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                     if n.endswith(".xml")]
        # Markers are plain words: tags and shared-string indexes do not split them.
        return re.sub(r"<[^>]+>", "", "\n".join(parts))
    if "image/" in kind:
        return ""
    return raw.decode("utf-8", "replace")


MODELS_COUNTED = [
    "laporan.Incident", "laporan.IncidentTransition", "laporan.Referral", "laporan.Evidence",
    "laporan.ImportBatch", "kewaspadaan.Alert", "forkopimda.Forum", "forkopimda.ForumMember",
    "forkopimda.Meeting", "forkopimda.MeetingAttachment", "forkopimda.Recommendation",
    "forkopimda.RecommendationTransition", "forkopimda.ProgressNote",
    "forkopimda.Distribution",
]
MODEL_OF_KIND = {
    "incident": "laporan.Incident", "referral": "laporan.Referral",
    "evidence": "laporan.Evidence", "alert": "kewaspadaan.Alert",
    "riskscore": "kewaspadaan.RiskScore", "forum": "forkopimda.Forum",
    "member": "forkopimda.ForumMember", "meeting": "forkopimda.Meeting",
    "attachment": "forkopimda.MeetingAttachment",
    "recommendation": "forkopimda.Recommendation", "distribution": "forkopimda.Distribution",
    "importbatch": "laporan.ImportBatch",
}


def fingerprint(obj: Obj | None) -> tuple:
    counts = tuple(apps.get_model(label).objects.count() for label in MODELS_COUNTED)
    row = None
    if obj is not None and obj.kind in MODEL_OF_KIND:
        row = apps.get_model(MODEL_OF_KIND[obj.kind]).objects.filter(pk=obj.pk).values().first()
    return counts, row


# --- The matrix ------------------------------------------------------------------------------

LOGIN_PREFIXES = ("/accounts/login/",)


def _url(name: str, rule: Rule, obj: Obj | None) -> str:
    kwargs = rule.kwargs(obj) if obj is not None else {}
    url = reverse(name, kwargs=kwargs or None)
    if rule.query and obj is not None:
        url += "?" + rule.query.format(code=obj.region)
    return url


def _request(client, method: str, url: str, rule: Rule, data: dict | None):
    if method == "GET":
        return client.get(url)
    if rule.api and rule.json and method in ("PATCH", "POST"):
        return client.generic(method, url, data=_json(data), content_type="application/json")
    if method in ("PATCH", "DELETE"):
        return client.generic(method, url, data=_json(data), content_type="application/json")
    return client.post(url, data or {}, format="multipart")


def _json(data) -> str:
    import json

    return json.dumps(data or {})


def forbidden_markers(world: World, persona: str) -> list[str]:
    return sorted({o.marker for o in world.all() if o.marker and not visible(persona, o)})


def visible_markers(world: World, persona: str, kinds) -> list[str]:
    return [o.marker for kind in kinds for o in world.of(kind)
            if o.marker and visible(persona, o)]


def to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN_PREFIXES)


def refused(response, rule: Rule, anonymous: bool) -> bool:
    if anonymous and not rule.api:
        return to_login(response)
    return response.status_code in (401, 403, 404, 405)


def check(world: World, client, persona: str, name: str, rule: Rule) -> list[str]:
    """Every method and object of one endpoint as one persona; the problems found."""
    problems = []
    _, role, _jurisdiction = persona_info(persona)
    anonymous = role is None
    hidden = forbidden_markers(world, persona)
    for method in rule.methods:
        for obj in rule.objects(world):
            role_ok = rule.may(method, persona, obj)
            url = _url(name, rule, obj)
            where = f"{method} {url} [{obj.marker or obj.region if obj else '-'}]"
            sees = rule.sees(persona, obj)
            allowed = (role_ok and sees) or rule.public
            data = rule.data(world, obj) if rule.data else None
            before = fingerprint(obj) if method != "GET" else None
            response = _request(client, method, url, rule, data)
            status = response.status_code
            text = body_text(response) if 200 <= status < 300 else ""
            if text and not rule.public:
                leaked = [m for m in hidden if m in text]
                if leaked:
                    problems.append(f"LEAK {where}: the body shows {leaked}")
            if method == "GET":
                if allowed and (status not in (200, 302) or to_login(response)):
                    problems.append(f"{where}: expected access, got {status}")
                if not allowed and 200 <= status < 300:
                    problems.append(f"LEAK {where}: {status} where the rule says no access")
                if not allowed and anonymous and not refused(response, rule, anonymous):
                    problems.append(f"{where}: anonymous caller not refused ({status})")
                if allowed and rule.shows and status == 200:
                    wanted = visible_markers(world, persona, rule.shows)
                    if wanted and not any(m in text for m in wanted):
                        problems.append(f"{where}: none of {wanted} shown (vacuous list)")
            else:
                if not allowed:
                    # A create naming a record out of reach in its body is a 400 ("does not
                    # exist"), as a missing record is; nothing may be written either way.
                    body_refusal = not rule.kwargs(obj) and (
                        status == 400 or (not rule.api and status == 200))
                    if not sees and not body_refusal and not refused(response, rule, anonymous):
                        problems.append(f"LEAK {where}: {status} on a record out of reach "
                                        "(expected 403/404)")
                    if rule.api and 200 <= status < 300:
                        problems.append(f"LEAK {where}: {status} for a forbidden write")
                    if fingerprint(obj) != before:
                        problems.append(f"LEAK {where}: a forbidden write changed data")
                elif status in (401, 403, 404, 405):
                    # Allowed means done: a refusal here is the rule broken the other way.
                    problems.append(f"{where}: the caller may act here but got {status}")
                elif rule.creates and status != 201:
                    problems.append(f"{where}: the caller may create here but got {status} "
                                    f"{body_text(response)[:300]}")
    return problems


PARAMS = [pytest.param(name, persona, id=f"{name}--{persona}")
          for name in NAMES for persona in PERSONA_NAMES]


@pytest.mark.parametrize(("name", "persona"), PARAMS)
def test_access_matrix(world, client_for, name, persona):
    rule = RULES.get(name)
    assert rule is not None, f"new endpoint without an access rule: {name}"
    client = client_for(persona)
    problems = check(world, client, persona, name, rule)
    if name in CREATE_RULES:
        problems += check(world, client, persona, name, CREATE_RULES[name])
    assert not problems, f"{name} as {persona}:\n" + "\n".join(problems)


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_admin_is_for_administrators_only(world, client_for, persona):
    """Django's admin: its pages answer only staff; everyone else goes to its login."""
    client = client_for(persona)
    _, role, _ = persona_info(persona)
    problems = []
    for name in admin_names():
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # a page of one record (history, change): its list is checked
        response = client.get(url)
        if role == "admin":
            # Some admin pages refuse even the admin (no "add" of computed records): fine.
            if response.status_code >= 500 or (name == "admin:index"
                                               and response.status_code != 200):
                problems.append(f"{url}: admin got {response.status_code}")
        elif 200 <= response.status_code < 300 and name != "admin:login":
            problems.append(f"LEAK {url}: {response.status_code} for {persona}")
    assert problems == [] and admin_names(), problems
