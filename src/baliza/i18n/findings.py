"""Findings worded for people, in the reader's language: analyses hand over messages, surfaces word them here.

An analysis returns `Finding.messages` (why it fired, one `Message` per sentence) and `Finding.method_messages`
(how it was computed): an English msgid marked with `N_()` and the values to fill in, kept as plain data.
Every surface (web pages, the API for people, CLI, reports, exports) words a finding with `summary(f)` and
`method(f)`, for a `Finding` or its stored plain form (`Finding.to_dict`). A finding stored before messages
existed has none: it is shown with its stored English `summary` and `method`.

Values are formatted in the reader's language: an int is a count ("1,234" / "1.234"), a float a number with
at most two decimals, a str is shown as it is (ids, names, dates already in words); a dict with one of the
keys below is a typed value (written by `baliza.analyses.wording`):

    {"share": 0.42, "decimals": 0}          -> 42%
    {"decimal": 3.14159, "decimals": 1}     -> 3.1
    {"significant": 0.000123, "digits": 2}  -> 0.00012 (below 0.0001: 2.5 × 10⁻¹¹)
    {"signed": -0.12, "decimals": 2}        -> -0.12 / +0.12
    {"label": "dismissed", "vocabulary": None}  -> the vocabulary value in words ("dismissed", "archivado")
    {"labels": ["substance_group", ...]}    -> several labels as a list in words
    {"quantity": 12.5, "unit": "kg"}        -> 12.5 kg
    {"money": 25000, "currency": "USD"}     -> USD 25,000
    {"day": "2025-04-10"}                   -> 2025-04-10 / 10/04/2025
    {"indicator": "clearance_rate"}         -> the indicator's name in words
    {"named": "U-PCU-PAITA", "table": "units"}  -> the unit's display name (`baliza.i18n.naming`)
    {"named": ["AG-1", "AG-2"], "table": "agencies"}  -> several names as a list in words
    {"said": {"text": ..., "values": ...}}  -> a message within the message, worded in the same language

Names: an analysis cannot know how a reader calls a unit, a prosecutor or an agency, so it writes their ids as
named values; the surface says where the names come from (`baliza.i18n.naming.naming`), else the id is shown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from babel.lists import format_list

from baliza.i18n import formatting as fmt
from baliza.i18n import gettext, language, ngettext
from baliza.i18n.naming import by_id, display_name

__all__ = ["english", "english_text", "method", "say", "sentence", "summary", "text", "worded"]

_ENDINGS = (".", "!", "?", "…")


def value(raw: Any) -> str:
    """One value of a message, formatted for the current language."""
    if isinstance(raw, bool) or raw is None:
        return "" if raw is None else str(raw)
    if isinstance(raw, int):
        return fmt.count(raw)
    if isinstance(raw, float):
        return fmt.number(raw)
    if isinstance(raw, Mapping):
        return _typed(raw)
    if isinstance(raw, list | tuple):
        return format_list([value(v) for v in raw], locale=fmt.locale())
    return str(raw)


def _typed(raw: Mapping[str, Any]) -> str:
    from baliza.i18n.labels import indicator_label, label

    if "named" in raw:
        return _named(raw["named"], str(raw.get("table", "")))
    if "said" in raw:
        return text(raw["said"])
    if "share" in raw:
        return fmt.percent(raw["share"], int(raw.get("decimals", 0)))
    if "decimal" in raw:
        return fmt.number(raw["decimal"], int(raw.get("decimals", 2)))
    if "significant" in raw:
        return _significant(raw["significant"], int(raw.get("digits", 2)))
    if "signed" in raw:
        shown = fmt.number(abs(float(raw["signed"])), int(raw.get("decimals", 2)))
        return ("-" if float(raw["signed"]) < 0 else "+") + shown
    if "label" in raw:
        return label(raw["label"], raw.get("vocabulary"))
    if "labels" in raw:
        return format_list([label(v) for v in raw["labels"]], locale=fmt.locale())
    if "quantity" in raw:
        return fmt.quantity(raw["quantity"], raw.get("unit"))
    if "money" in raw:
        return fmt.money(raw["money"], str(raw.get("currency", "USD")))
    if "day" in raw:
        return fmt.day(raw["day"])
    if "indicator" in raw:
        return indicator_label(raw["indicator"])
    return str(raw)


def _named(key: Any, table: str) -> str:
    if isinstance(key, list | tuple):
        return format_list([display_name(table, str(k)) for k in key], locale=fmt.locale())
    return display_name(table, str(key))


def _significant(number: Any, digits: int) -> str:
    v = float(number)
    if v == 0 or not math.isfinite(v):
        return fmt.number(v, 0)
    exponent = math.floor(math.log10(abs(v)))
    if exponent < -4:  # 0.000000000025 is unreadable: 2.5 × 10⁻¹¹
        mantissa = round(v / 10.0 ** exponent, digits - 1)
        if abs(mantissa) >= 10:
            mantissa, exponent = mantissa / 10, exponent + 1
        return f"{fmt.number(mantissa, digits - 1)} × 10{str(exponent).translate(_SUPERSCRIPT)}"
    decimals = max(0, digits - 1 - exponent)
    return fmt.number(round(v, decimals), decimals)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _parts(message: Any) -> tuple[str, Mapping[str, Any], str | None]:
    if isinstance(message, Mapping):
        return str(message.get("text", "")), message.get("values") or {}, message.get("plural")
    return message.text, message.values, message.plural


def text(message: Any) -> str:
    """A message (a `Message` or its plain form) in the current language, values filled in."""
    msgid, values, plural = _parts(message)
    shown = {name: value(raw) for name, raw in values.items()}
    if plural is not None:
        n = values.get("num", 0)
        count = int(n) if isinstance(n, int | float) else 0
        return ngettext(msgid, plural, count, **{name: v for name, v in shown.items() if name != "num"})
    return gettext(msgid, **shown) if shown else gettext(msgid)


def sentence(words: str) -> str:
    """Words as a sentence: a capital first letter and a full stop at the end."""
    words = words.strip()
    if not words:
        return ""
    words = words[:1].upper() + words[1:]
    return words if words.endswith(_ENDINGS) else words + "."


def say(messages: Iterable[Any]) -> str:
    """Several messages, one sentence each, in the current language."""
    return " ".join(s for s in (sentence(text(m)) for m in messages) if s)


def english(message: Any) -> str:
    """One message as an English sentence, ids as ids (what is stored and logged, whoever computed it)."""
    with language("en"), by_id():
        return sentence(text(message))


def english_text(messages: Iterable[Any]) -> str:
    """Messages in English (what `Finding.summary` and `.method` hold), ids as ids: the stored text does not
    depend on the request that happened to compute the finding."""
    with language("en"), by_id():
        return say(messages)


def _field(finding: Any, name: str) -> Any:
    return finding.get(name) if isinstance(finding, Mapping) else getattr(finding, name, None)


def summary(finding: Any) -> str:
    """Why a finding fired, in the reader's language (its stored English summary if it has no messages)."""
    messages = _field(finding, "messages")
    return say(messages) if messages else str(_field(finding, "summary") or "")


def method(finding: Any) -> str:
    """How a finding was computed, in the reader's language (its stored English method if it has none)."""
    messages = _field(finding, "method_messages")
    return say(messages) if messages else str(_field(finding, "method") or "")


def worded(finding: Mapping[str, Any]) -> dict[str, Any]:
    """A finding's plain form with `summary` and `method` in the reader's language (API and exports)."""
    return {**finding, "summary": summary(finding), "method": method(finding)}
