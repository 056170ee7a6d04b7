"""Who may call each endpoint of the portal, for the access matrix.

Every URL name the resolver knows must have a rule here: a new endpoint without one fails
``test_access_matrix`` ("new endpoint without an access rule"). A rule says, per HTTP
method, which roles may call it (``ANY``: every signed-in role), which object of the world
its URL names (``obj``) and how that object's visibility is decided (``scope``), what a
list or export must show, and the body a write sends.

Role sets follow the permission tables (laporan/permissions.py, forkopimda/permissions.py,
kewaspadaan ALERT_HANDLERS); where an object is, and its classification, is the scoping
rule's, which the matrix checks with its own oracle (tests/security/world.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.security.world import (
    Obj,
    World,
    in_jurisdiction,
    is_ancestor,
    persona_info,
    png_upload,
    visible,
)

ANY = None  # every signed-in role
OPERATORS_UP = frozenset({"operator", "analyst", "admin"})  # create, edit, refer, evidence
VERIFIERS = frozenset({"analyst", "admin"})  # verify, merge, import; forums, meetings, drafts
EXPORTERS = frozenset({"analyst", "official", "national", "admin"})
APPROVERS = frozenset({"analyst", "official", "admin"})  # approve, follow up, acknowledge
ALERT_HANDLERS = frozenset({"official", "analyst", "national", "admin"})


def _pk(obj: Obj) -> dict:
    return {"pk": obj.pk}


def _code(obj: Obj) -> dict:
    return {"code": obj.region}


@dataclass(frozen=True)
class Rule:
    """``methods``: method -> roles allowed (``ANY`` = every signed-in role).

    ``obj``: the kind of world object the URL names (None: a URL without one).
    ``scope``: how visibility of that object is decided: ``record`` (the rule for
    records), ``reference`` (regions above the user are visible too: regions, contests),
    ``dashboard`` (a region's dashboard: own jurisdiction and below, the nation only
    for nationwide users), ``create`` (a write that creates a record where ``obj`` is).
    ``shows``: the kinds of records a list or export shows; one the caller may see must
    be in the body (so the matrix cannot pass on an empty page).
    """

    methods: dict[str, frozenset | None]
    obj: str | None = None
    kwargs: Callable[[Obj], dict] = _pk
    scope: str = "record"
    shows: tuple[str, ...] = ()
    data: Callable[[World, Obj | None], dict] | None = None
    query: str = ""
    api: bool = False
    public: bool = False
    admin: bool = False
    targets: Callable[[World], list[Obj]] | None = None
    json: bool = True  # API writes send JSON (False: multipart)
    creates: bool = False  # a write that creates a record: where the caller may, it must
    # Roles that may write here only to the records they reported and that are not yet
    # verified (laporan.services: "Operators may only edit the incidents they reported",
    # "Only an analyst may edit a verified incident"): in the world, their own drafts.
    reporter_only: frozenset = frozenset()
    extra: dict = field(default_factory=dict)

    def objects(self, world: World) -> list[Obj | None]:
        if self.targets is not None:
            return self.targets(world)
        if self.obj is None:
            return [None]
        return world.of(self.obj)

    def sees(self, persona: str, obj: Obj | None) -> bool:
        if obj is None:
            return True
        if self.scope in ("reference",):
            _, role, jurisdiction = persona_info(persona)
            return role is not None and (in_jurisdiction(jurisdiction, obj.region)
                                         or is_ancestor(obj.region, jurisdiction))
        if self.scope in ("dashboard", "create"):
            _, role, jurisdiction = persona_info(persona)
            return role is not None and in_jurisdiction(jurisdiction, obj.region)
        return visible(persona, obj)

    def may(self, method: str, persona: str, obj: Obj | None) -> bool:
        """Whether the persona's role may call ``method`` on ``obj`` (visibility aside)."""
        username, role, _jurisdiction = persona_info(persona)
        roles = self.methods[method]
        if role is None or (roles is not None and role not in roles):
            return False
        if method != "GET" and role in self.reporter_only:
            return obj is not None and obj.draft_of == username
        return True


def page(roles=ANY, **kw) -> Rule:
    return Rule(methods={"GET": roles}, **kw)


