"""Statements of reasons (DSA Art. 17, 24(5)) from the canonical event log and a mapping.

One statement per restricted case: the case's first event among the mapping's
``deciding_activities`` whose ``decision`` is a restricting one (``reject``).
Its fields come from three places:

- the log: ``application_date`` (that event's day, UTC), ``content_date`` (the
  case's first event, or a log column the mapping names), ``automated_decision``
  (the deciding event's resource or pool is automated: fully; a person decided
  after an automated step: the mapping's ``human_after_model``; else not
  automated), ``automated_detection`` (an automated step touched the case before
  or at the decision), ``source_type`` (a log column, when the mapping names one),
  ``territorial_scope`` (the market), ``puid`` (the case id);
- the mapping: everything else, by item type and rejection label;
- nowhere: fields the log cannot support (end dates, source identity, EAN) stay
  empty rather than being invented.

Every statement is then checked with :func:`modlean.dsa.rules.validate`; one
broken rule makes the statement invalid: it is reported (case, field, value,
expected) and never written.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from modlean.dsa.mapping import CASE_START, FROM_LOG, MARKET, Mapping
from modlean.dsa.rules import validate
from modlean.errors import LogError
from modlean.eventlog import LogWarning

__all__ = ["ISSUE_COLUMNS", "Statements", "automated_rows", "build_statements",
           "decider_is_automated", "required_columns", "restriction_table"]

#: Columns of :attr:`Statements.invalid`: one row per broken rule.
ISSUE_COLUMNS = ["case_id", "field", "value", "expected"]
TABLE = "statements of reasons"


@dataclass(frozen=True)
class Statements:
    """The valid statements (API shape plus ``case_id``) and the problems of the invalid ones."""

    statements: pd.DataFrame
    invalid: pd.DataFrame
    restrictions: int
    #: the mapping's fields still holding a template's example address (not ready to submit)
    placeholders: tuple[str, ...] = ()

    def summary(self) -> dict[str, object]:
        """Counts for a reader: restrictions found, statements valid, invalid by field, and
        the mapping's placeholder fields (statements citing them are not ready to submit)."""
        cases = self.invalid["case_id"].nunique()
        by_field = self.invalid.drop_duplicates(["case_id", "field"])["field"].value_counts()
        return {"restrictions": self.restrictions, "valid": len(self.statements),
                "invalid": int(cases), "invalid_by_field": {k: int(v) for k, v in
                                                            by_field.items()},
                "placeholders": list(self.placeholders)}


def required_columns(mapping: Mapping) -> list[str]:
    """The log columns every statement needs (``resource`` or ``pool`` is checked apart).

    A ``content_date: column:NAME`` column is needed only by the statements of the
    item types that name it: without it those statements are reported invalid.
    """
    needed = ["case_id", "activity", "timestamp", "decision", "item_type"]
    if mapping.territorial_scope is not None:
        needed.append("market")
    if mapping.source_column:
        needed.append(mapping.source_column)
    return needed


def _check_columns(log: pd.DataFrame, mapping: Mapping, source: str) -> None:
    missing = [c for c in required_columns(mapping) if c not in log.columns]
    if not {"resource", "pool"} & set(log.columns):
        missing.append("resource or pool")
    if missing:
        raise LogError(f"the table '{TABLE}' needs the columns {', '.join(missing)}, which the "
                       f"log lacks (it has {', '.join(map(str, log.columns))})", source=source,
                       hint="a log of one market without a market column: give --market CODE; "
                       "else import the export with a profile that maps them, or name them "
                       "with --map")
    present = set(log["activity"].unique())
    if not present & set(mapping.deciding_activities):
        raise LogError(f"none of the mapping's deciding_activities "
                       f"({', '.join(mapping.deciding_activities)}) occurs in the log",
                       source=source, expected="activities among those of the log: "
                       + ", ".join(sorted(map(str, present))[:20]))


def _text(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), "").astype(str)


