"""A seeded seller-onboarding log in its own vocabulary, with a known generating workflow.

Sellers apply at random (Poisson, uniform over the day); each application walks

* ``Doc check`` (the document team, lognormal handling, mean DOC_S seconds), then with
  P_VERIFY a ``Verification call``, else it ends (rejected);
* before the call, the seller has to answer: an external wait (lognormal, mean
  SELLER_WAIT_H hours) that no agent's work explains; then the call (the call team,
  mean CALL_S);
* after the call, a label route: sellers labelled ``high_risk`` go to ``Risk review``
  with P_RISK["high_risk"], the others with P_RISK["standard"]; the rest end;
* ``Risk review`` by the risk analysts (mean RISK_S).

Each team's agents take the next task first come, first served, the earliest free agent
first; one agent (``Ana Costa``) works both document checks and risk reviews. Every event
logs its start and completion, the agent and the case's label, in pm4py's column names.
"""

from __future__ import annotations

import heapq
from pathlib import Path

import numpy as np
import pandas as pd

DOC_S, CALL_S, RISK_S = 480.0, 1200.0, 1800.0
SELLER_WAIT_H = 30.0
P_VERIFY = 0.8
P_RISK = {"high_risk": 0.9, "standard": 0.05}
HIGH_RISK_SHARE = 0.3
TEAMS = {
    "Doc check": ["Ana Costa", "Ben Ito", "Chloe Martin", "Dev Rao"],
    "Verification call": ["Eli Noor", "Fay Ward", "Gus Lind"],
    "Risk review": ["Ana Costa", "Hana Sato"],
}


def _lognormal(rng: np.random.Generator, mean: float, cv: float, n: int) -> np.ndarray:
    sigma = np.sqrt(np.log1p(cv ** 2))
    return rng.lognormal(np.log(mean) - sigma ** 2 / 2, sigma, n)


def make_onboarding_log(cases: int = 2000, *, seed: int = 7, days: float = 14.0
                        ) -> pd.DataFrame:
    """The log of ``cases`` applications over ``days`` days (columns as pm4py writes them)."""
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp("2026-03-02", tz="UTC")
    arrive = np.sort(rng.uniform(0, days * 86400, cases))
    high = rng.random(cases) < HIGH_RISK_SHARE
    verify = rng.random(cases) < P_VERIFY
    risk = rng.random(cases) < np.where(high, P_RISK["high_risk"], P_RISK["standard"])
    risk &= verify
    ready = {"Doc check": arrive.copy(),
             "Verification call": np.full(cases, np.nan),
             "Risk review": np.full(cases, np.nan)}
    means = {"Doc check": DOC_S, "Verification call": CALL_S, "Risk review": RISK_S}
    free = {name: 0.0 for team in TEAMS.values() for name in team}
    rows = []
    seller = _lognormal(rng, SELLER_WAIT_H * 3600, 0.8, cases)
    for act in TEAMS:  # the steps in order: every case's earlier step is done before
        todo = np.nonzero(~np.isnan(ready[act]))[0]
        todo = todo[np.argsort(ready[act][todo], kind="stable")]
        service = _lognormal(rng, means[act], 0.5, len(todo))
        agents = [(free[a], a) for a in TEAMS[act]]
        heapq.heapify(agents)
        for case, svc in zip(todo, service, strict=True):
            at, who = heapq.heappop(agents)
            start = max(at, ready[act][case])
            end = start + svc
            heapq.heappush(agents, (end, who))
            free[who] = end
            rows.append((case, act, who, start, end))
            if act == "Doc check" and verify[case]:
                ready["Verification call"][case] = end + seller[case]
            elif act == "Verification call" and risk[case]:
                ready["Risk review"][case] = end
    ev = pd.DataFrame(rows, columns=["case", "activity", "resource", "start", "end"])
    return pd.DataFrame({
        "case:concept:name": [f"S{c:05d}" for c in ev["case"]],
        "concept:name": ev["activity"],
        "org:resource": ev["resource"],
        "start_timestamp": t0 + pd.to_timedelta(ev["start"], unit="s"),
        "time:timestamp": t0 + pd.to_timedelta(ev["end"], unit="s"),
        "label": np.where(high[ev["case"]], "high_risk", "standard"),
    }).sort_values(["case:concept:name", "time:timestamp"], ignore_index=True)


def write_onboarding_log(path: Path, **kw: object) -> Path:
    """Write :func:`make_onboarding_log` as CSV at ``path``."""
    make_onboarding_log(**kw).to_csv(path, index=False)  # type: ignore[arg-type]
    return path
