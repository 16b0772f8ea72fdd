"""Random draws of a replication: one stream per purpose, uniforms turned into times.

Common random numbers: every purpose (arrivals, labels, scores, a stage's or a
workflow step's handling times and errors ...) draws from its own stream, keyed
by name, item type and part (backlog or new), and draws one value for *every*
item of that type whether or not the item needs it. Changing a threshold, a
headcount, an accuracy or inserting a workflow step therefore leaves all other
draws unchanged.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from modlean.scenario import Delay, Handling

__all__ = ["Draws", "sample_delay_s", "sample_handling", "sample_times", "stream"]


def stream(seed: int, replication: int, *names: str) -> np.random.Generator:
    """An independent generator for one purpose, stable under reordering of the scenario."""
    key = (replication, *(zlib.crc32(n.encode()) for n in names))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def sample_times(dist: str, mean: float, cv: float, values: list[float], u: np.ndarray
                 ) -> np.ndarray:
    """Times from uniforms by inverse CDF (same u, comparable times), in the unit of ``mean``."""
    if dist == "constant":
        return np.full(len(u), mean)
    if dist == "exponential":
        return -mean * np.log1p(-u)
    if dist == "lognormal":
        if cv == 0:
            return np.full(len(u), mean)
        sigma2 = np.log1p(cv ** 2)
        return np.exp(np.log(mean) - sigma2 / 2 + np.sqrt(sigma2) * ndtri(u))
    arr = np.asarray(values, float)  # empirical
    return arr[np.minimum((u * len(arr)).astype(np.int64), len(arr) - 1)]


def sample_handling(h: Handling, u: np.ndarray, factor: float = 1.0) -> np.ndarray:
    """Handling times (s) from uniforms by inverse CDF, so the same u gives comparable times."""
    return sample_times(h.dist, h.mean_s, h.cv, h.values, u) * factor


def sample_delay_s(d: Delay, u: np.ndarray) -> np.ndarray:
    """External delays (s) from uniforms by inverse CDF."""
    return sample_times(d.dist, d.mean_hours, d.cv, d.values, u) * 3600.0


@dataclass
class Draws:
    """The uniforms of one item type and part (backlog or new): one stream per purpose.

    Every purpose draws one value for each of the ``n`` items, whether or not the
    item needs it (common random numbers).
    """

    seed: int
    rep: int
    name: str
    part: str
    n: int = 0

    def stream(self, purpose: str) -> np.random.Generator:
        """The generator of one purpose for these items."""
        return stream(self.seed, self.rep, purpose, self.name, self.part)

    def uniform(self, purpose: str) -> np.ndarray:
        """One uniform per item of the type and part, for one purpose."""
        return self.stream(purpose).random(self.n)
