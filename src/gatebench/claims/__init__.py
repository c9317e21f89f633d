"""The claims suite's decision side: stored records -> computed verdicts (no torch)."""

from gatebench.claims.base import (
    CLAIM_VERDICTS,
    INCONCLUSIVE,
    MIXED,
    NOT_RUN,
    REFUTED,
    SUPPORTED,
    ClaimResult,
)
from gatebench.claims.catalogue import CATALOGUE, Claim
from gatebench.claims.evidence import Evidence
from gatebench.claims.registry import CLAIMS, ClaimEntry, claim_ids, evaluate_claims, get_claim
from gatebench.claims.table import claims_rows, key_number

__all__ = [
    "CATALOGUE",
    "CLAIMS",
    "CLAIM_VERDICTS",
    "INCONCLUSIVE",
    "MIXED",
    "NOT_RUN",
    "REFUTED",
    "SUPPORTED",
    "Claim",
    "ClaimEntry",
    "ClaimResult",
    "Evidence",
    "claim_ids",
    "claims_rows",
    "evaluate_claims",
    "get_claim",
    "key_number",
]
