"""Writes of the core: reference data and users (``reference``), and the risk engine
(``risk``: signals, rescoring, alerts and their delivery)."""

from kewaspadaan.services.reference import *  # noqa: F403
from kewaspadaan.services.reference import (  # noqa: F401 - named for readers and linters
    DEMO_PASSWORD,
    DEMO_USERS,
    boundaries_attach,
    contests_derive,
    demo_users_load,
    election_pilkada2024_load,
    regions_load,
    taxonomy_load,
    user_create,
)
from kewaspadaan.services.risk import *  # noqa: F403
