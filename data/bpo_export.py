"""A seeded export of a BPO review tool, in the shape program managers are handed.

Not modlean's vocabulary and not modlean's writer: one row per review *task*,
written by pandas with its unnamed index column, semicolons, decimal commas and
day-first local times in Europe/Berlin. Tickets point to a parent ticket
(escalations and appeals), the vendor's own queue names stand for stages,
``picked_up`` is when a task was *assigned* to an agent (the tool hands an agent
the next task when they start the current one, so most pick-ups precede the
real start), some agents work two queues, and QA gives PASS/FAIL with a fail
reason. A ``auto`` Y/N column is there to tempt a wrong mapping.

The generator also returns the truth the export hides: each ticket's root, the
real start of every task, and per-queue handling and waiting times, so tests and
benchmarks can check what an import recovers.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

#: The vendor's queues: mean handling seconds (lognormal, cv 0.6) and the agents on each.
QUEUES = {
    "T1-LISTING-DE": {"handling_s": 240.0, "agents": [f"de.agent{i:02d}" for i in range(1, 5)]},
    "T2-SPECIALIST": {"handling_s": 720.0, "agents": ["de.agent04", "de.spec01"]},
    "IPR-LEGAL": {"handling_s": 900.0, "agents": ["legal.anna", "legal.ben", "legal.cem"]},
    "APPEALS-DE": {"handling_s": 900.0, "agents": ["de.agent01", "appeals.dora"]},
}
REASONS = ("COUNTERFEIT", "PROHIBITED_ITEM", "MISLEADING", "IP_TRADEMARK")
TIMEZONE = "Europe/Berlin"
START = pd.Timestamp("2026-03-02 00:00", tz=TIMEZONE)  # before the spring DST change

#: The profile that imports this export (what a user writes, 30 lines at most).
PROFILE = """\
shape: tasks
locale: {sep: ";", decimal: ",", dayfirst: true, timezone: Europe/Berlin}
case:
  id: ticket_id
  links: [parent_ticket]
task:
  queue: queue
  resource: agent
  created: created
  started: picked_up
  started_means: assigned
  closed: closed
queues:
  AUTO: {stage: auto_screen, pool: model, automated: true}
  T1-LISTING-DE: {stage: review_l1, pool: l1_listing}
  T2-SPECIALIST: {stage: review_l2, pool: l2_policy}
  IPR-LEGAL: {stage: review_ipr, pool: ipr}
  APPEALS-DE: {stage: appeal_review, pool: appeals}
decision:
  column: verdict
  values: {APPROVE: approve, REJECT: reject, ESCALATE: escalate}
label: reason_code
score: model_score
attributes: {item_type: category, market: market}
qa:
  verdict: qa_result
  values: {PASS: pass, FAIL: fail}
  reason: qa_fail_reason
  time: qa_time
  reviewer: qa_agent
"""


@dataclass
class Export:
    """The export as the vendor writes it, and the truth behind it."""

    tasks: pd.DataFrame  # one row per task, vendor columns, times tz-aware (Berlin)
    truth: pd.DataFrame  # one row per task: ticket_id, root, queue, agent, created, start, closed

    def write(self, path: str | Path) -> Path:
        """Write the export as the vendor's tool does: pandas, ';', decimal comma, day-first."""
        out = self.tasks.copy()
        for col in ("created", "picked_up", "closed", "qa_time"):
            out[col] = out[col].dt.strftime("%d.%m.%Y %H:%M:%S")
        out.to_csv(path, sep=";", decimal=",", index=True)  # the unnamed index column
        return Path(path)

    def write_with_profile(self, folder: str | Path, name: str = "de") -> tuple[Path, Path]:
        """The export and the profile that imports it (:data:`PROFILE`), written in ``folder``
        as ``<name>.csv`` and ``<name>.yaml``: the two arguments of ``modlean import``."""
        folder = Path(folder)
        profile = folder / f"{name}.yaml"
        profile.write_text(PROFILE)
        return self.write(folder / f"{name}.csv"), profile

    def per_queue(self) -> pd.DataFrame:
        """True mean handling and waiting seconds and distinct agents, per human queue."""
        t = self.truth[self.truth["queue"] != "AUTO"]
        return t.assign(
            handling_s=(t["closed"] - t["start"]).dt.total_seconds(),
            wait_s=(t["start"] - t["created"]).dt.total_seconds(),
        ).groupby("queue").agg(tasks=("ticket_id", "size"), handling_s=("handling_s", "mean"),
                               wait_s=("wait_s", "mean"), agents=("agent", "nunique"))