def post(roles, obj, data=None, **kw) -> Rule:
    return Rule(methods={"POST": roles}, obj=obj, data=data, **kw)


def api(methods, **kw) -> Rule:
    return Rule(methods=methods, api=True, **kw)




# Writes are tried on these incidents: an ordinary and a secret one at home, an ordinary
# one in Jawa Tengah, and the draft of another Pariaman operator.
def write_incidents(world: World) -> list[Obj]:
    wanted = {"ZQINCPBIASAZ", "ZQINCPRAHASIAZ", "ZQINCJBIASAZ", "ZQINCPDRAFTZ"}
    return [o for o in world.of("incident") if o.marker in wanted]


def write_referrals(world: World) -> list[Obj]:
    wanted = {"ZQREFPBIASAZ", "ZQREFPRAHASIAZ", "ZQREFJBIASAZ"}
    return [o for o in world.of("referral") if o.marker in wanted]




def figure_kwargs(obj: Obj) -> dict:
    return {"code": obj.region, "figure": "latest"}


def _user_pk(world, username):
    return next(u for u in world.users.values() if u.username == username).pk


def _incident_of(world: World, marker: str) -> Obj:
    return next(o for o in world.of("incident") if o.marker == marker)






def _incident_body(world, obj):
    return {"title": "Percobaan di luar wilayah", "narrative": "Uraian.",
            "region": obj.region, "occurred_at": "2024-10-18T19:40:00+07:00",
            "indicator": "uang-tunai", "source_type": "laporan_masyarakat"}


def _evidence_body(world, obj):
    return {"incident": obj.pk, "file": png_upload("bukti-baru.png"), "description": "x"}


def _forum_body(world, obj):
    return {"region": obj.region, "kind": "desk_pilkada", "name": "Desk Pilkada Percobaan"}


def _meeting_body(world, obj):
    return {"forum": obj.pk, "kind": "rakor", "title": "Rakor percobaan", "leader": "Sekda",
            "held_at": "2024-10-30T09:00:00+07:00", "place": "Aula", "topic": "Topik"}


def _rec_body(world, obj):
    return {"meeting": obj.pk, "title": "Rekomendasi percobaan", "text": "Isi.",
            "institutions": ["polri"], "deadline": "2030-01-31"}


VERIFY = {"reliability": "B", "credibility": "2", "reason": "Dikonfirmasi."}
REASON = {"reason": "Alasan percobaan."}


def _merge(world, obj):
    return {"into": _incident_of(world, "ZQINCPTERBATASZ").pk, "reason": "Sama."}


def _assign(world, obj):
    return {"assignee": _user_pk(world, "an.sumbar")}


def _referral_body(world, obj):
    return {"institution": "bkn", "subject": "ASN", "count": "1",
            "referred_on": "2024-10-19", "notes": ""}


def _referral_update(world, obj):
    return {"status": "decided", "outcome": "Diputus.", "decided_on": "2024-10-25"}


def _evidence_upload(world, obj):
    return {"file": png_upload("bukti-lain.png"), "description": "lain"}


def _member_kwargs(obj: Obj) -> dict:
    return {"pk": obj.extra["forum"], "member_id": obj.pk}


def _attachment_kwargs(obj: Obj) -> dict:
    return {"pk": obj.extra["meeting"], "attachment_id": obj.pk}


def _distribution_kwargs(obj: Obj) -> dict:
    return {"pk": obj.extra["recommendation"], "distribution_id": obj.pk}


def _meeting_pk(obj: Obj) -> dict:
    return {"meeting_pk": obj.pk}


