"""Incident intake: incidents, evidence, verification workflow, referrals, import/export."""
