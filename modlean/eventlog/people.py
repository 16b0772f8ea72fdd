"""Who is not a reviewer: vendor logins of the model, the system and the seller.

A review tool logs work by people and by others: the ML model that decides on its
own, the system that creates tickets, the seller who opens an appeal. modlean
knows them by the names in :data:`~modlean.eventlog.columns.NOT_PEOPLE` (``model``,
``system``, ``seller``): calibration, seat counts and the QA figures count every
other resource as a person. A profile's ``resources:`` map says which vendor
logins are which (``{auto-moderator: model, sprzedawca: seller}``);
:func:`rename_resources` applies it to a resource column, vectorised (each
distinct login looked at once), and says in the mapping report which logins were
renamed, which mapped logins the export lacks, and which logins still look like
a bot, the system or a seller (:func:`looks_like`, multilingual words, accents
folded) without being mapped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from modlean._util import count_text, suggest
from modlean.eventlog.categorical import distinct_text, is_categorical, map_categories
from modlean.eventlog.columns import NOT_PEOPLE
from modlean.eventlog.guess_rules import fold

if TYPE_CHECKING:
    from modlean.eventlog.report import MappingReport

__all__ = ["NOT_PERSON_WORDS", "looks_like", "not_people_logins", "rename_resources"]

#: Words in a login that say it is no person, by modlean's name for it (folded: lower case,
#: no accents), in the languages of modlean's markets (en, es, pt, fr, it, de, nl, pl, id).
NOT_PERSON_WORDS: dict[str, frozenset[str]] = {
    "model": frozenset({
        "bot", "robot", "robo", "auto", "automat", "automatic", "automated", "automation",
        "model", "modelo", "modele", "modello", "ml", "ai", "ia", "classifier", "machine",
        "automatico", "automatica", "automatique", "automatisch", "automatyczny",
        "automatycznie", "otomatis", "mesin", "filter", "filtro", "filtr"}),
    "system": frozenset({
        "system", "sistema", "systeme", "sistem", "systeem", "systemowy", "cron",
        "scheduler", "daemon", "batch", "service", "servicio", "servico", "dienst", "api",
        "workflow", "noreply", "no_reply", "integration", "integracja"}),
    "seller": frozenset({
        "seller", "merchant", "sprzedawca", "sprzedajacy", "vendedor", "vendedora",
        "venditore", "venditrice", "verkaufer", "verkaeufer", "vendeur", "vendeuse",
        "verkoper", "penjual", "lojista", "comerciante", "commercant", "haendler",
        "sklep", "shop", "tienda", "loja", "negozio", "boutique", "toko"}),
}
#: Prefixes of a login's word that say model (``automoderator``, ``autobot``).
_MODEL_PREFIXES = ("auto", "robot")


def looks_like(login: str) -> str | None:
    """The name in :data:`NOT_PEOPLE` a vendor login looks like (``model``, ``system``,
    ``seller``), or None for a person's login.

    The login's part before any ``@`` is folded (lower case, accents dropped) and cut
    into words; a word in :data:`NOT_PERSON_WORDS` (a trailing number ignored), a
    word starting with ``auto``/``robot`` or ending in ``bot`` says which.
    """
    local = str(login).split("@", 1)[0]
    words = [re.sub(r"\d+$", "", w) for w in re.split(r"[^a-z0-9]+", fold(local)) if w]
    for kind in ("seller", "system", "model"):
        if any(w in NOT_PERSON_WORDS[kind] for w in words):
            return kind
    if any(w.startswith(_MODEL_PREFIXES) or (len(w) > 3 and w.endswith("bot")) for w in words):
        return "model"
    return None


def not_people_logins(logins: pd.Series) -> dict[str, str]:
    """``{login: name}`` for the distinct logins that look like the model, the system or the
    seller (:func:`looks_like`), apart from modlean's own names; most frequent first."""
    counts = logins.dropna().astype(str).str.strip().value_counts()
    found = {str(k): looks_like(str(k)) for k in counts.index if str(k) not in NOT_PEOPLE}
    return {k: v for k, v in found.items() if v is not None}


