"""The formula of ``kewaspadaan.scoring`` as SQL expressions for PostgreSQL, generated from a
scoring profile's numbers (never from user input), so a national rescore and the benchmark's
floor compute in the database exactly what the Python code computes, factor by factor in
the same order. No Django here: plain strings in, plain strings out."""

# SQL here is built from a scoring profile's numbers and fixed names, never from input.
# ruff: noqa: S608

from __future__ import annotations

from kewaspadaan import scoring


def sql_float(value: float) -> str:
    return repr(float(value))


def sql_text(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def signal_value_sql(profile: scoring.Profile, s: str = "s") -> str:
    """``scoring.signal_value`` on the signal table's columns."""

    def lookup(column: str, table, default: float, quote) -> str:
        whens = " ".join(f"WHEN {quote(k)} THEN {sql_float(v)}" for k, v in table.items())
        return f"(CASE {s}.{column} {whens} ELSE {sql_float(default)} END)"

    severity = lookup("severity", profile.severity, 1.0, str)
    reliability = lookup("reliability", profile.reliability, 0.5, sql_text)
    credibility = lookup("credibility", profile.credibility, 0.5, str)
    verification = lookup("verification", profile.verification, 0.0, sql_text)
    stage = stage_factor_sql(profile, s)
    casualties = (f"(1.0 + LEAST({sql_float(profile.injured_weight)} * {s}.injured + "
                  f"{sql_float(profile.killed_weight)} * {s}.killed, "
                  f"{sql_float(profile.casualty_cap)}))")
    return (f"{s}.indicator_weight * {severity} * {reliability} * {credibility} * "
            f"{verification} * {stage} * {casualties}")


def stage_factor_sql(profile: scoring.Profile, s: str = "s") -> str:
    """The largest multiplier among the signal's stages for its category, 1 otherwise."""
    tables = profile.stage_multipliers
    if all(m >= 1.0 for table in tables.values() for m in table.values()):
        # Every multiplier is at least 1, so max(multipliers of matching stages, 1) is exact.
        whens = []
        for category, table in tables.items():
            if not table:
                continue
            terms = ", ".join(
                f"CASE WHEN strpos(',' || {s}.stages || ',', {sql_text(',' + slug + ',')}) > 0 "
                f"THEN {sql_float(m)} ELSE 1.0 END" for slug, m in table.items())
            whens.append(f"WHEN {sql_text(category)} THEN GREATEST(1.0, {terms})")
        if not whens:
            return "1.0"
        return f"(CASE {s}.category {' '.join(whens)} ELSE 1.0 END)"
    # General form (a multiplier below 1): max over the stages, 1 for a stage not listed.
    pairs = ", ".join(f"({sql_text(c)}, {sql_text(slug)}, {sql_float(m)})"
                      for c, table in tables.items() for slug, m in table.items())
    return (f"(SELECT COALESCE(MAX(COALESCE(m.mult, 1.0)), 1.0) "
            f"FROM unnest(string_to_array({s}.stages, ',')) AS u(slug) "
            f"LEFT JOIN (VALUES {pairs}) AS m(category, slug, mult) "
            f"ON m.category = {s}.category AND m.slug = u.slug)")


def decay_sql(profile: scoring.Profile, reference_end: str, s: str = "s") -> str:
    """``scoring.decay`` of the age in days at ``reference_end`` (a timestamptz expression)."""
    age = f"date_part('epoch', {reference_end} - {s}.occurred_at) / 86400.0"
    return f"power(0.5, GREATEST({age}, 0.0) / {sql_float(profile.half_life_days)})"


def rank_key_sql(profile: scoring.Profile, s: str = "s") -> str:
    """``scoring.rank_key``: NULL for a signal worth nothing."""
    value = signal_value_sql(profile, s)
    shift = (f"(date_part('epoch', {s}.occurred_at) - {sql_float(scoring.RANK_ANCHOR_EPOCH)})"
             f" / 86400.0 / {sql_float(profile.half_life_days)} * {sql_float(scoring.LN2)}")
    return f"(CASE WHEN ({value}) > 0 THEN ln({value}) + {shift} END)"
