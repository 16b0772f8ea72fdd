"""The DSA mapping (YAML, owned by the workbook): how modlean decisions become statements.

The file says, per item type and per rejection label, which statement fields a
restriction gets (the restriction, ground, category and keywords, content type,
texts), which decisions restrict and which events decide, who counts as
automated, and the territorial scope per market. Field names are the database's
(``decision_visibility``, ``category`` ...); values must come from its lists, so
a typo is refused with a did-you-mean. Precedence: a label's fields over its
item type's over ``defaults``. The shipped template ``templates/dsa/mapping.yaml``
holds the label -> category defaults of DOMAIN §3.2; docs/dsa.md explains every key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from modlean._util import kind_of, suggest, text_file_problem
from modlean.dsa.vocabulary import LIST_FIELDS, unknown_value, vocabulary
from modlean.errors import ParameterError
from modlean.yamlread import load_yaml, yaml_problem

__all__ = ["CASE_START", "COMPLAINT_DECIDED", "COMPLAINT_FILED", "FROM_LOG", "MARKET",
           "STATEMENT_KEYS", "Mapping", "load_mapping", "mapping_from_dict"]

#: ``automated_detection: from_log``: Yes when an automated step touched the case first.
FROM_LOG = "from_log"
#: ``content_date: case_start``: the date of the case's first event (upload, application).
CASE_START = "case_start"
#: ``territorial_scope: market``: the log's market code is the country.
MARKET = "market"
#: Statement fields a mapping may set (the rest come from the log or stay empty).
STATEMENT_KEYS = (
    "decision_visibility", "decision_visibility_other", "decision_monetary",
    "decision_monetary_other", "decision_provision", "decision_account", "account_type",
    "decision_ground", "decision_ground_reference_url", "illegal_content_legal_ground",
    "illegal_content_explanation", "incompatible_content_ground",
    "incompatible_content_explanation", "incompatible_content_illegal", "category",
    "category_addition", "category_specification", "category_specification_other",
    "content_type", "content_type_other", "content_language", "decision_facts", "source_type",
    "automated_detection", "content_date",
)
_TOP = ("platform_name", "puid_prefix", "restricting_decisions", "deciding_activities",
        "automated", "territorial_scope", "source", "defaults", "item_types", "labels", "report")
_AUTOMATED = ("resources", "pools", "not_deciders", "human_after_model")
_REPORT = ("complaint_filed", "complaint_decided", "seller_column")
#: Defaults of the transparency report's keys: a simulated log's appeal events, an import's.
COMPLAINT_FILED = ("appeal_filed", "queued:appeal_review")
COMPLAINT_DECIDED = ("appeal_decided", "appeal_review")


@dataclass(frozen=True)
class Mapping:
    """A validated DSA mapping; ``fields_for`` merges defaults, item type and label."""

    path: str
    platform_name: str = ""
    puid_prefix: str = ""
    restricting_decisions: tuple[str, ...] = ("reject",)
    deciding_activities: tuple[str, ...] = ("decision_sent",)
    automated_resources: tuple[str, ...] = ("model",)
    automated_pools: tuple[str, ...] = ("model",)
    not_deciders: tuple[str, ...] = ("system", "seller")
    human_after_model: str = "AUTOMATED_DECISION_NOT_AUTOMATED"
    territorial_scope: str | dict[str, tuple[str, ...]] = MARKET
    source_column: str | None = None
    source_values: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    item_types: dict[str, dict[str, Any]] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    complaint_filed: tuple[str, ...] = COMPLAINT_FILED
    complaint_decided: tuple[str, ...] = COMPLAINT_DECIDED
    seller_column: str = "seller_id"

    def placeholders(self) -> list[str]:
        """Key paths whose value still names a reserved example address (``example.com``,
        ``marketplace.example``: RFC 2606), as the shipped template does: statements
        citing them are valid by the database's rules but not ready to submit."""
        sections = {"defaults": self.defaults, **{f"item_types.{k}": v for k, v in
                                                  self.item_types.items()},
                    **{f"labels.{k}": v for k, v in self.labels.items()}}
        return [f"{where}.{key}" for where, values in sections.items()
                for key, value in values.items()
                if isinstance(value, str) and _EXAMPLE_ADDRESS.search(value)]

    def fields_for(self, item_type: str, label: str) -> dict[str, Any]:
        """The statement fields of a restriction of ``item_type`` with rejection ``label``."""
        return {**self.defaults, **self.item_types.get(item_type, {}),
                **self.labels.get(label, {})}


