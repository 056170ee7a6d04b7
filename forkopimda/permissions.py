"""Who may do what to forums, meetings and recommendations: one table, read by the services
(and by templates to show only the buttons a user may press). Where is the scoping rule's."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from kewaspadaan.choices import Role

ACTIONS: dict[str, set[str]] = {
    "manage_forum": {Role.ANALYST, Role.ADMIN},
    "record_meeting": {Role.ANALYST, Role.ADMIN},
    "draft": {Role.ANALYST, Role.ADMIN},
    "approve": {Role.ANALYST, Role.OFFICIAL, Role.ADMIN},
    "issue": {Role.ANALYST, Role.ADMIN},
    "follow_up": {Role.ANALYST, Role.OFFICIAL, Role.ADMIN},
    "cancel": {Role.ANALYST, Role.ADMIN},
    "distribute": {Role.ANALYST, Role.ADMIN},
    "acknowledge": {Role.ANALYST, Role.OFFICIAL, Role.ADMIN},
    "export": {Role.ANALYST, Role.OFFICIAL, Role.NATIONAL, Role.ADMIN},
    "subscribe": {Role.ANALYST, Role.OFFICIAL, Role.NATIONAL, Role.ADMIN},
}


def can(user, action: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.role in ACTIONS[action]


def allowed_actions(user) -> set[str]:
    return {action for action in ACTIONS if can(user, action)}


def require(user, action: str) -> None:
    """Refuse (403) a user whose role may not do ``action``."""
    if not can(user, action):
        raise PermissionDenied(_("Your role may not do this."))
