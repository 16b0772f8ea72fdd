"""The rules a profile guess applies: column-name patterns, verdict words, stages
suggested from vendor queue names, and the two time checks (order, overlap).

Kept apart from :mod:`~modlean.eventlog.guess` so the vocabulary can grow
without touching the guessing logic.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from modlean._util import ascii_fold
from modlean.eventlog.columns import CANONICAL_COLUMNS, norm_name

__all__ = [
    "APPEAL_OUTCOME_WORDS",
    "NAME_PATTERNS",
    "STAGE_RULES",
    "STATUS_WORDS",
    "VERDICT_WORDS",
    "appeal_outcome_of",
    "attribute_name",
    "fold",
    "matches",
    "order_breaks",
    "overlap_share",
    "stage_of",
    "status_of",
    "value_map",
    "verdict_of",
]

#: Column-name patterns by role, matched on the folded name (lower case, "_", no accents).
#: Names in the languages of the markets modlean's users work in (English, Spanish,
#: Portuguese, French, Italian, German, Dutch, Polish, Indonesian/Malay) are known.
NAME_PATTERNS: dict[str, str] = {
    "id": r"(^|_)(id|key|no|nr|n_o|no_|num|number|ref|nummer)$|ticket|task|case|caso|tarea"
          r"|vorgang|chamado|zglosz|pratica|dossier|expediente|zaak|sprawa|kasus|(^|_)fall(_|$)",
    "activity": r"activit|step|event|status|action|stage|actividad|etapa|paso|schritt|evento"
                r"|estado|stato|statut|zustand|(^|_)stan(_|$)|situac|attivita",
    "created": r"creat|open|receiv|submit|arriv|enqueu|queued|ingest|creac|cread|criad|creaz"
               r"|erstell|angelegt|eingang|ouvert|aanmaak|aangemaakt|ontvang|utworz|dibuat|alta"
               r"|entrada",
    "started": r"pick|assign|start|claim|accept|begin|asign|atribu|assegn|zugewies|zuweis"
               r"|inicio|inici|debut|toegewez|przypis|mulai",
    "closed": r"clos|resolv|done|complet|finish|(^|_)end|decid|decision_(time|at)|cierre"
              r"|cerrad|resuel|fechad|chius|geschlossen|abgeschlossen|erledigt|ferm|clotur"
              r"|gesloten|afgerond|afgehandeld|voltooid|zamkni|zakoncz|selesai|(^|_)fin(_|$)",
    "queue": r"queue|stage|skill|team|workflow|line|bucket|lane|step|(^|_)(cola|coda|fila|file"
             r"|fileira|warteschlange|wachtrij|kolejka|antrian|baris|equipo|equipe|grupo"
             r"|gruppe)(_|$)",
    "resource": r"agent|reviewer|user|resource|operator|assignee|handled_by|moderator|worker"
                r"|analyst|owner|performer|revisor|usuario|utilisateur|utente|operador"
                r"|operatore|bearbeiter|mitarbeiter|moderador|analista|medewerker|pracownik"
                r"|uzytkownik|konsultant|petugas",
    "verdict": r"verdict|decision|outcome|result|action|resolution|disposition|decisi"
               r"|entscheid|ergebnis|esito|veredicto|besluit|decyzj|keputusan|hasil",
    "label": r"reason|label|violation|policy|motiv|razon|grund|causa|politica|richtlinie"
             r"|reden|powod|alasan",
    "score": r"score|prob|confidence|likelihood|confianza|confian|puntuac|pontua|punteggio"
             r"|konfidenz|wahrscheinlich|skor|wynik_model",
    "qa": r"^(qa|qc|audit)(_|$)|_(qa|qc|audit)(_|$)|calidad|qualit|kontrolle|controle",
    "qa_reason": r"reason|cause|error|comment|categor|motiv|razon|grund|causa|comentario"
                 r"|kommentar",
    "assigned": r"assign|asign|atribu|assegn|zugewies|zuweis|toegewez|przypis",
    "qa_reviewer": r"agent|reviewer|auditor|checker|user|(^|_)by$|analyst|revisor|pruefer"
                   r"|prufer|auditeur",
}

#: Canonical values and the words that mean them (folded like names), per kind of verdict.
VERDICT_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "decision": {
        "approve": ("approve", "approved", "accept", "accepted", "allow", "allowed", "keep",
                    "publish", "published", "aprobado", "aprobada", "aprobar", "aceptado",
                    "aprovado", "aprovada", "approuve", "accepte", "approvato", "approvata",
                    "accettato", "accettata", "auto_approvata", "auto_approved",
                    "genehmigt", "freigegeben", "akzeptiert", "goedgekeurd", "toegestaan",
                    "zatwierdzono",
                    "zatwierdzone", "zaakceptowane", "zaakceptowano",
                    "disetujui", "diterima"),
        "reject": ("reject", "rejected", "deny", "denied", "decline", "declined", "remove",
                   "removed", "block", "blocked", "takedown", "rechazado", "rechazada",
                   "rechazar", "denegado", "eliminado", "bloqueado", "rejeitado", "rejeitada",
                   "rejete", "refuse", "rifiutato", "rifiutata", "respinto", "respinta",
                   "abgelehnt", "gesperrt",
                   "entfernt", "afgewezen", "afgekeurd", "geweigerd", "verwijderd",
                   "odrzucono", "odrzucone", "ditolak"),
        "escalate": ("escalate", "escalated", "escalation", "refer", "referred", "escalado",
                     "escalada", "escalar", "escalade", "escalato", "escalata", "eskaliert",
                     "geescaleerd", "doorgezet", "doorgestuurd", "eskalacja", "eskalowane",
                     "derivar", "derivado", "derivada", "encaminhado", "encaminhada",
                     "inoltrato", "transmis",
                     "eskalowano",
                     "dieskalasi", "sent_to_review",
                     "send_to_review", "to_review", "manual_review", "human_review",
                     "inviato_a_revisione", "enviado_a_revision", "enviado_para_revisao",
                     "an_pruefung", "zur_pruefung"),
    },
    "qa": {
        "pass": ("pass", "passed", "ok", "correct", "agree", "agreed", "correcto", "correcta",
                 "bestanden", "conforme", "corretto", "goed", "sesuai", "valid", "valido",
                 "konform", "conformite"),
        "fail": ("fail", "failed", "nok", "not_ok", "ko", "incorrect", "disagree", "error",
                 "incorrecto", "incorrecta", "fallo", "no_conforme", "nicht_bestanden",
                 "fehler", "errato", "fout", "salah", "invalid", "invalido", "non_conforme",
                 "no_conforme", "nao_conforme", "nicht_konform", "non_conformite"),
    },
}


def fold(name: str) -> str:
    """A name or value folded for matching: lower case, spaces/dots/dashes as "_", accents
    dropped ("Fecha Creación" -> "fecha_creacion", "Użytkownik" -> "uzytkownik")."""
    return ascii_fold(norm_name(name))


def _token(words: str) -> str:
    return rf"(?<![A-Z0-9])(?:{words})(?![A-Z0-9])"


#: (pattern on the upper-case queue value, stage, pool), first match wins.
STAGE_RULES: tuple[tuple[str, str, str], ...] = (
    (_token(r"AUTO|MODEL|MODELO|MODELLO|MODELE|ML|BOT|MACHINE|CLASSIFIER|CLASIFICADOR"
            r"|CLASSIFICATORE|KLASSIFIKATOR"), "auto_screen", "model"),
    (r"APPEAL|BEZWAAR|RECURS|RICORS|RECLAMA|APELAC|ODWOLAN|ODWOŁAN|EINSPRUCH|WIDERSPRUCH"
     r"|BANDING|KEBERATAN", "appeal_review", "appeals"),
    (_token(r"IPR?|LEGAL|COPYRIGHT|TRADEMARK|BRAND"), "review_ipr", "ipr"),
    (_token(r"KYB|KYC|ONBOARDING"), "review_kyb", "kyb"),
    (_token(r"[TLN]2|TIER[-_ ]?2|(NIVEL|NIVEAU|LIVELLO|LEVEL)[-_ ]?2|SPECIALIST(S|EN|I)?"
            r"|ESPECIALISTAS?|SPEZIALISTEN|ESCALATIONS?|EXPERT(S|EN|I|OS?|ES)?|ESPERTI"
            r"|SECOND[-_ ]?LINE|TWEEDE[-_ ]?LIJN|SEGUNDA[-_ ]?LINEA"
            r"|SECONDA[-_ ]?LINEA|ZWEITE[-_ ]?EBENE"), "review_l2", "l2_policy"),
    (_token(r"[TLN]1|TIER[-_ ]?1|(NIVEL|NIVEAU|LIVELLO|LEVEL)[-_ ]?1|FRONTLINE|FIRST[-_ ]?LINE"
            r"|EERSTE[-_ ]?LIJN|PRIMERA[-_ ]?LINEA"
            r"|PRIMA[-_ ]?LINEA|ERSTE[-_ ]?EBENE|PIERWSZA[-_ ]?LINIA"), "review_l1", "l1"),
)
_L1_AREAS = ("LISTING", "CONTENT", "SELLER")


#: Statuses of a status history that are no verdict: (pattern on the folded status, the
#: activity of its event, its lifecycle: "start" begins the review a verdict completes).
STATUS_WORDS: tuple[tuple[str, str, str | None], ...] = (
    (r"^(in_(progress|review|work|bearbeitung|lavorazione|behandeling)|work(ing|_started)"
     r"|started|w_trakcie|en_(curso|cours|revision)|em_(andamento|analise)|sedang_diproses"
     r"|under_review|reviewing|wip)$", "review", "start"),
    (r"^(new|created|open|received|submitted|nowe|nuevo|nueva|novo|nova|nouveau|neu|nieuw"
     r"|nuovo|nuova|baru|utworzone)$", "created", None),
    (r"^(queued|in_queue|waiting|in_coda|en_cola|na_fila|en_attente|in_warteschlange"
     r"|in_wachtrij|w_kolejce|dalam_antrian)$", "queued", None),
    (r"^(on_hold|paused|suspended|sospes[ao]|en_espera|pausad[ao]|suspendu|wstrzymane"
     r"|pausiert|gepauzeerd|pending_(seller|customer|info))$", "review", "complete"),
    (r"^(resumed|ripres[ao]|reanudad[ao]|retomad[ao]|repris|wznowione|fortgesetzt"
     r"|hervat)$", "resumed", None),
    (r"assign|asign|atribu|assegn|zugewies|toegewez|przypis|ditugaskan", "assigned", None),
    (r"appeal|odwolan|apelac|recurs|einspruch|widerspruch|ricorso|bezwaar|banding|reclama",
     "appeal_opened", None),
)


#: Words of an appeal's outcome, per verdict on the contested rejection: granted, it is
#: overturned (approve); denied, it stands (reject). Matched on a status's words.
APPEAL_OUTCOME_WORDS: dict[str, tuple[str, ...]] = {
    "approve": ("granted", "accepted", "allowed", "won", "overturned", "accolto", "accolta",
                "aceptado", "aceptada", "estimado", "estimada", "procedente", "deferido",
                "accepte", "stattgegeben", "toegewezen", "gegrond", "uwzglednione",
                "diterima", "revocar", "revocado", "revocada"),
    "reject": ("denied", "rejected", "dismissed", "upheld", "lost", "respinto", "respinta",
               "rechazado", "rechazada", "desestimado", "desestimada", "improcedente",
               "indeferido", "rejete", "abgewiesen", "afgewezen", "ongegrond", "oddalone",
               "ditolak", "confirmar", "confirmado", "confirmada", "confermato", "confermata"),
}


def appeal_outcome_of(status: str) -> str | None:
    """The verdict an appeal-outcome status stands for ("Ricorso accolto" -> approve, "Appeal
    denied" -> reject), or None when the status names no appeal with an outcome."""
    words = set(fold(status).split("_"))
    if not re.search(STATUS_WORDS[-1][0], fold(status)):
        return None
    return next((v for v, ws in APPEAL_OUTCOME_WORDS.items() if words & set(ws)), None)


def status_of(status: str) -> tuple[str | None, str | None]:
    """The activity and lifecycle a non-verdict status suggests, or ``(None, None)``."""
    key = fold(status)
    for pattern, activity, lifecycle in STATUS_WORDS:
        if re.search(pattern, key):
            return activity, lifecycle
    return None, None


def matches(column: str, role: str) -> bool:
    """Whether a column's name fits ``role`` (a key of :data:`NAME_PATTERNS`)."""
    return re.search(NAME_PATTERNS[role], fold(column)) is not None


def stage_of(queue: str) -> tuple[str | None, str | None]:
    """The stage and pool a vendor queue name suggests, or ``(None, None)``."""
    upper = queue.upper()
    for pattern, stage, pool in STAGE_RULES:
        if re.search(pattern, upper):
            if pool == "l1":
                area = next((a for a in _L1_AREAS if a in upper), None)
                pool = f"l1_{area.lower()}" if area else pool
            return stage, pool
    return None, None


def verdict_of(value: str, kind: str = "decision") -> str | None:
    """The canonical verdict a vendor value is a word for (``kind`` "decision" or "qa"),
    or None."""
    key = fold(value)
    return next((canon for canon, ws in VERDICT_WORDS[kind].items() if key in ws), None)


def value_map(top: Mapping[str, int], kind: str) -> tuple[dict[str, str], int]:
    """Each value -> its canonical verdict (``kind`` "decision" or "qa"), and how many
    values are no known word (those map to their own name in snake case)."""
    words = {w: canon for canon, ws in VERDICT_WORDS[kind].items() for w in ws}
    out: dict[str, str] = {}
    unknown = 0
    for value in top:
        key = fold(value)
        if key in words:
            out[value] = words[key]
        else:
            out[value] = key
            unknown += 1
    return out, unknown


#: Column names read as a known attribute.
_ATTRIBUTES = {
    "item_type": r"^(item_)?(category|type|tipo|categoria|tipologia|typ|kategorie|categorie"
                 r"|jenis|kategori|kategoria|soort|rodzaj|tipe)$|^content_type$|^item_kind$",
    "market": r"^(market|country|site|marketplace|mercato|mercado|markt|pais|paese|land"
              r"|negara)(_code)?$",
}
_RESERVED = {*CANONICAL_COLUMNS, "decision", "label", "model_score", "task_id", "queue", "pool",
             "lifecycle", "qa_result", "qa_decision", "qa_reason"}


def attribute_name(column: str, taken: Mapping[str, object]) -> str:
    """The canonical attribute name for a kept column (``category`` -> ``item_type``)."""
    key = fold(column)
    for name, pattern in _ATTRIBUTES.items():
        if re.search(pattern, key) and name not in taken:
            return name
    key = re.sub(r"\W+", "_", key).strip("_") or "column"
    return f"source_{key}" if key in _RESERVED or key in taken else key


def order_breaks(times: pd.DataFrame) -> tuple[int, int]:
    """Rows with every time filled, and how many of them break the order (a column after
    the next)."""
    full = times.dropna()
    if full.empty:
        return 0, 0
    values = full.to_numpy(dtype="datetime64[us]")
    ordered = (np.diff(values, axis=1) >= np.timedelta64(0, "us")).all(axis=1)
    return len(full), int((~ordered).sum())


def overlap_share(resource: pd.Series, started: pd.Series, closed: pd.Series,
                  by: pd.Series | None = None) -> pd.Series:
    """Share of tasks started before the same resource closed its previous task, in all
    (index ``""``) and, with ``by`` (a queue column), per queue.

    An agent who works one task at a time never does that; a large share means
    the "started" column records the assignment, not the start of work.
    """
    frame = pd.DataFrame({"who": resource, "start": started, "end": closed,
                          "by": by if by is not None else ""}).dropna(
        subset=["who", "start", "end"])
    frame = frame.sort_values(["who", "start"], kind="stable")
    previous_end = frame.groupby("who", sort=False)["end"].shift()
    has_previous = previous_end.notna()
    early = (frame["start"] < previous_end)[has_previous]
    if early.empty:
        return pd.Series({"": 0.0})
    per_queue = early.groupby(frame.loc[has_previous, "by"].astype(str)).agg(["mean", "size"])
    per_queue = per_queue.loc[per_queue["size"] >= 20, "mean"] if by is not None else \
        per_queue["mean"].iloc[:0]
    return pd.concat([pd.Series({"": float(early.mean())}), per_queue.sort_values(
        ascending=False)])
