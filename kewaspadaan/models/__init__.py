"""Models of the core: reference data and users (``core``), and the risk engine (``risk``)."""

from kewaspadaan.models.core import (
    CODE_PATTERNS,
    CandidatePair,
    Contest,
    Election,
    Indicator,
    Institution,
    Region,
    Stage,
    User,
)
from kewaspadaan.models.risk import (
    Alert,
    AlertDelivery,
    RegionActivity,
    RegionBaseline,
    RescoreRequest,
    RiskScore,
    ScoringProfile,
    Signal,
)

__all__ = [
    "CODE_PATTERNS", "Alert", "AlertDelivery", "CandidatePair", "Contest", "Election",
    "Indicator", "Institution", "Region", "RegionActivity", "RegionBaseline", "RescoreRequest",
    "RiskScore", "ScoringProfile", "Signal", "Stage", "User",
]
