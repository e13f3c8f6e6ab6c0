"""Numbers as people write them, for the sentences analyses return (never scientific notation).

`quantity(1149160, "tablets")` is "1,149,160 tablets"; `quantity(941.978, "kg")` is "941.98 kg";
`quantity(0.0042, "kg")` is "0.0042 kg". Written in the language of what is being produced
(`baliza.i18n.language`), with `baliza.i18n.formatting` (Babel): "1.149.160 comprimidos" in Spanish.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from baliza.i18n import N_, formatting
from baliza.i18n.naming import NAMED_TABLES

if TYPE_CHECKING:
    from baliza.analyses.model import Message

COUNT_UNITS = formatting.COUNT_UNITS


def number(value: float, *, decimals: int = 2) -> str:
    """A number with thousands separators and at most `decimals` decimals (more for tiny values)."""
    return formatting.number(value, decimals)


def quantity(value: float | None, unit: str | None) -> str:
    """A quantity with its unit: counts whole, masses and volumes to two decimals."""
    return formatting.quantity(value, unit)


def money_usd(value: float | None) -> str:
    """USD with thousands separators and no cents: 'USD 25,000'."""
    return formatting.money(value, "USD")


# --- values of a finding's messages (`baliza.analyses.model.Message`), worded by the surfaces ------------
# Plain data (they are stored with the finding); `baliza.i18n.findings` formats each in the reader's language.

def share(value: float, decimals: int = 0) -> dict[str, float | int]:
    """A share shown as a percentage: share(0.42) is '42%'."""
    return {"share": float(value), "decimals": decimals}


def decimal(value: float, decimals: int = 1) -> dict[str, float | int]:
    """A number shown with at most `decimals` decimals: decimal(3.14159, 1) is '3.1'."""
    return {"decimal": float(value), "decimals": decimals}


def significant(value: float, digits: int = 2) -> dict[str, float | int]:
    """A number shown to `digits` significant digits (p- and q-values): significant(0.000123) is '0.00012'."""
    return {"significant": float(value), "digits": digits}


def signed(value: float, decimals: int = 2) -> dict[str, float | int]:
    """A difference shown with its sign: '+0.12', '-0.30'."""
    return {"signed": float(value), "decimals": decimals}


def label(code: str, vocabulary: str | None = None) -> dict[str, str | None]:
    """A vocabulary value (an outcome, an event kind, a rule...) shown as words in the reader's language."""
    return {"label": str(code), "vocabulary": vocabulary}


def labels(codes: tuple[str, ...] | list[str]) -> dict[str, list[str]]:
    """Several vocabulary values or column names shown as a list in words."""
    return {"labels": [str(c) for c in codes]}


def amount(value: float, unit: str | None) -> dict[str, float | str | None]:
    """A quantity with its unit: amount(12.5, 'kg') is '12.5 kg'."""
    return {"quantity": float(value), "unit": unit}


def money(value: float, currency: str = "USD") -> dict[str, float | str]:
    """An amount of money: money(25000) is 'USD 25,000'."""
    return {"money": float(value), "currency": currency}


def day(value: object) -> dict[str, str]:
    """A date shown as the reader writes dates."""
    return {"day": str(value)[:10]}


def named(table: str, key: object) -> dict[str, object]:
    """A unit, office, entry point, agency or staff member, shown by the name the reader's surface gives it
    (`baliza.i18n.naming`), its id where none is known; `key` may be a list of ids (shown as a list).
    Persons are never named in a finding: a protected person's name must not reach one."""
    if table not in NAMED_TABLES:
        raise ValueError(f"only {', '.join(NAMED_TABLES)} are named in findings, not {table!r}")
    shown: object = [str(k) for k in key] if isinstance(key, list | tuple) else str(key)
    return {"named": shown, "table": table}


def said(message: Message) -> dict[str, object]:
    """A message used as the value of another (a model's or an estimator's description), worded with it."""
    return {"said": message.to_dict()}


# How a statistic was fitted, as the statistics modules say it in English (`stats.funnel.unit_tau2`,
# `stats.casemix`): each known shape is a catalogue message of its own, so a method text reads whole in the
# reader's language; `{peers}`/`{units}` are the only varying parts.
_FITTED: tuple[tuple[str, str], ...] = (
    ("tau² by DerSimonian-Laird over the other {peers} units, leaving the judged unit out (their z-scores "
     "winsorised at the 10th-90th percentile)",
     N_("tau² by DerSimonian-Laird over the other %(peers)s units, leaving the judged unit out (their z-scores "
        "winsorised at the 10th-90th percentile)")),
    ("tau² by DerSimonian-Laird over all {units} units (z-scores winsorised at the 10th-90th percentile: with "
     "this many units one outlier cannot set it)",
     N_("tau² by DerSimonian-Laird over all %(units)s units (z-scores winsorised at the 10th-90th percentile: "
        "with this many units one outlier cannot set it)")),
    ("logistic GLM (maximum likelihood)", N_("logistic GLM (maximum likelihood)")),
    ("logistic GLM (ridge-penalised, alpha=1e-4)", N_("logistic GLM (ridge-penalised, alpha=1e-4)")),
    ("least squares on the case mix (main effects)", N_("least squares on the case mix (main effects)")),
    ("the overall mean (no covariate varies)", N_("the overall mean (no covariate varies)")),
    ("no unit had enough people to be tested", N_("no unit had enough people to be tested")),
)


def fitted(words: str) -> dict[str, object] | str:
    """How a model or tau² was fitted (the statistics modules' English words) as a message worded with the
    finding in the reader's language; words of a shape not known here are kept as they are."""
    from baliza.analyses.model import Message

    for english, msgid in _FITTED:
        pattern = re.escape(english).replace(re.escape("{peers}"), r"(?P<peers>\d+)")
        pattern = pattern.replace(re.escape("{units}"), r"(?P<units>\d+)")
        found = re.fullmatch(pattern, str(words))
        if found:
            return said(Message(msgid, {k: int(v) for k, v in found.groupdict().items()}))
    return str(words)