#: An address in a domain reserved for examples (RFC 2606): a template's placeholder.
_EXAMPLE_ADDRESS = re.compile(r"://([^/\s]*\.)?(example\.(com|org|net)|[^/\s]+\.example)"
                              r"(?=[/:#?\s]|$)", re.IGNORECASE)


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file; every problem is named by key path, value and expectation.

    Raises
    ------
    ParameterError
        A missing, unreadable or invalid file (all problems in one message).
    """
    where = str(path)
    if not Path(path).is_file():
        raise ParameterError(f"{where}: no such DSA mapping file; expected a YAML file such "
                             "as templates/dsa/mapping.yaml (modlean init copies it)")
    problem = text_file_problem(path)
    if problem:
        raise ParameterError(f"{where}: {problem}")
    try:
        data = load_yaml(Path(path).read_text(encoding="utf-8"), text_only=True)
    except yaml.YAMLError as exc:
        line, what = yaml_problem(exc)
        raise ParameterError(f"{where}" + (f", line {line}" if line else "") +
                             f": not valid YAML: {what}") from None
    return mapping_from_dict(data, where)


def mapping_from_dict(data: Any, where: str = "the DSA mapping") -> Mapping:
    """A :class:`Mapping` from parsed YAML (all scalars text); raises ParameterError."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ParameterError(f"{where}: found {kind_of(data)}; expected a mapping with keys "
                             f"such as item_types and labels")
    _unknown_keys(data, _TOP, "", problems)
    auto = data.get("automated") or {}
    if not isinstance(auto, dict):
        problems.append(f"automated: found {kind_of(auto)}; expected keys {', '.join(_AUTOMATED)}")
        auto = {}
    _unknown_keys(auto, _AUTOMATED, "automated.", problems)
    human = str(auto.get("human_after_model", Mapping.human_after_model))
    bad = unknown_value("automated_decision", human)
    if bad:
        problems.append(f"automated.human_after_model: found {human!r}; expected {bad}")
    source = data.get("source") or {}
    source_values = _section(source.get("values", {}) if isinstance(source, dict) else {},
                             "source.values", problems)
    for key, value in source_values.items():
        bad = unknown_value("source_type", str(value))
        if bad:
            problems.append(f"source.values.{key}: found {value!r}; expected {bad}")
    report = _section(data.get("report", {}), "report", problems)
    _unknown_keys(report, _REPORT, "report.", problems)
    sections = {name: {k: _fields(v, f"{name}.{k}", problems)
                       for k, v in _section(data.get(name, {}), name, problems).items()}
                for name in ("item_types", "labels")}
    mapping = Mapping(
        path=where,
        platform_name=str(data.get("platform_name", "")),
        puid_prefix=str(data.get("puid_prefix", "")),
        restricting_decisions=_words(data, "restricting_decisions", ("reject",), problems),
        deciding_activities=_words(data, "deciding_activities", ("decision_sent",), problems),
        automated_resources=_words(auto, "resources", ("model",), problems),
        automated_pools=_words(auto, "pools", ("model",), problems),
        not_deciders=_words(auto, "not_deciders", ("system", "seller"), problems),
        human_after_model=human,
        territorial_scope=_scope(data.get("territorial_scope", MARKET), problems),
        source_column=str(source["column"]) if isinstance(source, dict) and source.get("column")
        else None,
        source_values={str(k): str(v) for k, v in source_values.items()},
        defaults=_fields(data.get("defaults", {}), "defaults", problems),
        item_types=sections["item_types"],
        labels=sections["labels"],
        complaint_filed=_words(report, "complaint_filed", COMPLAINT_FILED, problems),
        complaint_decided=_words(report, "complaint_decided", COMPLAINT_DECIDED, problems),
        seller_column=str(report.get("seller_column") or "seller_id"),
    )
    if problems:
        lines = "\n  ".join(problems)
        raise ParameterError(f"{where}: invalid DSA mapping:\n  {lines}" if len(problems) > 1
                             else f"{where}, {problems[0]}")
    return mapping


def _unknown_keys(data: dict, allowed: tuple[str, ...], prefix: str, problems: list[str]) -> None:
    for key in data:
        if key not in allowed:
            problems.append(f"{prefix}{key}: unknown key; expected one of {', '.join(allowed)}"
                            + suggest(str(key), list(allowed)))


def _section(value: Any, name: str, problems: list[str]) -> dict:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        problems.append(f"{name}: found {kind_of(value)}; expected a mapping")
        return {}
    return value


def _words(data: dict, key: str, default: tuple[str, ...], problems: list[str]
           ) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return default
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, str) and v for v in items):
        problems.append(f"{key}: found {kind_of(value)}; expected a list of names")
        return default
    return tuple(items)


def _scope(value: Any, problems: list[str]) -> str | dict[str, tuple[str, ...]]:
    """``market``, or per market a list of EEA codes or a shorthand (EEA, EU)."""
    if value == MARKET:
        return MARKET
    if not isinstance(value, dict):
        problems.append(f"territorial_scope: found {kind_of(value)}; expected '{MARKET}' or a "
                        "mapping of market -> country codes (or EEA, EU)")
        return MARKET
    scopes = vocabulary().scopes
    out: dict[str, tuple[str, ...]] = {}
    for market, codes in value.items():
        if isinstance(codes, str) and codes in scopes:
            out[str(market)] = scopes[codes]
            continue
        items = codes if isinstance(codes, list) else [codes]
        for code in items:
            bad = unknown_value("territorial_scope", str(code))
            if bad:
                problems.append(f"territorial_scope.{market}: found {code!r}; expected {bad}, "
                                f"or one of {', '.join(scopes)}")
        out[str(market)] = tuple(str(c) for c in items)
    return out


def _fields(value: Any, where: str, problems: list[str]) -> dict[str, Any]:
    """Statement fields checked: known keys, enum values from the official lists."""
    value = _section(value, where, problems)
    _unknown_keys(value, STATEMENT_KEYS, f"{where}.", problems)
    out: dict[str, Any] = {}
    for key, raw in value.items():
        if key not in STATEMENT_KEYS:
            continue
        if key in LIST_FIELDS:
            raw = raw if isinstance(raw, list) else [raw]
        items = raw if isinstance(raw, list) else [raw]
        if not all(isinstance(v, str) for v in items):
            problems.append(f"{where}.{key}: found {kind_of(raw)}; expected text")
            continue
        if key == "automated_detection" and raw == FROM_LOG:
            pass
        elif key == "content_date":
            if raw != CASE_START and not raw.startswith("column:"):
                problems.append(f"{where}.content_date: found {raw!r}; expected '{CASE_START}' "
                                "or 'column:NAME' (a log column with the posting date)")
        elif vocabulary().allowed(key):
            for item in items:
                bad = unknown_value(key, item)
                if bad:
                    problems.append(f"{where}.{key}: found {item!r}; expected {bad}")
        out[key] = raw
    return out
