"""Questions a review board asks of a lineage graph, answered from integer-indexed arrays.

"What data trained this version?" is an upstream closure, "what else did that data feed?" a
downstream one filtered by kind. :class:`LineageIndex` turns the string-keyed
:class:`~governance_app.domain.lineage.LineageGraph` into compressed sparse rows (CSR) once, so
every question afterwards is a handful of numpy operations per hop instead of rebuilding dicts:
a 20,000-node graph is indexed in milliseconds and a closure costs far less than painting it.

Which edges a question follows (the rule of :mod:`governance_app.domain.lineage`): closures,
impact and paths follow *data edges* only, every kind but ``instance``, because inputs and
outputs belong to the run and a job → run ``instance`` edge would lead from one run through its
job to the data of every sibling run. A closure that starts at a job stands for all the job's
runs: they join the answer at one hop and the walk goes on from them. Only the undirected
neighbourhood (``both``, focus mode in a view) also walks ``instance`` edges, for navigation.

Two graph-to-graph transforms that views need, :func:`subgraph` and
:func:`collapse_namespace`, work on the plain graph because their result is a new graph to index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from governance_app.domain.lineage import (
    DEFAULT_MODEL_RULE,
    NAVIGATION_EDGE_KINDS,
    LineageEdge,
    LineageGraph,
    LineageNode,
    ModelIdentityRule,
    NodeKind,
    canonical_node_id,
)
from governance_app.errors import NotFoundError

Direction = Literal["upstream", "downstream", "both"]
_KINDS = list(NodeKind)
COLUMN_LINEAGE_FACET = "columnLineage"


@dataclass(frozen=True, slots=True)
class ColumnRef:
    """One column of one dataset, by node id (the dataset may be outside the graph)."""

    dataset_id: str
    field: str


@dataclass(frozen=True, slots=True)
class PathSearch:
    """Simple paths found between two nodes.

    Attributes:
        paths: each path as node ids from source to target, in depth-first order.
        complete: False when the search stopped at ``max_paths``, so more paths exist.
    """

    paths: list[list[str]]
    complete: bool


def _pairs_csr(
    pairs: list[tuple[int, int]], n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Out- and in-adjacency (row pointers, columns) of ``pairs``, one entry per node pair.

    Edges of two kinds between the same nodes would otherwise double every path through them.
    """
    arr = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    codes = np.unique(arr[:, 0] * max(n, 1) + arr[:, 1])
    src, dst = codes // max(n, 1), codes % max(n, 1)
    return (*_csr(src, dst, n), *_csr(dst, src, n))