def build_statements(log: pd.DataFrame, mapping: Mapping, *, source: str = "the log"
                     ) -> Statements:
    """Statements of reasons for every restricted case of a canonical log.

    A mapping field still holding the template's example address
    (:meth:`~modlean.dsa.mapping.Mapping.placeholders`) is named in
    ``placeholders`` and warned about: such statements pass the database's rules
    but cite no real terms.

    Raises
    ------
    LogError
        The log lacks a column the mapping needs (named), or none of its
        activities is a deciding one.
    """
    _check_columns(log, mapping, source)
    placeholders = tuple(mapping.placeholders())
    if placeholders:
        verb = "still names" if len(placeholders) == 1 else "still name"
        warnings.warn(f"{mapping.path}: {', '.join(placeholders)} {verb} the template's "
                      "example address: set the platform's own terms before submitting the "
                      "statements", LogWarning, stacklevel=2)
    table, issues = restriction_table(log, mapping)
    if table.empty:  # nothing restricted: no statement, nothing invalid
        return Statements(pd.DataFrame(columns=["case_id", "puid"]),
                          pd.DataFrame(columns=ISSUE_COLUMNS), 0, placeholders)
    first = log.loc[table["row"].to_numpy()]
    _territorial_scope(table, first, mapping, issues)
    table = table.drop(columns=["row", "decided_at"])
    broken = validate(table.drop(columns=["detected"]))
    broken["case_id"] = table["case_id"].to_numpy()[broken["row"].to_numpy(dtype=int)]
    issues.append(broken[ISSUE_COLUMNS])
    # the mapping's and the log's own words first: a rule's duplicate of them is dropped
    invalid = pd.concat(issues, ignore_index=True).drop_duplicates(["case_id", "field"]) \
        .sort_values(["case_id", "field"], kind="stable", ignore_index=True)
    good = table[~table["case_id"].isin(invalid["case_id"])]
    good = good.drop(columns=["detected", "item_type", "label"]).reset_index(drop=True)
    return Statements(good, invalid, len(table), placeholders)


def restriction_table(log: pd.DataFrame, mapping: Mapping
                      ) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """One row per restricted case with its statement fields, before any rule is checked.

    Besides the statement fields: ``item_type``, ``label``, ``detected`` (Yes/No
    from the log), ``decided_at`` (the deciding event's time) and ``row`` (that
    event's index label in ``log``). The second item lists the problems found
    while mapping (case, field, value, expected). ``territorial_scope`` is left
    to :func:`build_statements`. The log's columns are not checked here.
    """
    auto = automated_rows(log, mapping)
    decides = log["activity"].isin(mapping.deciding_activities) & \
        log["decision"].isin(mapping.restricting_decisions)
    first = log[decides].drop_duplicates("case_id", keep="first")
    if first.empty:
        return pd.DataFrame(columns=["case_id", "row", "decided_at"]), []
    cases = first["case_id"]
    first_auto = log.loc[auto, ["case_id", "timestamp"]].groupby("case_id")["timestamp"].min()
    model_before = cases.map(first_auto).le(first["timestamp"]).fillna(False).astype(bool)
    by_model = cases.map(decider_is_automated(log, first, auto, mapping)).fillna(False)
    table = pd.DataFrame({
        "case_id": cases.astype(str).to_numpy(),
        "item_type": _text(first["item_type"]).to_numpy(),
        "label": _text(first["label"]).to_numpy() if "label" in first else "",
        "puid": (mapping.puid_prefix + cases.astype(str)).to_numpy(),
        "application_date": first["timestamp"].dt.strftime("%Y-%m-%d").to_numpy(),
        "automated_decision": np.where(by_model, "AUTOMATED_DECISION_FULLY", np.where(
            model_before, mapping.human_after_model, "AUTOMATED_DECISION_NOT_AUTOMATED")),
        "detected": np.where(model_before, "Yes", "No"),
        "decided_at": first["timestamp"].array,
        "row": first.index.to_numpy(),
    })
    issues: list[pd.DataFrame] = []
    table = _with_mapped_fields(table, mapping, issues)
    table["automated_detection"] = table["automated_detection"].mask(
        table["automated_detection"].isin(["", FROM_LOG]), table["detected"])
    table["content_date"] = _content_dates(log, table, issues)
    _source_types(table, first, mapping, issues)
    return table, issues


def automated_rows(log: pd.DataFrame, mapping: Mapping) -> pd.Series:
    """Per event: done by automated means (its resource or pool is the mapping's automated one)."""
    auto = pd.Series(False, index=log.index)
    if "resource" in log:
        auto |= log["resource"].isin(mapping.automated_resources)
    if "pool" in log:
        auto |= log["pool"].isin(mapping.automated_pools)
    return auto


def decider_is_automated(log: pd.DataFrame, first: pd.DataFrame, auto: pd.Series,
                          mapping: Mapping) -> pd.Series:
    """Per case: was the last decider up to the deciding event automated?

    The decider is the last event at or before the deciding event whose resource
    decides (not empty, not one of ``automated.not_deciders`` such as ``system``,
    which only sends what another decided, or ``seller``).
    """
    resource = log["resource"] if "resource" in log else pd.Series(pd.NA, index=log.index)
    decider = resource.notna() & ~resource.isin(mapping.not_deciders)
    if "pool" in log:
        decider |= log["pool"].isin(mapping.automated_pools)
    until = log["case_id"].map(first.set_index("case_id")["timestamp"])
    rows = log[decider & until.notna() & (log["timestamp"] <= until)]
    last = rows.drop_duplicates("case_id", keep="last")  # the log is in case, time order
    return pd.Series(auto[last.index].to_numpy(), index=last["case_id"].to_numpy())


