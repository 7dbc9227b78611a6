"""Checks on the shape of the graph: one entry, reachable, acyclic, ports wired right.

networkx is imported in the functions that use it, not at the top: it is a tenth of
every `waymark` command's start, and most commands never validate a journey.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from engine.model import BRANCH_KINDS, Journey, TileKind, output_ports

from .problems import ValidationProblem

if TYPE_CHECKING:
    import networkx as nx

MAX_BRANCHES = 25
MAX_BRANCH_DEPTH = 8


def build_graph(journey: Journey) -> nx.DiGraph:
    import networkx as nx
    graph = nx.DiGraph()
    graph.add_nodes_from(t.id for t in journey.tiles)
    graph.add_edges_from((e.source, e.target) for e in journey.edges)
    return graph


def entry_id(journey: Journey) -> str | None:
    entry = journey.entry()
    return entry.id if entry else None


def check_graph(journey: Journey, graph: nx.DiGraph) -> list[ValidationProblem]:
    import networkx as nx
    problems = _check_entry(journey)
    problems += _check_ports(journey)
    problems += _check_cycles(graph)
    entry = entry_id(journey)
    if entry is not None:
        problems += _check_reachable(journey, graph, entry)
        if nx.is_directed_acyclic_graph(graph):
            problems += _check_depth(journey, graph, entry)
    return problems


def _check_entry(journey: Journey) -> list[ValidationProblem]:
    entries = [t for t in journey.tiles if t.kind == TileKind.TRIGGER]
    if not entries:
        return [ValidationProblem(None, "no-entry",
                                  "the journey has no entry tile: add a trigger tile")]
    problems = [
        ValidationProblem(t.id, "multiple-entries",
                          f"a journey has exactly one entry; {entries[0].id!r} is already it")
        for t in entries[1:]
    ]
    entry_ids = {t.id for t in entries}
    problems += [
        ValidationProblem(e.source, "edge-into-entry",
                          f"nothing can lead into the entry tile {e.target!r}")
        for e in journey.edges if e.target in entry_ids
    ]
    return problems


def _check_ports(journey: Journey) -> list[ValidationProblem]:
    problems: list[ValidationProblem] = []
    targets: dict[tuple[str, str], set[str]] = defaultdict(set)
    ports_used: dict[str, list[str]] = defaultdict(list)
    for edge in journey.edges:
        targets[(edge.source, edge.port)].add(edge.target)
        ports_used[edge.source].append(edge.port)
    triples = Counter((e.source, e.port, e.target) for e in journey.edges)
    for (source, port, target), n in triples.items():
        if n > 1:
            problems.append(ValidationProblem(
                source, "duplicate-edge", f"the edge {port} → {target!r} appears {n} times"))
    for tile in journey.tiles:
        ports = output_ports(tile)
        port_ids = {p.id for p in ports}
        for port in dict.fromkeys(ports_used.get(tile.id, ())):
            if port not in port_ids:
                problems.append(ValidationProblem(tile.id, "unknown-port", _no_port(tile, port)))
        for port in ports:
            n = len(targets.get((tile.id, port.id), ()))
            if n == 0:
                problems.append(ValidationProblem(tile.id, "no-successor", _missing(port)))
            elif n > 1:
                problems.append(ValidationProblem(
                    tile.id, "extra-edge",
                    f"{_port_name(port.id, port.label)} has {n} connections; it can have one"))
        problems += _check_branch_count(tile)
    return problems


def _port_name(port_id: str, label: str) -> str:
    return "the output" if port_id == "next" else f"the {label or port_id} path"


def _missing(port) -> str:
    if port.id == "next":
        return "this tile leads nowhere: connect it to the next step or an exit"
    return f"{_port_name(port.id, port.label)} leads nowhere: connect it to a tile"


def _no_port(tile, port: str) -> str:
    if tile.kind == TileKind.EXIT:
        return "an exit tile ends the journey; nothing can follow it"
    return f"this tile has no output {port!r}"


def _check_branch_count(tile) -> list[ValidationProblem]:
    if tile.kind == TileKind.ATTRIBUTE_BRANCH:
        if len(tile.branches) > MAX_BRANCHES:
            return [ValidationProblem(tile.id, "too-many-branches",
                                      f"{len(tile.branches)} branches; at most {MAX_BRANCHES}")]
        if not tile.branches:
            return [ValidationProblem(tile.id, "no-branches",
                                      "add at least one branch besides 'other'")]
        ids = [b.id for b in tile.branches]
        if len(set(ids)) != len(ids) or "other" in ids:
            return [ValidationProblem(tile.id, "duplicate-branch",
                                      "branch ids must be unique and not 'other'")]
    if tile.kind == TileKind.SPLIT:
        return _check_split(tile)
    return []


def _check_split(tile) -> list[ValidationProblem]:
    if len(tile.arms) < 2:
        return [ValidationProblem(tile.id, "split-arms", "a split needs at least two arms")]
    if len(tile.arms) > MAX_BRANCHES:
        return [ValidationProblem(tile.id, "too-many-branches",
                                  f"{len(tile.arms)} arms; at most {MAX_BRANCHES}")]
    if len({a.id for a in tile.arms}) != len(tile.arms):
        return [ValidationProblem(tile.id, "duplicate-branch", "arm ids must be unique")]
    if tile.mode == "percent":
        if any(a.percent is None for a in tile.arms):
            return [ValidationProblem(tile.id, "split-total", "every arm needs a percentage")]
        total = sum(a.percent for a in tile.arms)
        if abs(total - 100) > 1e-6:
            return [ValidationProblem(tile.id, "split-total",
                                      f"the arms add up to {total:g} %; they must make 100 %")]
    elif any(a.count is None or a.count < 1 for a in tile.arms[:-1]):
        return [ValidationProblem(tile.id, "split-count",
                                  "every arm but the last needs a count of at least 1")]
    return []


def _check_cycles(graph: nx.DiGraph) -> list[ValidationProblem]:
    import networkx as nx
    problems = []
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1:
            for node in sorted(component):
                problems.append(ValidationProblem(
                    node, "cycle", "this tile is on a loop; journeys only move forward"))
    problems += [ValidationProblem(n, "cycle", "this tile is connected to itself")
                 for n in nx.nodes_with_selfloops(graph)]
    return problems


def _check_reachable(journey: Journey, graph: nx.DiGraph, entry: str) -> list[ValidationProblem]:
    import networkx as nx
    reachable = nx.descendants(graph, entry) | {entry}
    return [
        ValidationProblem(t.id, "unreachable", "no path from the entry reaches this tile")
        for t in journey.tiles if t.id not in reachable and t.kind != TileKind.TRIGGER
    ]


def _check_depth(journey: Journey, graph: nx.DiGraph, entry: str) -> list[ValidationProblem]:
    """How many branch tiles a person can pass through, at most, to reach each tile."""
    import networkx as nx
    kinds = {t.id: t.kind for t in journey.tiles}
    depth: dict[str, int] = {}
    problems = []
    for node in nx.topological_sort(graph):
        before = max((depth[p] for p in graph.predecessors(node) if p in depth), default=0)
        if node != entry and not any(p in depth for p in graph.predecessors(node)):
            continue
        depth[node] = before + (1 if kinds[node] in BRANCH_KINDS else 0)
        if depth[node] > MAX_BRANCH_DEPTH and kinds[node] in BRANCH_KINDS:
            problems.append(ValidationProblem(
                node, "branch-depth",
                f"branches nest {depth[node]} deep here; at most {MAX_BRANCH_DEPTH}"))
    return problems