def make_export(items: int = 2000, *, seed: int = 0, days: float = 1.0, qa_share: float = 0.15,
                one_item_type: bool = False, queues: dict[str, dict] | None = None) -> Export:
    """``items`` listings arriving over ``days`` days, screened, reviewed, QA-checked, appealed.

    ``qa_share`` of the human tasks are QA-checked. ``one_item_type``: the IP tickets are
    listings too (``category`` is ``listing`` for all), so one item type is reviewed first
    in two queues (T1 and IPR-LEGAL). ``queues`` replaces :data:`QUEUES` (the same keys),
    e.g. to let agents work two queues. The defaults give the export the tests were
    written against.
    """
    queues = QUEUES if queues is None else queues
    rng = np.random.default_rng(seed)
    arrivals = START + pd.to_timedelta(np.sort(rng.uniform(0, days * 86400, items)), unit="s")
    arrivals = arrivals.floor("s")
    category = rng.choice(["listing", "ipr"], items, p=[0.9, 0.1])
    score = rng.beta(2, 5, items).round(3)
    rows: list[dict] = []
    agent_free: dict[str, pd.Timestamp] = {}
    agent_started: dict[str, pd.Timestamp] = {}
    pending: list[tuple[pd.Timestamp, int, dict]] = []  # (created, order, task): first come first
    order = itertools.count()
    for i in range(items):
        ticket = f"DE-{100000 + i}"
        auto = {"ticket_id": ticket, "parent_ticket": "", "root": ticket, "queue": "AUTO",
                "created": arrivals[i], "model_score": score[i],
                "category": "listing" if one_item_type else category[i]}
        auto["closed"] = auto["created"] + pd.Timedelta(seconds=int(rng.integers(1, 5)))
        auto["start"] = auto["picked_up"] = auto["created"]
        auto["agent"] = "model"
        auto["verdict"] = ("REJECT" if score[i] > 0.6 else
                           "APPROVE" if score[i] < 0.15 else "ESCALATE")
        auto["reason_code"] = rng.choice(REASONS) if auto["verdict"] == "REJECT" else ""
        rows.append(auto)
        if auto["verdict"] == "ESCALATE":
            queue = "IPR-LEGAL" if category[i] == "ipr" else "T1-LISTING-DE"
            heapq.heappush(pending, (auto["closed"], next(order), _child(auto, queue)))
    counter = 0
    while pending:
        created, _, task = heapq.heappop(pending)
        queue = task["queue"]
        agent = min(queues[queue]["agents"], key=lambda a: agent_free.get(a, START))
        start = max(created, agent_free.get(agent, START))
        assigned = max(created, agent_started.get(agent, START))
        mean = queues[queue]["handling_s"]
        sigma = np.sqrt(np.log(1 + 0.6**2))
        handling = max(20, int(rng.lognormal(np.log(mean) - sigma**2 / 2, sigma)))
        closed = start + pd.Timedelta(seconds=handling)
        agent_free[agent], agent_started[agent] = closed, start
        counter += 1
        task.update(ticket_id=f"DE-{900000 + counter}", created=created, start=start,
                    picked_up=assigned, closed=closed, agent=agent)
        escalate = queue == "T1-LISTING-DE" and rng.random() < 0.1
        reject = not escalate and rng.random() < (0.45 if queue != "APPEALS-DE" else 0.7)
        task["verdict"] = "ESCALATE" if escalate else "REJECT" if reject else "APPROVE"
        task["reason_code"] = rng.choice(REASONS) if reject else ""
        rows.append(task)
        if escalate:
            heapq.heappush(pending, (closed, next(order), _child(task, "T2-SPECIALIST")))
        elif reject and queue != "APPEALS-DE" and rng.random() < 0.2:
            later = closed + pd.Timedelta(hours=float(rng.uniform(2, 48)))
            heapq.heappush(pending, (later.floor("s"), next(order), _child(task, "APPEALS-DE")))
    tasks = pd.DataFrame(rows)
    tasks["market"] = "DE"
    tasks["auto"] = np.where(tasks["queue"] == "AUTO", "Y", "N")
    human = (tasks["queue"] != "AUTO").to_numpy()
    checked = human & (rng.random(len(tasks)) < qa_share)
    failed = checked & (rng.random(len(tasks)) < 0.08)
    tasks["qa_result"] = np.where(failed, "FAIL", np.where(checked, "PASS", ""))
    tasks["qa_fail_reason"] = np.where(failed, rng.choice(["WRONG_REASON", "MISSED_VIOLATION",
                                                           "OVER_ENFORCEMENT"], len(tasks)), "")
    qa_delay = pd.to_timedelta(rng.uniform(3600, 3 * 86400, len(tasks)).astype(int), unit="s")
    tasks["qa_time"] = (tasks["closed"] + qa_delay).where(checked)
    tasks["qa_agent"] = np.where(checked, rng.choice(["qa.fatma", "qa.gregor"], len(tasks)), "")
    truth = tasks[["ticket_id", "root", "queue", "agent", "created", "start", "closed"]].copy()
    export = tasks[["ticket_id", "parent_ticket", "queue", "agent", "created", "picked_up",
                    "closed", "verdict", "reason_code", "model_score", "category", "market",
                    "auto", "qa_result", "qa_fail_reason", "qa_time", "qa_agent"]]
    shuffled = rng.permutation(len(export))  # exports are not sorted by case
    return Export(export.iloc[shuffled].reset_index(drop=True),
                  truth.iloc[shuffled].reset_index(drop=True))


def _child(parent: dict, queue: str) -> dict:
    """A ticket created from ``parent`` (an escalation or an appeal)."""
    return {"parent_ticket": parent["ticket_id"], "root": parent["root"], "queue": queue,
            "category": parent["category"], "model_score": parent["model_score"]}