def _one_spelling(names: pd.Series, folded: pd.Series, counts: pd.Series,
                  people: np.ndarray) -> dict[str, str]:
    """``{login: spelling}`` for logins of ``people`` written in more than one way (equal
    when stripped and case-folded): each takes the spelling with the most rows."""
    out: dict[str, str] = {}
    frame = pd.DataFrame({"name": names[people], "key": folded[people]})
    for _, group in frame.groupby("key", sort=False):
        if len(group) < 2:
            continue
        spellings = sorted(group["name"], key=lambda n: (-int(counts.get(n, 0)), n))
        out.update({n: spellings[0] for n in spellings[1:]})
    return out


def rename_resources(resource: pd.Series, mapping: Mapping[str, str],
                     report: MappingReport, *, column: str, key_path: str = "resources",
                     automated: np.ndarray | None = None) -> pd.Series:
    """``resource`` with the logins in ``mapping`` (matched case-insensitively, stripped)
    renamed to their :data:`NOT_PEOPLE` name, and a person's login written in more than one
    way (``op.rossi``, ``Op.Rossi``) as its commonest spelling; other values unchanged.

    The report gets a ``vocabulary`` row naming each renamed login and its rows, one
    naming the merged spellings, a
    ``resource_not_found`` warning for a mapped login the column lacks (with a
    did-you-mean), and a ``looks_not_person`` warning for logins that look like the
    model, the system or the seller but are not mapped, with the ``key_path`` to set
    (logins seen only on ``automated`` rows are left out: the import logs those as ``model``).
    """
    lookup = {str(k).strip().casefold(): v for k, v in mapping.items()}
    if is_categorical(resource):
        names = pd.Series(resource.cat.categories.astype(str), dtype=object)
    else:
        codes, uniques = pd.factorize(resource.astype(object), use_na_sentinel=True)
        names = pd.Series(np.asarray(uniques, dtype=object)).astype(str)
    folded = names.str.strip().str.casefold()
    new = folded.map(lookup)
    hit = new.notna().to_numpy()
    counts = resource.value_counts()
    if hit.any():
        listed = ", ".join(f"{names[i]!r} -> {new[i]} ({int(counts.get(names[i], 0)):,} rows)"
                           for i in np.flatnonzero(hit))
        report.add("vocabulary", "resources", int(hit.sum()),
                   f"logins renamed to modlean's names of non-reviewers: {listed}")
    missing = sorted(set(lookup) - set(folded[hit]))
    if missing:
        options = list(names)
        report.warn("resource_not_found", "; ".join(
            f"{key_path}: {k!r} is no value of {column!r}{suggest(k, options)}"
            for k in missing) + " (nothing renamed for it)")
    candidates = names[~hit]
    if automated is not None and automated.any():
        candidates = candidates[candidates.str.strip().isin(distinct_text(resource[~automated]))]
    found = not_people_logins(candidates)
    unmapped = {k: found[k] for k in sorted(found, key=lambda k: -int(counts.get(k, 0)))}
    if unmapped:
        told = ", ".join(f"{k!r} ({int(counts.get(k, 0)):,} rows) looks like the {v}"
                         for k, v in unmapped.items())
        example = ", ".join(f"{k}: {v}" for k, v in list(unmapped.items())[:3])
        report.warn("looks_not_person", f"{told}; modlean counts such logins as reviewers "
                    f"unless mapped: if they are none, set {key_path}: {{{example}}} in the "
                    "profile")
    renamed = names.where(~hit, new)
    merged = _one_spelling(names, folded, counts, ~hit)
    if merged:
        renamed = renamed.where(~names.isin(list(merged)), names.map(merged))
        report.add("vocabulary", "logins merged", len(merged), "logins written in more than "
                   "one way (letter case, blanks) are one person: " + ", ".join(
                       f"{k!r} -> {v!r} ({count_text(int(counts.get(k, 0)), 'row')})"
                       for k, v in merged.items()))
    changed = hit | names.isin(list(merged)).to_numpy()
    if not changed.any():
        return resource
    if is_categorical(resource):
        return map_categories(resource, lambda cats: renamed)
    out = pd.Series(np.where(codes >= 0, renamed.to_numpy(dtype=object)[np.maximum(codes, 0)],
                             None), index=resource.index, dtype=object)
    return out.where(codes >= 0, resource.astype(object))
