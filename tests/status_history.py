"""A seeded status-change audit log, as a Spanish-speaking BPO's review tool exports it.

One row per status change, rows in no particular order, ISO times with offsets
(Europe/Madrid, across the March clock change), decimal-comma model scores.
Statuses: NUEVO (created), ASIGNADO (assigned), EN CURSO (work started),
APROBADO / RECHAZADO (decision), ESCALADO (to a senior), APELACIÓN (the seller
appeals: a new ticket pointing to the rejected one). ``make_history`` returns
the export and the truth: every piece of review work (root ticket, reviewer,
start, end) and the tickets whose creation and assignment share a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

ZONE = "Europe/Madrid"
#: mean handling of a first review in minutes: gamma(2, 3.5)
FIRST_REVIEW_MEAN = 7.0
L1 = [f"agente{i:02d}@bpo.es" for i in range(1, 9)]
SENIORS = ["senior.ana@bpo.es", "senior.luis@bpo.es"]
APPEALS = ["apelaciones@bpo.es"]


@dataclass
class History:
    """The export and what the generator knows."""

    export: pd.DataFrame
    #: one row per piece of review work: case (root ticket), resource, start, end, first
    reviews: pd.DataFrame
    #: tickets assigned in the second they were created (ties in the log)
    tied: list[str]
    #: decisions taken by the model at once (completes without a start)
    automatic: int


def make_history(tickets: int = 1500, seed: int = 5, order_seed: int = 3) -> History:
    """The export of ``tickets`` tickets (rows shuffled with ``order_seed``) and its truth."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2026-03-23 00:00", tz=ZONE)
    rows: list[dict[str, object]] = []
    reviews: list[tuple[str, str, pd.Timestamp, pd.Timestamp, bool]] = []
    tied: list[str] = []
    automatic = 0
    number = 40000

    def row(ticket: int, parent: int | None, cat: str, status: str, when: pd.Timestamp,
            who: str, score: float | None = None, reason: str = "") -> None:
        rows.append({"Ticket": str(ticket), "Ticket padre": "" if parent is None else str(parent),
                     "Categoría": cat, "Estado": status,
                     "Fecha cambio": when.tz_convert(ZONE).isoformat(timespec="seconds"),
                     "Usuario": who,
                     "Puntuación modelo": "" if score is None else f"{score:.3f}".replace(".", ","),
                     "Motivo": reason})

    def sec(minutes: float) -> pd.Timedelta:
        return pd.Timedelta(seconds=max(1, round(minutes * 60)))

    for _ in range(tickets):
        number += 1
        ticket = number
        cat = str(rng.choice(["Anuncio", "Reseña", "Foto"], p=[0.7, 0.2, 0.1]))
        created = start + pd.Timedelta(minutes=int(rng.integers(0, 14 * 24 * 60)))
        score = float(rng.beta(2, 5))
        row(ticket, None, cat, "NUEVO", created, "sistema", score)
        if score < 0.06 or score > 0.85:
            verdict = "APROBADO" if score < 0.06 else "RECHAZADO"
            row(ticket, None, cat, verdict, created + pd.Timedelta(seconds=2), "modelo", score,
                "" if verdict == "APROBADO" else "PROHIBIDO")
            automatic += 1
            continue
        agent = str(rng.choice(L1))
        assigned = created if rng.random() < 0.1 else created + sec(rng.exponential(20))
        if assigned == created:
            tied.append(str(ticket))
        row(ticket, None, cat, "ASIGNADO", assigned, agent)
        began = assigned + sec(rng.exponential(4))
        row(ticket, None, cat, "EN CURSO", began, agent)
        done = began + sec(rng.gamma(2, FIRST_REVIEW_MEAN / 2))
        reviews.append((str(ticket), agent, began, done, True))
        if rng.random() < 0.1:
            row(ticket, None, cat, "ESCALADO", done, agent)
            agent = str(rng.choice(SENIORS))
            began = done + sec(rng.exponential(45))
            row(ticket, None, cat, "EN CURSO", began, agent)
            done = began + sec(rng.gamma(2, 8))
            reviews.append((str(ticket), agent, began, done, False))
        bad = rng.random() < 0.5 * score + 0.05
        reason = str(rng.choice(["FALSIFICACION", "ENGANOSO", "SPAM"])) if bad else ""
        row(ticket, None, cat, "RECHAZADO" if bad else "APROBADO", done, agent, None, reason)
        if bad and rng.random() < 0.2:
            number += 1
            opened = done + pd.Timedelta(hours=float(rng.uniform(1, 48))).round("s")
            row(number, ticket, cat, "APELACIÓN", opened, "vendedor")
            who = APPEALS[0]
            began = opened + sec(rng.exponential(300))
            row(number, ticket, cat, "EN CURSO", began, who)
            done = began + sec(rng.gamma(2, 5))
            row(number, ticket, cat, "APROBADO" if rng.random() < 0.3 else "RECHAZADO", done,
                who, None, reason)
            reviews.append((str(ticket), who, began, done, False))
    export = pd.DataFrame(rows).sample(frac=1.0, random_state=order_seed).reset_index(drop=True)
    truth = pd.DataFrame(reviews, columns=["case_id", "resource", "start", "end", "first"])
    for col in ("start", "end"):
        truth[col] = truth[col].dt.tz_convert("UTC")
    return History(export, truth, tied, automatic)