RULES: dict[str, Rule] = {
    # --- Public: no data of any region -------------------------------------------------
    "login": page(public=True),
    "logout": Rule(methods={"POST": ANY}, public=True),
    "set_language": Rule(methods={"POST": ANY}, public=True, data=lambda w, o: {
        "language": "id"}),
    "healthz": page(public=True),
    "readyz": page(public=True),
    "schema": page(public=True),
    "swagger-ui": page(public=True),
    # --- The caller's own account (no records of any region) ---------------------------------
    "otp_setup": page(),
    "otp_verify": page(),
    "password_change": page(),
    # --- Core pages ------------------------------------------------------------------------
    "home": page(),
    "kewaspadaan:region_list": page(),
    "kewaspadaan:region_detail": page(obj="region", kwargs=_code, scope="reference",
                                      targets=lambda w: [o for o in w.of("region")
                                                         if o.region != "national"]),
    "kewaspadaan:election_list": page(),
    "kewaspadaan:election_detail": page(obj="election"),
    "kewaspadaan:alert_list": page(shows=("alert",)),
    "kewaspadaan:alert_acknowledge": post(ALERT_HANDLERS, "alert"),
    "kewaspadaan:alert_resolve": post(ALERT_HANDLERS, "alert"),
    # --- Incidents -----------------------------------------------------------------------
    "laporan:incident_list": page(shows=("incident",)),
    "laporan:incident_create": page(OPERATORS_UP),
    "laporan:verification_queue": page(VERIFIERS),
    "laporan:incident_detail": page(obj="incident"),
    "laporan:incident_update": Rule(methods={"GET": OPERATORS_UP, "POST": OPERATORS_UP},
                                    obj="incident", data=lambda w, o: {
                                        "title": "Diubah", "narrative": "Diubah.",
                                        "reason": "Koreksi."},
                                    reporter_only=frozenset({"operator"})),
    "laporan:evidence_create": post(OPERATORS_UP, "incident", _evidence_upload,
                                    targets=write_incidents),
    "laporan:referral_create": post(OPERATORS_UP, "incident", _referral_body,
                                    targets=write_incidents),
    "laporan:incident_submit": post(OPERATORS_UP, "incident", targets=write_incidents,
                                    reporter_only=frozenset({"operator"})),
    "laporan:incident_verify": post(VERIFIERS, "incident", lambda w, o: VERIFY,
                                    targets=write_incidents),
    "laporan:incident_reject": post(VERIFIERS, "incident", lambda w, o: REASON,
                                    targets=write_incidents),
    "laporan:incident_merge": post(VERIFIERS, "incident", _merge, targets=write_incidents),
    "laporan:incident_follow_up": post(VERIFIERS, "incident", lambda w, o: REASON,
                                       targets=write_incidents),
    "laporan:incident_close": post(VERIFIERS, "incident", lambda w, o: REASON,
                                   targets=write_incidents),
    "laporan:incident_assign": post(VERIFIERS, "incident", _assign, targets=write_incidents),
    "laporan:referral_list": page(shows=("referral",)),
    "laporan:referral_update": post(OPERATORS_UP, "referral", _referral_update,
                                    targets=write_referrals),
    "laporan:evidence_download": page(obj="evidence"),
    "laporan:incident_import": page(VERIFIERS),
    "laporan:incident_import_template_csv": page(VERIFIERS),
    "laporan:incident_import_template_xlsx": page(VERIFIERS),
    "laporan:incident_import_preview": page(VERIFIERS, obj="importbatch"),
    "laporan:incident_import_confirm": post(VERIFIERS, "importbatch"),
    "laporan:incident_import_discard": post(VERIFIERS, "importbatch"),
    "laporan:incident_export_csv": page(EXPORTERS, shows=("incident",)),
    "laporan:incident_export_xlsx": page(EXPORTERS, shows=("incident",)),
    # --- Dashboards ------------------------------------------------------------------------
    "forkopimda:dashboard_home": page(),
    "forkopimda:dashboard_detail": page(obj="region", kwargs=_code, scope="dashboard"),
    "forkopimda:dashboard_map": page(obj="region", kwargs=_code, scope="dashboard"),
    "forkopimda:dashboard_csv": page(obj="region", kwargs=figure_kwargs, scope="dashboard"),
    "forkopimda:dashboard_live": page(obj="region", kwargs=_code, scope="dashboard"),
    "forkopimda:dashboard_live_panel": page(obj="region", kwargs=_code, scope="dashboard"),
    # --- Forums, meetings, recommendations -------------------------------------------------
    "forkopimda:forum_list": page(shows=("forum",)),
    "forkopimda:forum_create": page(VERIFIERS),
    "forkopimda:forum_detail": Rule(methods={"GET": ANY, "POST": VERIFIERS}, obj="forum",
                                    data=lambda w, o: {"office": "Dandim",
                                                       "position": "member"}),
    "forkopimda:forum_update": Rule(methods={"GET": VERIFIERS, "POST": VERIFIERS},
                                    obj="forum", data=lambda w, o: {
                                        "kind": "tim_terpadu", "name": "Nama diubah",
                                        "is_active": "on"}),
    "forkopimda:forum_member_remove": post(VERIFIERS, "member", kwargs=_member_kwargs),
    "forkopimda:meeting_list": page(shows=("meeting",)),
    "forkopimda:meeting_create": page(VERIFIERS),
    "forkopimda:meeting_detail": page(obj="meeting"),
    "forkopimda:meeting_update": page(VERIFIERS, obj="meeting"),
    "forkopimda:meeting_attachment_add": post(VERIFIERS, "meeting", _evidence_upload),
    "forkopimda:meeting_attachment_download": page(obj="attachment"),
    "forkopimda:meeting_document_pdf": page(EXPORTERS, obj="meeting"),
    "forkopimda:meeting_document_docx": page(EXPORTERS, obj="meeting"),
    "forkopimda:meeting_recommendation_create": page(VERIFIERS, obj="meeting",
                                                     kwargs=_meeting_pk),
    "forkopimda:recommendation_list": page(shows=("recommendation",)),
    "forkopimda:recommendation_create": page(VERIFIERS, obj="region", kwargs=lambda o: {},
                                             scope="dashboard", query="region={code}",
                                             targets=lambda w: [o for o in w.of("region")
                                                                if o.region != "national"]),
    "forkopimda:suggestion_list": page(VERIFIERS, obj="region", kwargs=lambda o: {},
                                       scope="dashboard", query="region={code}",
                                       targets=lambda w: [o for o in w.of("region")
                                                          if o.region != "national"]),
    "forkopimda:recommendation_export_csv": page(EXPORTERS, shows=("recommendation",)),
    "forkopimda:recommendation_export_xlsx": page(EXPORTERS, shows=("recommendation",)),
    "forkopimda:recommendation_detail": page(obj="recommendation"),
    "forkopimda:recommendation_update": page(VERIFIERS, obj="recommendation"),
    "forkopimda:recommendation_progress": post(APPROVERS, "recommendation", lambda w, o: {
        "progress-text": "Sudah ditindaklanjuti.", "progress-office": "Polres"}),
    "forkopimda:recommendation_distribute": post(VERIFIERS, "recommendation", lambda w, o: {
        "distribution-recipient": "Kapolres", "distribution-channel": "letter"}),
    "forkopimda:recommendation_approve": post(APPROVERS, "recommendation"),
    "forkopimda:recommendation_issue": post(VERIFIERS, "recommendation"),
    "forkopimda:recommendation_start": post(APPROVERS, "recommendation"),
    "forkopimda:recommendation_complete": post(APPROVERS, "recommendation"),
    "forkopimda:recommendation_cancel": post(VERIFIERS, "recommendation", lambda w, o: {
        "cancel-reason": "Dibatalkan."}),
    "forkopimda:recommendation_discard": post(VERIFIERS, "recommendation"),
    "forkopimda:recommendation_deadline": post(VERIFIERS, "recommendation", lambda w, o: {
        "deadline-deadline": "2031-01-31", "deadline-reason": "Diundur."}),
    "forkopimda:situation_report": page(EXPORTERS, obj="region", kwargs=lambda o: {},
                                        scope="dashboard", query="region={code}&download=1",
                                        targets=lambda w: [o for o in w.of("region")
                                                           if o.region != "national"]),
    "forkopimda:distribution_acknowledge": post(APPROVERS, "distribution", lambda w, o: {
        "ack-acknowledged_by": "Kapolres"}),
    # --- API: reference data ------------------------------------------------------------------
    "api-root": api({"GET": ANY}),
    "region-list": api({"GET": ANY}),
    "region-detail": api({"GET": ANY}, obj="region", kwargs=_code, scope="reference",
                         targets=lambda w: [o for o in w.of("region")
                                            if o.region != "national"]),
    "region-boundary": api({"GET": ANY}, obj="region", kwargs=_code, scope="reference",
                           targets=lambda w: [o for o in w.of("region")
                                              if o.region != "national"]),
    "election-list": api({"GET": ANY}),
    "election-detail": api({"GET": ANY}, obj="election"),
    "stage-list": api({"GET": ANY}),
    "stage-detail": api({"GET": ANY}, obj="stage"),
    "contest-list": api({"GET": ANY}),
    "contest-detail": api({"GET": ANY}, obj="contest", scope="reference"),
    "risk-score-list": api({"GET": ANY}),
    "risk-score-detail": api({"GET": ANY}, obj="riskscore"),
    "alert-list": api({"GET": ANY}, shows=("alert",)),
    "alert-detail": api({"GET": ANY}, obj="alert"),
    "alert-acknowledge": api({"POST": ALERT_HANDLERS}, obj="alert"),
    "alert-resolve": api({"POST": ALERT_HANDLERS}, obj="alert"),
    # --- API: incidents ---------------------------------------------------------------------
    "incident-list": api({"GET": ANY}, shows=("incident",)),
    "incident-detail": api({"GET": ANY, "PATCH": OPERATORS_UP}, obj="incident",
                           data=lambda w, o: {"narrative": "Diubah.", "reason": "Koreksi."},
                           reporter_only=frozenset({"operator"})),
    "incident-submit": api({"POST": OPERATORS_UP}, obj="incident", targets=write_incidents,
                           reporter_only=frozenset({"operator"})),
    "incident-verify": api({"POST": VERIFIERS}, obj="incident", data=lambda w, o: VERIFY,
                           targets=write_incidents),
    "incident-reject": api({"POST": VERIFIERS}, obj="incident", data=lambda w, o: REASON,
                           targets=write_incidents),
    "incident-merge": api({"POST": VERIFIERS}, obj="incident", data=_merge,
                          targets=write_incidents),
    "incident-follow-up": api({"POST": VERIFIERS}, obj="incident", data=lambda w, o: REASON,
                              targets=write_incidents),
    "incident-close": api({"POST": VERIFIERS}, obj="incident", data=lambda w, o: REASON,
                          targets=write_incidents),
    "incident-assign": api({"POST": VERIFIERS}, obj="incident", data=_assign,
                           targets=write_incidents),
    "incident-duplicates": api({"GET": ANY}, obj="incident"),
    "incident-history": api({"GET": ANY}, obj="incident"),
    "incident-timeline": api({"GET": ANY}, obj="incident"),
    "referral-list": api({"GET": ANY}, shows=("referral",)),
    "referral-detail": api({"GET": ANY, "PATCH": OPERATORS_UP}, obj="referral",
                           data=_referral_update),
    "evidence-list": api({"GET": ANY}, shows=("evidence",)),
    "evidence-detail": api({"GET": ANY}, obj="evidence"),
    "evidence-download": api({"GET": ANY}, obj="evidence"),
    # --- API: forums, meetings, recommendations ------------------------------------------------
    "forum-list": api({"GET": ANY}, shows=("forum",)),
    "forum-detail": api({"GET": ANY, "PATCH": VERIFIERS}, obj="forum",
                        data=lambda w, o: {"notes": "Diubah."}),
    "forum-members": api({"POST": VERIFIERS}, obj="forum", data=lambda w, o: {
        "office": "Dandim", "position": "member"}),
    "forum-member-remove": api({"DELETE": VERIFIERS}, obj="member", kwargs=_member_kwargs),
    "meeting-list": api({"GET": ANY}, shows=("meeting",)),
    "meeting-detail": api({"GET": ANY, "PATCH": VERIFIERS}, obj="meeting",
                          data=lambda w, o: {"minutes": "Notulen diubah."}),
    "meeting-attachments": api({"POST": VERIFIERS}, obj="meeting", data=_evidence_upload,
                               json=False),
    "meeting-attachment-download": api({"GET": ANY}, obj="attachment",
                                       kwargs=_attachment_kwargs),
    "meeting-document": api({"GET": EXPORTERS}, obj="meeting"),
    "recommendation-list": api({"GET": ANY}, shows=("recommendation",)),
    "recommendation-detail": api({"GET": ANY, "PATCH": VERIFIERS, "DELETE": VERIFIERS},
                                 obj="recommendation",
                                 data=lambda w, o: {"text": "Isi diubah."}),
    "recommendation-approve": api({"POST": APPROVERS}, obj="recommendation"),
    "recommendation-issue": api({"POST": VERIFIERS}, obj="recommendation"),
    "recommendation-start": api({"POST": APPROVERS}, obj="recommendation",
                                data=lambda w, o: {"reason": ""}),
    "recommendation-complete": api({"POST": APPROVERS}, obj="recommendation",
                                   data=lambda w, o: {"reason": ""}),
    "recommendation-cancel": api({"POST": VERIFIERS}, obj="recommendation",
                                 data=lambda w, o: REASON),
    "recommendation-deadline": api({"POST": VERIFIERS}, obj="recommendation",
                                   data=lambda w, o: {"deadline": "2031-01-31",
                                                      "reason": "Diundur."}),
    "recommendation-progress": api({"POST": APPROVERS}, obj="recommendation",
                                   data=lambda w, o: {"text": "Sudah.", "office": "Polres"}),
    "recommendation-distributions": api({"POST": VERIFIERS}, obj="recommendation",
                                        data=lambda w, o: {"recipient": "Kapolres",
                                                           "channel": "letter"}),
    "recommendation-acknowledge": api({"POST": APPROVERS}, obj="distribution",
                                      kwargs=_distribution_kwargs,
                                      data=lambda w, o: {"acknowledged_by": "Kapolres"}),
}

