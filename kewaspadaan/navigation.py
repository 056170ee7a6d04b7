"""The main navigation. Each app registers its own entries (in its AppConfig.ready), so the
core never has to know the apps above it."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    roles: frozenset | None  # None: every signed-in user
    order: int


_ITEMS: dict[str, NavItem] = {}


def register(url_name: str, label, *, roles=None, order: int = 100) -> None:
    _ITEMS[url_name] = NavItem(url_name, label, frozenset(roles) if roles else None, order)


def items_for(user) -> list[dict]:
    if user is None or not user.is_authenticated:
        return []
    visible = []
    for item in sorted(_ITEMS.values(), key=lambda i: i.order):
        allowed = item.roles is None or user.role in item.roles or user.is_superuser
        if not allowed:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:  # an app registered an entry its URLconf does not (yet) route
            continue
        visible.append({"name": item.url_name, "url": url, "label": item.label})
    return visible
