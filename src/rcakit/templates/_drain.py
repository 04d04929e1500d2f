"""The only module that imports drain3: a thin adapter around ``drain3.drain.Drain``.

rcakit masks, normalises and deduplicates messages in polars, so Drain only ever sees each
distinct masked message once. drain3's ``TemplateMiner`` is not used: it would read
``./drain3.ini`` when given no config, and its state format is jsonpickle (which can run code
when loaded). ``Drain`` itself takes every setting as an argument, and its learned state is
plain data (cluster id, template tokens, size) that :mod:`rcakit.templates._state` writes as
JSON and :meth:`DrainModel.from_clusters` rebuilds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from drain3.drain import Drain, LogCluster

__all__ = ["PARAM", "ClusterState", "DrainModel"]

#: Drain's wildcard token: a position it found variable.
PARAM = "<*>"


@dataclass(frozen=True, slots=True)
class ClusterState:
    """The learned state of one Drain cluster, as plain data."""

    cluster_id: int
    tokens: tuple[str, ...]
    size: int


class DrainModel:
    """A Drain prefix tree with explicit settings (never reads a config file).

    Parameters
    ----------
    sim_th
        Similarity threshold: the fraction of equal tokens for a message to join a cluster.
    depth
        Prefix-tree depth (drain3 semantics: ``depth - 2`` token levels).
    max_children
        Maximum children of a tree node before tokens fall into the wildcard branch.
    """

    def __init__(self, *, sim_th: float, depth: int, max_children: int) -> None:
        self.sim_th = sim_th
        self.depth = depth
        self.max_children = max_children
        self._drain = Drain(
            depth=depth,
            sim_th=sim_th,
            max_children=max_children,
            max_clusters=None,
            extra_delimiters=(),
            param_str=PARAM,
            parametrize_numeric_tokens=True,
        )

    def add(self, messages: Iterable[str]) -> list[int]:
        """Learn from messages (normally distinct masked ones); return each one's cluster id."""
        add = self._drain.add_log_message
        return [add(message)[0].cluster_id for message in messages]

    def match(self, messages: Iterable[str]) -> list[int | None]:
        """Match messages against the known clusters without learning (None: no match)."""
        match = self._drain.match
        out: list[int | None] = []
        for message in messages:
            cluster = match(message, full_search_strategy="fallback")
            out.append(None if cluster is None else cluster.cluster_id)
        return out

    def clusters(self) -> list[ClusterState]:
        """The learned clusters, in creation order."""
        return [
            ClusterState(c.cluster_id, tuple(c.log_template_tokens), int(c.size))
            for _, c in sorted(self._drain.id_to_cluster.items())
        ]

    def rebuild(self) -> None:
        """Rebuild the prefix tree from the current templates (deterministic routing).

        Drain routes a message by the tokens of the *first* message of each cluster, even
        after the template generalised. Rebuilding from the final templates makes a fitted
        model and one loaded from a state file route every message identically.
        """
        state = self.clusters()
        self._reset()
        self._load(state)

    @classmethod
    def from_clusters(
        cls,
        clusters: Sequence[ClusterState],
        *,
        sim_th: float,
        depth: int,
        max_children: int,
    ) -> DrainModel:
        """Rebuild a model from plain cluster data (the inverse of :meth:`clusters`)."""
        model = cls(sim_th=sim_th, depth=depth, max_children=max_children)
        model._load(sorted(clusters, key=lambda c: c.cluster_id))
        return model

    def _reset(self) -> None:
        self._drain = Drain(
            depth=self.depth,
            sim_th=self.sim_th,
            max_children=self.max_children,
            max_clusters=None,
            extra_delimiters=(),
            param_str=PARAM,
            parametrize_numeric_tokens=True,
        )

    def _load(self, clusters: Sequence[ClusterState]) -> None:
        drain = self._drain
        for state in clusters:
            cluster = LogCluster(list(state.tokens), state.cluster_id)
            cluster.size = state.size
            drain.id_to_cluster[state.cluster_id] = cluster
            drain.add_seq_to_prefix_tree(drain.root_node, cluster)
        drain.clusters_counter = max((c.cluster_id for c in clusters), default=0)
