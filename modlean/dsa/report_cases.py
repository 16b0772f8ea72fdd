"""The facts the transparency report counts, per case: received, decided, source, restriction.

:func:`case_facts` gives one row per case of the log: when it came in (its
first event), when it was decided (its restriction's deciding event, else its
last deciding event: the decision not to act), its source type (a notice or the
platform's own initiative, from the mapping or the log's source column) and,
for a restricted case, the statement fields of :func:`restriction_table` (the
ground, category, keywords, the kinds of restriction, automated detection and
decision). Every table of the report is a count over these rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from modlean.dsa.mapping import Mapping
from modlean.dsa.statements import automated_rows, decider_is_automated, restriction_table

__all__ = ["NOTICE_SOURCES", "OWN_INITIATIVE", "RESTRICTION_KINDS", "TRUSTED_FLAGGER",
           "case_facts"]

#: Source types of notices (Art. 16; a trusted flagger's notice is one too, Art. 22).
NOTICE_SOURCES = ("SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER")
TRUSTED_FLAGGER = "SOURCE_TRUSTED_FLAGGER"
#: The source type of a measure taken at the provider's own initiative.
OWN_INITIATIVE = "SOURCE_VOLUNTARY"
#: Boolean columns of :func:`case_facts`: (statement field, values that make it true).
RESTRICTION_KINDS = {
    "vis_removed": ("decision_visibility", ("DECISION_VISIBILITY_CONTENT_REMOVED",)),
    "vis_disabled": ("decision_visibility", ("DECISION_VISIBILITY_CONTENT_DISABLED",)),
    "vis_demoted": ("decision_visibility", ("DECISION_VISIBILITY_CONTENT_DEMOTED",)),
    "vis_age": ("decision_visibility", ("DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",)),
    "vis_interaction": ("decision_visibility",
                        ("DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",)),
    "vis_labelled": ("decision_visibility", ("DECISION_VISIBILITY_CONTENT_LABELLED",)),
    "vis_other": ("decision_visibility", ("DECISION_VISIBILITY_OTHER",)),
    "mon_suspension": ("decision_monetary", ("DECISION_MONETARY_SUSPENSION",)),
    "mon_termination": ("decision_monetary", ("DECISION_MONETARY_TERMINATION",)),
    "mon_other": ("decision_monetary", ("DECISION_MONETARY_OTHER",)),
    "prov_suspension": ("decision_provision", ("DECISION_PROVISION_PARTIAL_SUSPENSION",
                                               "DECISION_PROVISION_TOTAL_SUSPENSION")),
    "prov_termination": ("decision_provision", ("DECISION_PROVISION_PARTIAL_TERMINATION",
                                                "DECISION_PROVISION_TOTAL_TERMINATION")),
    "acc_suspension": ("decision_account", ("DECISION_ACCOUNT_SUSPENDED",)),
    "acc_termination": ("decision_account", ("DECISION_ACCOUNT_TERMINATED",)),
}


def _listed(values: pd.Series, wanted: tuple[str, ...]) -> np.ndarray:
    """Per row: the field (a list or a single value) holds one of ``wanted``."""
    exploded = values.explode()
    return exploded.isin(wanted).groupby(level=0).any().reindex(values.index,
                                                                fill_value=False).to_numpy()


def case_facts(log: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    """One row per case (index ``case_id``): received, decided, source and its restriction.

    Columns: ``received_at``; ``decided_at`` (NaT while undecided); ``item_type``;
    ``source_type``; ``restricted`` and, for restricted cases, ``restricted_at``,
    ``label``, ``decision_ground``, ``category``, ``keywords`` (a list),
    ``automated_detection``, ``automated_decision``; ``decided_by_model`` (the
    last decider up to the decision was automated); and the booleans of
    :data:`RESTRICTION_KINDS`.
    """
    log = log.assign(case_id=log["case_id"].astype(str))
    by_case = log.groupby("case_id", sort=False)
    facts = pd.DataFrame({"received_at": by_case["timestamp"].min()})
    facts["item_type"] = by_case["item_type"].first().astype(object).fillna("").astype(str)
    restrictions, _ = restriction_table(log, mapping)
    restrictions = restrictions.set_index("case_id")
    facts["restricted"] = facts.index.isin(restrictions.index)
    for name in ("label", "decision_ground", "category", "automated_detection",
                 "automated_decision", "source_type"):
        column = restrictions[name] if name in restrictions else pd.Series(dtype=object)
        facts[name] = column.reindex(facts.index).astype(object).fillna("").astype(str)
    keywords = restrictions.get("category_specification", pd.Series(dtype=object))
    facts["keywords"] = [v if isinstance(v, list) else [] for v in keywords.reindex(facts.index)]
    facts["restricted_at"] = restrictions["decided_at"].reindex(facts.index) if len(
        restrictions) else pd.Series(pd.NaT, index=facts.index, dtype=log["timestamp"].dtype)
    for name, (field, wanted) in RESTRICTION_KINDS.items():
        values = restrictions[field].reindex(facts.index) if field in restrictions else \
            pd.Series(None, index=facts.index, dtype=object)
        facts[name] = _listed(values, wanted)
    deciding = log[log["activity"].isin(mapping.deciding_activities) & log["decision"].notna()]
    last = deciding.drop_duplicates("case_id", keep="last")
    facts["decided_at"] = facts["restricted_at"].fillna(
        last.set_index("case_id")["timestamp"].reindex(facts.index))
    decision_rows = log.loc[restrictions["row"]] if len(restrictions) else last.iloc[:0]
    decision_rows = pd.concat([decision_rows, last[~last["case_id"].isin(restrictions.index)]])
    by_model = decider_is_automated(log, decision_rows, automated_rows(log, mapping), mapping)
    facts["decided_by_model"] = by_model.reindex(facts.index).fillna(False).astype(bool)
    _unrestricted_sources(facts, log, mapping)
    return facts


def _unrestricted_sources(facts: pd.DataFrame, log: pd.DataFrame, mapping: Mapping) -> None:
    """source_type of the cases without a restriction: the log's column, else the item type's."""
    todo = ~facts["restricted"].to_numpy()
    if not todo.any():
        return
    types = facts.loc[todo, "item_type"]
    # one look-up per distinct item type: a handful, not one per case
    per_type = {t: str(mapping.fields_for(t, "").get("source_type", "")) for t in types.unique()}
    source = types.map(per_type)
    if mapping.source_column and mapping.source_column in log:
        raw = log.groupby("case_id", sort=False)[mapping.source_column].first()
        from_log = raw.reindex(types.index).astype(object).map(mapping.source_values)
        source = from_log.where(from_log.notna(), source)
    facts.loc[todo, "source_type"] = source.fillna("").astype(str)