def _csr(src: np.ndarray, dst: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Row pointers and column indices of the adjacency ``src → dst``."""
    order = np.argsort(src, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return indptr, dst[order]


def _expand(indptr: np.ndarray, indices: np.ndarray, frontier: np.ndarray) -> np.ndarray:
    """All neighbours of all frontier nodes (with repeats), without a Python loop."""
    starts = indptr[frontier]
    counts = indptr[frontier + 1] - starts
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    # Position k of the output reads indices[starts[j] + (k - first output slot of j)].
    shift = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return indices[shift + np.arange(total)]


class LineageIndex:
    """A lineage graph's adjacency as CSR arrays, built once and queried many times.

    Args:
        graph: the graph to index; it is not copied, so rebuild the index after changing it.
        edge_kinds: data edges to follow (e.g. leave out ``parent``); ``None`` for every kind
            but the navigation-only ``instance`` (see the module docstring).
        rule: the model-version identity rule, used to resolve the datasets named by
            column-lineage facets to node ids the same way the importers did.

    Edges naming unknown nodes are ignored: an index answers about the nodes it holds.
    """

    def __init__(
        self,
        graph: LineageGraph,
        *,
        edge_kinds: Iterable[str] | None = None,
        rule: ModelIdentityRule | None = DEFAULT_MODEL_RULE,
    ) -> None:
        self.graph = graph
        self.rule = rule
        self.ids: list[str] = list(graph.nodes)
        self._pos = {node_id: i for i, node_id in enumerate(self.ids)}
        n = len(self.ids)
        self.kind_codes = np.array(
            [_KINDS.index(node.kind) for node in graph.nodes.values()], dtype=np.int8
        )
        wanted = set(edge_kinds) if edge_kinds is not None else None
        data: list[tuple[int, int]] = []
        navigation: list[tuple[int, int]] = []
        for e in graph.edges:
            if e.source not in self._pos or e.target not in self._pos:
                continue
            pair = (self._pos[e.source], self._pos[e.target])
            if e.kind in NAVIGATION_EDGE_KINDS:
                navigation.append(pair)
            elif wanted is None or e.kind in wanted:
                data.append(pair)
        self.out_ptr, self.out_idx, self.in_ptr, self.in_idx = _pairs_csr(data, n)
        # job → run: where a closure starting at a job begins, and focus mode's extra links.
        self.nav_out_ptr, self.nav_out_idx, self.nav_in_ptr, self.nav_in_idx = _pairs_csr(
            navigation, n
        )
        self._datasets: dict[tuple[str, str], str] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def index_of(self, node_id: str) -> int:
        """The integer index of a node id.

        Raises:
            NotFoundError: the graph has no such node.
        """
        try:
            return self._pos[node_id]
        except KeyError:
            raise NotFoundError(f"no lineage node {node_id!r}") from None

    def _indices(self, node_ids: str | Iterable[str]) -> np.ndarray:
        if isinstance(node_ids, str):
            node_ids = [node_ids]
        return np.array([self.index_of(i) for i in node_ids], dtype=np.int64)

    def distances(
        self,
        node_ids: str | Iterable[str],
        direction: Direction = "both",
        max_depth: int | None = None,
    ) -> np.ndarray:
        """Hops from the start nodes to every node (-1 where unreachable), breadth first.

        This is the primitive the named queries share; views that colour by distance use it
        directly. ``upstream`` and ``downstream`` follow data edges, a start job reaching its
        runs at one hop; ``both`` ignores edge direction and also walks ``instance`` edges,
        which is what "N hops around" means when navigating.
        """
        dist = np.full(len(self.ids), -1, dtype=np.int64)
        frontier = np.unique(self._indices(node_ids))
        dist[frontier] = 0
        depth = 0
        while frontier.size and (max_depth is None or depth < max_depth):
            parts = []
            if direction in ("downstream", "both"):
                parts.append(_expand(self.out_ptr, self.out_idx, frontier))
            if direction in ("upstream", "both"):
                parts.append(_expand(self.in_ptr, self.in_idx, frontier))
            if direction == "both":
                parts.append(_expand(self.nav_out_ptr, self.nav_out_idx, frontier))
                parts.append(_expand(self.nav_in_ptr, self.nav_in_idx, frontier))
            elif depth == 0:  # a start job stands for its runs
                parts.append(_expand(self.nav_out_ptr, self.nav_out_idx, frontier))
            reached = np.concatenate(parts)
            frontier = np.unique(reached[dist[reached] < 0])
            depth += 1
            dist[frontier] = depth
        return dist

    def _closure(
        self, node_ids: str | Iterable[str], direction: Direction, max_depth: int | None
    ) -> set[str]:
        dist = self.distances(node_ids, direction, max_depth)
        return {self.ids[i] for i in np.flatnonzero(dist > 0)}

    def upstream(self, node_ids: str | Iterable[str], max_depth: int | None = None) -> set[str]:
        """Every node the given ones derive from (the start nodes excluded).

        Raises:
            NotFoundError: a start node is not in the graph.
        """
        return self._closure(node_ids, "upstream", max_depth)

    def downstream(self, node_ids: str | Iterable[str], max_depth: int | None = None) -> set[str]:
        """Every node derived from the given ones (the start nodes excluded)."""
        return self._closure(node_ids, "downstream", max_depth)

    def neighbourhood(
        self, node_ids: str | Iterable[str], hops: int, direction: Direction = "both"
    ) -> dict[str, int]:
        """Nodes within ``hops`` of the start nodes, with their distance (start nodes at 0).

        Focus mode in the Lineage view shows exactly this set.
        """
        dist = self.distances(node_ids, direction, hops)
        return {self.ids[i]: int(dist[i]) for i in np.flatnonzero(dist >= 0)}

    def of_kind(self, node_ids: Iterable[str], kinds: Iterable[NodeKind]) -> list[str]:
        """The given ids whose node is of one of ``kinds``, sorted."""
        codes = np.array([_KINDS.index(NodeKind(k)) for k in kinds], dtype=np.int8)
        idx = self._indices(list(node_ids))
        return sorted(self.ids[i] for i in idx[np.isin(self.kind_codes[idx], codes)])

    def impact(
        self,
        node_ids: str | Iterable[str],
        kinds: Iterable[NodeKind] = (NodeKind.MODEL_VERSION,),
    ) -> list[str]:
        """Downstream nodes of the given kinds: "which model versions consumed this dataset".

        Returns:
            Sorted node ids; empty when nothing of those kinds is downstream.
        """
        return self.of_kind(self.downstream(node_ids), kinds)

    def all_paths(
        self,
        source: str,
        target: str,
        *,
        max_paths: int = 1000,
        max_length: int | None = None,
    ) -> PathSearch:
        """All simple directed paths ``source → … → target``, at most ``max_paths`` of them.

        The count of simple paths grows exponentially with the graph, so the search is bounded
        and says whether it was cut short. It only walks nodes that lie between the two (the
        downstream closure of ``source`` meets the upstream closure of ``target``), which keeps
        a search in a large graph as small as the answer.

        Args:
            source: where paths start.
            target: where paths end.
            max_paths: stop after this many paths (``PathSearch.complete`` is then False).
            max_length: longest path to report, in edges; unlimited if None.

        Raises:
            NotFoundError: either node is not in the graph.
        """
        s, t = self.index_of(source), self.index_of(target)
        if s == t:
            return PathSearch([[source]], True)
        between = (self.distances(source, "downstream") >= 0) & (
            self.distances(target, "upstream") >= 0
        )
        paths: list[list[str]] = []
        if not between[s]:
            return PathSearch(paths, True)
        on_path = np.zeros(len(self.ids), dtype=bool)
        path, on_path[s] = [s], True
        stack = [iter(self._successors(s, between))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                on_path[path.pop()] = False
                continue
            if nxt == t:
                if max_length is None or len(path) <= max_length:
                    paths.append([self.ids[i] for i in (*path, t)])
                    if len(paths) >= max_paths:
                        return PathSearch(paths, False)
                continue
            if on_path[nxt] or (max_length is not None and len(path) + 1 > max_length):
                continue
            path.append(nxt)
            on_path[nxt] = True
            stack.append(iter(self._successors(nxt, between)))
        return PathSearch(paths, True)

    def _successors(self, i: int, allowed: np.ndarray) -> list[int]:
        succ = self.out_idx[self.out_ptr[i] : self.out_ptr[i + 1]]
        return succ[allowed[succ]].tolist()

    def _dataset_id(self, namespace: str, name: str) -> str:
        if self._datasets is None:
            self._datasets = {
                (n.namespace, n.name): n.id
                for n in self.graph.nodes.values()
                if n.kind is NodeKind.DATASET
            }
        found = self._datasets.get((namespace, name))
        return found or canonical_node_id(namespace, name, NodeKind.DATASET, self.rule)

    def column_upstream(
        self, dataset_id: str, field: str, max_depth: int | None = None
    ) -> dict[ColumnRef, int]:
        """Columns a dataset column derives from, transitively, with their distance in hops.

        Reads the OpenLineage ``columnLineage`` facet of each dataset node
        (``fields: {column: {inputFields: [{namespace, name, field}, ...]}}``). Columns of
        datasets without the facet end the walk: the answer is as deep as the facets go.

        Raises:
            NotFoundError: ``dataset_id`` is not in the graph.
        """
        self.index_of(dataset_id)
        found: dict[ColumnRef, int] = {}
        frontier = [ColumnRef(dataset_id, field)]
        depth = 0
        while frontier and (max_depth is None or depth < max_depth):
            depth += 1
            nxt = []
            for ref in frontier:
                for parent in self._column_inputs(ref):
                    if parent not in found and parent != ColumnRef(dataset_id, field):
                        found[parent] = depth
                        nxt.append(parent)
            frontier = nxt
        return found

    def _column_inputs(self, ref: ColumnRef) -> list[ColumnRef]:
        node = self.graph.nodes.get(ref.dataset_id)
        facet = node.facets.get(COLUMN_LINEAGE_FACET) if node is not None else None
        if not isinstance(facet, dict):
            return []
        entry = (facet.get("fields") or {}).get(ref.field) or {}
        refs = []
        for item in entry.get("inputFields") or []:
            try:
                ns, name, col = item["namespace"], item["name"], item["field"]
            except (KeyError, TypeError):
                continue  # a malformed entry is the importer's to report; skip it here
            refs.append(ColumnRef(self._dataset_id(ns, name), col))
        return refs


def subgraph(graph: LineageGraph, node_ids: Iterable[str]) -> LineageGraph:
    """The nodes given (those present) and the edges among them, as a new graph.

    Node objects are shared with ``graph``: a view of the same records, not a copy.
    """
    keep = {i: graph.nodes[i] for i in node_ids if i in graph.nodes}
    edges = [e for e in graph.edges if e.source in keep and e.target in keep]
    return LineageGraph(nodes=keep, edges=edges)


def namespace_node_id(namespace: str) -> str:
    """The id of the node standing for a collapsed namespace."""
    return canonical_node_id(namespace, namespace, NodeKind.NAMESPACE)


def collapse_namespace(graph: LineageGraph, namespace: str) -> LineageGraph:
    """Merge every node of one namespace into a single node, for an overview.

    Edges into or out of the namespace are re-pointed at the merged node; edges inside it
    (which would become self-loops) are dropped, and repeats are merged. The merged node's
    ``collapsed`` facet lists its members so a view can expand it again.

    Returns:
        A new graph; ``graph`` is unchanged. Without nodes in ``namespace`` it is a copy.
    """
    members = sorted(i for i, n in graph.nodes.items() if n.namespace == namespace)
    if not members:
        return LineageGraph(nodes=dict(graph.nodes), edges=list(graph.edges))
    merged_id = namespace_node_id(namespace)
    member_set = set(members)
    nodes = {i: n for i, n in graph.nodes.items() if i not in member_set}
    nodes[merged_id] = LineageNode(
        id=merged_id,
        kind=NodeKind.NAMESPACE,
        name=namespace,
        namespace=namespace,
        facets={"collapsed": {"members": members, "count": len(members)}},
    )
    out = LineageGraph(nodes=nodes)
    for e in graph.edges:
        src = merged_id if e.source in member_set else e.source
        dst = merged_id if e.target in member_set else e.target
        if src != dst:
            out.add_edge(LineageEdge(src, dst, e.kind))
    return out