# Creating records where the caller has no jurisdiction: each list's POST, aimed at an
# object of Kota Semarang (Jawa Tengah) or Kota Pariaman. Checked by the matrix as writes.
CREATE_RULES: dict[str, Rule] = {
    # Pages: the form comes back (200) or the page refuses; nothing may be written.
    "laporan:incident_create": Rule(methods={"POST": OPERATORS_UP}, obj="region",
                                    scope="create", kwargs=lambda o: {},
                                    data=lambda w, o: {**_incident_body(w, o),
                                                       "occurred_at": "2024-10-18 19:40"},
                                    targets=lambda w: [o for o in w.of("region")
                                                       if o.region in ("33.74", "13.77")]),
    "forkopimda:forum_create": Rule(methods={"POST": VERIFIERS}, obj="region",
                                    scope="create", kwargs=lambda o: {}, data=_forum_body,
                                    targets=lambda w: [o for o in w.of("region")
                                                       if o.region in ("33.74", "13.77")]),
    "forkopimda:meeting_create": Rule(methods={"POST": VERIFIERS}, obj="forum",
                                      kwargs=lambda o: {}, data=_meeting_body),
    # The API: a 201 where the caller may create, a refusal and nothing written elsewhere.
    "incident-list": api({"POST": OPERATORS_UP}, obj="region", scope="create", creates=True,
                         data=_incident_body, kwargs=lambda o: {},
                         targets=lambda w: [o for o in w.of("region")
                                            if o.region in ("33.74", "13.77")]),
    "referral-list": api({"POST": OPERATORS_UP}, obj="incident", creates=True, kwargs=lambda o: {},
                         data=lambda w, o: {**_referral_body(w, o), "incident": o.pk},
                         targets=lambda w: [o for o in w.of("incident")
                                            if o.marker in ("ZQINCJBIASAZ", "ZQINCPRAHASIAZ",
                                                            "ZQINCPBIASAZ")]),
    "evidence-list": api({"POST": OPERATORS_UP}, obj="incident", creates=True, kwargs=lambda o: {},
                         data=_evidence_body, json=False,
                         targets=lambda w: [o for o in w.of("incident")
                                            if o.marker in ("ZQINCJBIASAZ", "ZQINCPRAHASIAZ",
                                                            "ZQINCPDRAFTZ")]),
    "forum-list": api({"POST": VERIFIERS}, obj="region", scope="create", creates=True,
                      data=_forum_body, kwargs=lambda o: {},
                      targets=lambda w: [o for o in w.of("region")
                                         if o.region in ("33.74", "13.77")]),
    "meeting-list": api({"POST": VERIFIERS}, obj="forum", creates=True, data=_meeting_body,
                        kwargs=lambda o: {}),
    "recommendation-list": api({"POST": VERIFIERS}, obj="meeting", creates=True, data=_rec_body,
                               kwargs=lambda o: {}),
}

# Django's admin: every page is for staff (the admin role) only.
ADMIN_NAMESPACE = "admin"
