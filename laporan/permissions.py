"""Who may do what to incidents: one table, read by the services (and by templates to show
only the buttons a user may press). Jurisdiction and classification are the scoping rule's."""

from kewaspadaan.choices import Role

ACTIONS: dict[str, set[str]] = {
    "create": {Role.OPERATOR, Role.ANALYST, Role.ADMIN},
    "edit": {Role.OPERATOR, Role.ANALYST, Role.ADMIN},
    "submit": {Role.OPERATOR, Role.ANALYST, Role.ADMIN},
    "verify": {Role.ANALYST, Role.ADMIN},
    "reject": {Role.ANALYST, Role.ADMIN},
    "merge": {Role.ANALYST, Role.ADMIN},
    "assign": {Role.ANALYST, Role.ADMIN},
    "follow_up": {Role.ANALYST, Role.ADMIN},
    "close": {Role.ANALYST, Role.ADMIN},
    "refer": {Role.OPERATOR, Role.ANALYST, Role.ADMIN},
    "update_referral": {Role.OPERATOR, Role.ANALYST, Role.ADMIN},
    "add_evidence": {Role.OPERATOR, Role.ANALYST, Role.ADMIN},
    "import": {Role.ANALYST, Role.ADMIN},
    "export": {Role.ANALYST, Role.OFFICIAL, Role.NATIONAL, Role.ADMIN},
    "see_informant": {Role.ANALYST, Role.ADMIN},
}


def can(user, action: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.role in ACTIONS[action]


def allowed_actions(user) -> set[str]:
    return {action for action in ACTIONS if can(user, action)}