def _with_mapped_fields(table: pd.DataFrame, mapping: Mapping, issues: list[pd.DataFrame]
                        ) -> pd.DataFrame:
    """The mapping's fields per (item type, label), merged onto the statements."""
    pairs = table[["item_type", "label"]].drop_duplicates()
    # one dict per distinct (item type, label) pair: a handful, not one per row
    fields = pd.DataFrame([mapping.fields_for(i, lab) for i, lab in pairs.itertuples(index=False)],
                          index=pairs.index)
    merged = table.merge(pd.concat([pairs, fields.drop(columns=["content_date"], errors="ignore")
                                    .assign(date_spec=fields.get("content_date"))], axis=1),
                         on=["item_type", "label"], how="left")
    if "automated_detection" not in merged:
        merged["automated_detection"] = ""
    merged["automated_detection"] = merged["automated_detection"].fillna("")
    unknown_type = ~merged["item_type"].isin(list(mapping.item_types))
    issues.append(_issue(merged, unknown_type, "item_type", merged["item_type"],
                         "an item type of the mapping's item_types: "
                         + ", ".join(mapping.item_types)))
    unknown_label = (merged["label"] != "") & ~merged["label"].isin(list(mapping.labels))
    issues.append(_issue(merged, unknown_label, "category", merged["label"],
                         "the rejection label under the mapping's labels, with its category"))
    return merged


def _issue(table: pd.DataFrame, mask: pd.Series, field: str, values: pd.Series, expected: str
           ) -> pd.DataFrame:
    return pd.DataFrame({"case_id": table.loc[mask, "case_id"], "field": field,
                         "value": values[mask].astype(str), "expected": expected})


def _content_dates(log: pd.DataFrame, table: pd.DataFrame, issues: list[pd.DataFrame]
                   ) -> np.ndarray:
    """The posting day per statement: the case's first event, or the named log column.

    A named column the log lacks, or an empty or unreadable date in it, is reported
    for the statements concerned.
    """
    spec = table["date_spec"].fillna(CASE_START) if "date_spec" in table else \
        pd.Series(CASE_START, index=table.index)
    out = np.full(len(table), "", dtype=object)
    for name in spec.unique():  # a few specs, each vectorised over the cases
        rows = (spec == name).to_numpy()
        if name == CASE_START:
            start = log.groupby("case_id", sort=False)["timestamp"].min()
            days = table["case_id"].map(start).dt.strftime("%Y-%m-%d")
        else:
            column = name.removeprefix("column:")
            if column not in log:
                issues.append(_issue(table, pd.Series(rows, index=table.index), "content_date",
                                     pd.Series("", index=table.index),
                                     f"the posting date from the log's column {column!r}, "
                                     "which the log lacks"))
                continue
            values = log[column]
            firsts = values[values.notna()].groupby(log["case_id"], sort=False).first()
            raw = table["case_id"].map(firsts)
            when = pd.to_datetime(raw, utc=True, errors="coerce", format="mixed")
            days = when.dt.strftime("%Y-%m-%d")
            issues.append(_issue(table, pd.Series(rows, index=table.index) & days.isna(),
                                 "content_date", _text(raw), f"a date in the log's column "
                                 f"{column!r} (the day the content was posted)"))
        out[rows] = days.fillna("").to_numpy()[rows]
    return out


def _source_types(table: pd.DataFrame, first: pd.DataFrame, mapping: Mapping,
                  issues: list[pd.DataFrame]) -> None:
    """source_type from the log's column where the mapping names one; unmapped values reported."""
    if "source_type" not in table:
        table["source_type"] = ""
    table["source_type"] = table["source_type"].fillna("")
    if not mapping.source_column:
        return
    raw = _text(first[mapping.source_column]).reset_index(drop=True)
    mapped = raw.map(mapping.source_values)
    table["source_type"] = mapped.where(mapped.notna(), table["source_type"])
    issues.append(_issue(table, (raw != "") & mapped.isna(), "source_type", raw,
                         f"a value of {mapping.source_column} listed under source.values: "
                         + ", ".join(mapping.source_values)))


def _territorial_scope(table: pd.DataFrame, first: pd.DataFrame, mapping: Mapping,
                       issues: list[pd.DataFrame]) -> None:
    """Country codes per statement from the market: itself, or the mapping's list for it."""
    market = _text(first["market"]).reset_index(drop=True)
    if mapping.territorial_scope == MARKET:
        table["territorial_scope"] = market.map(lambda m: [m] if m else [])
        return
    scopes = mapping.territorial_scope
    assert isinstance(scopes, dict)
    table["territorial_scope"] = market.map(lambda m: list(scopes.get(m, ())))
    issues.append(_issue(table, ~market.isin(list(scopes)), "territorial_scope", market,
                         "a market listed under the mapping's territorial_scope: "
                         + ", ".join(scopes)))
