"""The one jurisdiction rule every queryset of the portal goes through.

A user sees their region and everything below it; nationwide users (no jurisdiction) see
everything. Each model declares its policy as ``jurisdiction_scope``: which field holds its
region, and whether the regions *above* the user are visible too (reference data such as
the province or the Gubernur race, never a sibling's records). A model without a declared
policy cannot be scoped, so a new model is never exposed by accident.

Region codes are hierarchical Kemendagri codes and the primary key of ``Region``, so the
rule is a prefix match on the row's own foreign-key column: no join, and it uses the
``varchar_pattern_ops`` index PostgreSQL gets for every indexed ``CharField``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet

from kewaspadaan.choices import Classification, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kewaspadaan.models import User


@dataclass(frozen=True)
class JurisdictionScope:
    """How a model's rows map to regions: ``region_field`` is a path to a Region (or its code).

    ``classification_field`` (biasa / terbatas / rahasia) narrows further by role, and the
    user named by ``owner_field`` (who wrote the record) always sees their own.
    ``status_field`` names a status whose value ``draft`` marks unfinished work: a draft is
    its writer's (``owner_field``) and the verifiers' only (``DRAFT_READERS``).
    """

    region_field: str | None
    include_ancestors: bool = False
    classification_field: str | None = None
    owner_field: str | None = None
    status_field: str | None = None

    @property
    def nationwide(self) -> bool:
        return self.region_field is None


#: Rows that belong to no region (elections, stages): every signed-in user sees them.
NATIONWIDE = JurisdictionScope(region_field=None)


def ancestor_codes(code: str) -> list[str]:
    """``13.77.01`` -> ``['13', '13.77']``."""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _column(region_field: str) -> str:
    # ``<fk>__code`` targets the key the foreign key already stores, so Django reads the
    # row's own ``<fk>_id`` column and adds no join for the last hop.
    return "code" if region_field == "code" else f"{region_field}__code"


def region_q(code: str, region_field: str, *, include_ancestors: bool = False) -> Q:
    """Rows whose region is ``code`` or below it (and, optionally, above it)."""
    column = _column(region_field)
    condition = Q(**{column: code}) | Q(**{f"{column}__startswith": f"{code}."})
    if include_ancestors:
        above = ancestor_codes(code)
        if above:
            condition |= Q(**{f"{column}__in": above})
    return condition


# Which classifications each role may read. Operators log and see ordinary incidents (and
# their own); officials and national users also read restricted ones; secret ones are for
# analysts and administrators.
CLASSIFICATIONS_BY_ROLE = {
    Role.OPERATOR: {Classification.BIASA},
    Role.OFFICIAL: {Classification.BIASA, Classification.TERBATAS},
    Role.NATIONAL: {Classification.BIASA, Classification.TERBATAS},
    Role.ANALYST: {Classification.BIASA, Classification.TERBATAS, Classification.RAHASIA},
    Role.ADMIN: {Classification.BIASA, Classification.TERBATAS, Classification.RAHASIA},
}


# Who reads another writer's draft: the verifiers, who may be asked to check it.
DRAFT_READERS = {Role.ANALYST, Role.ADMIN}
DRAFT = "draft"


def classifications_for(user) -> set[str]:
    if getattr(user, "is_superuser", False):
        return set(Classification.values)
    return {str(c) for c in CLASSIFICATIONS_BY_ROLE.get(getattr(user, "role", None), set())}


def policy_for(model: type[Model]) -> JurisdictionScope:
    policy = getattr(model, "jurisdiction_scope", None)
    if not isinstance(policy, JurisdictionScope):
        raise ImproperlyConfigured(
            f"{model.__name__} declares no jurisdiction_scope; every model shown to users must."
        )
    return policy


def scope(queryset: QuerySet, user: User | AnonymousUser) -> QuerySet:
    """``queryset`` narrowed to what ``user`` may see. The only place jurisdiction is applied."""
    policy = policy_for(queryset.model)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if policy.classification_field:
        readable = Q(**{f"{policy.classification_field}__in": sorted(classifications_for(user))})
        if policy.owner_field:
            readable |= Q(**{policy.owner_field: user.pk})
        queryset = queryset.filter(readable)
    if policy.status_field and not (user.is_superuser or user.role in DRAFT_READERS):
        finished = ~Q(**{policy.status_field: DRAFT})
        if policy.owner_field:
            finished |= Q(**{policy.owner_field: user.pk})
        queryset = queryset.filter(finished)
    if policy.nationwide or user.jurisdiction_id is None:
        return queryset
    return queryset.filter(
        region_q(
            user.jurisdiction_id, policy.region_field, include_ancestors=policy.include_ancestors
        )
    )


def can_see_region(user: User | AnonymousUser, code: str, *, as_ancestor: bool = False) -> bool:
    """Whether ``user`` may open records of region ``code`` (for pages addressed by code).

    ``as_ancestor`` allows the regions above the user's jurisdiction too (reference data).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    own = user.jurisdiction_id
    if own is None:
        return True
    if code == own or code.startswith(f"{own}."):
        return True
    return as_ancestor and code in ancestor_codes(own)
