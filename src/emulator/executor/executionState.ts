import type { Graph, GraphEdge, GraphNode } from '../../schemas/graph.js';
import type { FieldTableData } from '../../workflow/fieldTable.js';
import { NodeInputError } from '../errors/NodeInputError.js';
import { checkFieldValue } from './checkFieldValue.js';
import { INVOCATION_CLASS_NAMES } from './invocationClassNames.generated.js';
import type { SessionState } from './types.js';

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

function compareTuples(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * `GraphExecutionState`: materializes source nodes into prepared copies (iterate expansion,
 * collect gathering) and schedules them as InvokeAI 6.14 does — ready prepared nodes wait in one
 * FIFO queue per invocation class; a class queue is drained before switching; classes are picked
 * in class-name order; within a queue, lower iteration paths come first.
 */
/** A session before any node ran: what `GraphExecutionState(graph=...)` dumps to in 6.14. */
export function emptySession(sessionId: string, graph: Graph): SessionState {
  return {
    id: sessionId,
    graph,
    execution_graph: { id: crypto.randomUUID(), nodes: {}, edges: [] },
    executed: [],
    executed_history: [],
    results: {},
    errors: {},
    prepared_source_mapping: {},
    source_prepared_mapping: {},
    prepared_iteration_paths: {},
    ready_order: [],
    indegree: {},
    workflow_call_stack: [],
    workflow_call_history: [],
    workflow_call_parent: null,
    waiting_workflow_call: null,
    waiting_workflow_call_execution: null,
    waiting_workflow_call_child_session: null,
    max_workflow_call_depth: 4,
  };
}

export class ExecutionState {
  readonly session: SessionState;
  private readonly source: Graph;
  private readonly table: FieldTableData;
  private readonly topo: string[];
  private readonly parents = new Map<string, string[]>();
  private readonly ancestors = new Map<string, Set<string>>();
  private readonly iteratorAncestors = new Map<string, string[]>();
  private readonly executed = new Set<string>();
  private readonly indegree = new Map<string, number>();
  private readonly queues = new Map<string, string[]>();
  private readonly paths = new Map<string, number[]>();
  private activeClass: string | null = null;

  constructor(sessionId: string, source: Graph & { id: string }, table: FieldTableData) {
    this.source = source;
    this.table = table;
    this.session = emptySession(sessionId, source);
    const ids = Object.keys(source.nodes);
    for (const id of ids) this.parents.set(id, []);
    const children = new Map<string, string[]>(ids.map((id) => [id, []]));
    for (const e of source.edges) {
      const p = this.parents.get(e.destination.node_id)!;
      if (!p.includes(e.source.node_id)) p.push(e.source.node_id);
      const c = children.get(e.source.node_id)!;
      if (!c.includes(e.destination.node_id)) c.push(e.destination.node_id);
    }
    // networkx topological_sort: generation by generation, in node insertion order.
    const indeg = new Map(ids.map((id) => [id, this.parents.get(id)!.length]));
    let generation = ids.filter((id) => indeg.get(id) === 0);
    this.topo = [];
    while (generation.length > 0) {
      this.topo.push(...generation);
      const next: string[] = [];
      for (const id of generation)
        for (const c of children.get(id)!) {
          indeg.set(c, indeg.get(c)! - 1);
          if (indeg.get(c) === 0) next.push(c);
        }
      generation = next;
    }
    for (const id of this.topo) {
      const anc = new Set<string>();
      for (const p of this.parents.get(id)!) {
        anc.add(p);
        for (const a of this.ancestors.get(p)!) anc.add(a);
      }
      this.ancestors.set(id, anc);
    }
    // Iterator graph: edges into collectors removed, so a collector closes its iteration scope.
    const iterAnc = new Map<string, Set<string>>();
    for (const id of this.topo) {
      const anc = new Set<string>();
      if (source.nodes[id]!.type !== 'collect')
        for (const p of this.parents.get(id)!) {
          anc.add(p);
          for (const a of iterAnc.get(p)!) anc.add(a);
        }
      iterAnc.set(id, anc);
      this.iteratorAncestors.set(
        id,
        this.topo.filter((n) => anc.has(n) && source.nodes[n]!.type === 'iterate'),
      );
    }
  }

  /** The next prepared node to run with its inputs filled in, or null when the session is done. */
  next(): GraphNode | null {
    let id = this.nextReady();
    if (id === null) {
      while (this.prepareOne() !== null) {
        /* materialize everything that can be */
      }
      id = this.nextReady();
    }
    if (id === null) return null;
    const node = this.session.execution_graph.nodes[id]!;
    this.prepareInputs(node);
    return node;
  }

  complete(id: string, output: Record<string, unknown>): void {
    this.markExecuted(id);
    this.session.results[id] = output;
    const source = this.session.prepared_source_mapping[id]!;
    if (this.session.source_prepared_mapping[source]!.every((p) => this.executed.has(p))) {
      this.markExecuted(source);
      this.session.executed_history.push(source);
    }
    for (const e of this.session.execution_graph.edges) {
      if (e.source.node_id !== id) continue;
      const child = e.destination.node_id;
      this.setIndegree(child, this.indegree.get(child)! - 1);
      if (this.indegree.get(child) === 0) this.enqueueIfReady(child);
    }
  }

  fail(id: string, error: string): void {
    this.session.errors[id] = error;
  }

  sourceOf(id: string): string {
    return this.session.prepared_source_mapping[id]!;
  }

  private setIndegree(id: string, value: number): void {
    this.indegree.set(id, value);
    this.session.indegree![id] = value;
  }

  private markExecuted(id: string): void {
    if (!this.executed.has(id)) {
      this.executed.add(id);
      this.session.executed.push(id);
    }
  }

  private className(type: string): string {
    return INVOCATION_CLASS_NAMES[type] ?? type;
  }

  private nextReady(): string | null {
    for (;;) {
      if (this.activeClass !== null) {
        const q = this.queues.get(this.activeClass)!;
        while (q.length > 0) {
          const id = q.shift()!;
          if (!this.executed.has(id)) return id;
        }
        this.activeClass = null;
        continue;
      }
      const next = [...this.queues.keys()].sort().find((k) => this.queues.get(k)!.length > 0);
      if (next === undefined) return null;
      this.activeClass = next;
    }
  }

  private enqueueIfReady(id: string): void {
    if (this.indegree.get(id) !== 0 || this.executed.has(id)) return;
    const node = this.session.execution_graph.nodes[id]!;
    const cls = this.className(node.type);
    let q = this.queues.get(cls);
    if (!q) this.queues.set(cls, (q = []));
    if (q.includes(id)) return;
    const path = this.iterationPath(id);
    const at = q.findIndex((other) => compareTuples(this.iterationPath(other), path) > 0);
    if (at < 0) q.push(id);
    else q.splice(at, 0, id);
  }

  private preparedOf(source: string): string[] {
    return this.session.source_prepared_mapping[source] ?? [];
  }

  private hasExecPath(from: string, to: string): boolean {
    if (from === to) return true;
    const edges = this.session.execution_graph.edges;
    const seen = new Set([from]);
    const stack = [from];
    while (stack.length > 0) {
      const cur = stack.pop()!;
      for (const e of edges) {
        if (e.source.node_id !== cur || seen.has(e.destination.node_id)) continue;
        if (e.destination.node_id === to) return true;
        seen.add(e.destination.node_id);
        stack.push(e.destination.node_id);
      }
    }
    return false;
  }

  private hasSourcePath(from: string, to: string): boolean {
    return from === to || this.ancestors.get(to)!.has(from);
  }

  private iterationPath(id: string): number[] {
    const cached = this.paths.get(id);
    if (cached) return cached;
    const source = this.session.prepared_source_mapping[id]!;
    const path: number[] = [];
    for (const it of this.iteratorAncestors.get(source)!) {
      const pid = this.preparedOf(it).find((p) => this.hasExecPath(p, id));
      if (pid !== undefined) path.push(this.session.execution_graph.nodes[pid]!.index as number);
    }
    const node = this.session.execution_graph.nodes[id]!;
    if (node.type === 'iterate') path.push(node.index as number);
    this.paths.set(id, path);
    this.session.prepared_iteration_paths![id] = path;
    return path;
  }

  private iterationNode(parent: string, combo: readonly string[]): string | null {
    const prepared = this.preparedOf(parent);
    if (prepared.length === 1 && combo.length === 0) return prepared[0]!;
    const parentIterators = combo.filter((pid) => this.hasSourcePath(this.session.prepared_source_mapping[pid]!, parent));
    const matches = (candidate: string) => parentIterators.every((it) => this.hasExecPath(it, candidate));
    if (prepared.length === 1) return matches(prepared[0]!) ? prepared[0]! : null;
    const direct = prepared.find((p) => combo.includes(p));
    if (direct !== undefined && matches(direct)) return direct;
    return prepared.find(matches) ?? null;
  }

  private prepareOne(): string | null {
    const next = this.topo.find((id) => {
      if (this.session.source_prepared_mapping[id]) return false;
      const node = this.source.nodes[id]!;
      if (node.type === 'iterate' && !this.parents.get(id)!.every((p) => this.executed.has(p))) return false;
      for (const a of this.ancestors.get(id)!) if (this.source.nodes[a]!.type === 'iterate' && !this.executed.has(a)) return false;
      return true;
    });
    if (next === undefined) return null;
    const created: string[] = [];
    if (this.source.nodes[next]!.type === 'collect') {
      const mapping = this.parents.get(next)!.flatMap((p) => this.preparedOf(p).map((pid) => [p, pid] as [string, string]));
      created.push(...this.createExecutionNodes(next, mapping));
    } else {
      const iterators = this.iteratorAncestors.get(next)!.map((it) => this.preparedOf(it));
      let combos: string[][] = [[]];
      for (const options of iterators) combos = combos.flatMap((c) => options.map((o) => [...c, o]));
      for (const combo of combos) {
        const mapping = this.parents.get(next)!.map((p) => [p, this.iterationNode(p, combo)] as [string, string | null]);
        if (mapping.every(([, pid]) => pid !== null)) created.push(...this.createExecutionNodes(next, mapping as Array<[string, string]>));
      }
    }
    return created[0] ?? null;
  }

  private createExecutionNodes(sourceId: string, mapping: ReadonlyArray<[string, string]>): string[] {
    const node = this.source.nodes[sourceId]!;
    let iterations = [-1];
    if (node.type === 'iterate') {
      const edge = this.source.edges.find((e) => e.destination.node_id === sourceId && e.destination.field === 'collection')!;
      const pid = mapping.find(([s]) => s === edge.source.node_id)![1];
      const collection = this.session.results[pid]![edge.source.field];
      const count = Array.isArray(collection) ? collection.length : 0;
      iterations = Array.from({ length: count }, (_, i) => i);
    }
    if (iterations.length === 0) return [];
    const edges: GraphEdge[] = [];
    for (const e of this.source.edges) {
      if (e.destination.node_id !== sourceId) continue;
      for (const [s, pid] of mapping)
        if (s === e.source.node_id) edges.push({ source: { node_id: pid, field: e.source.field }, destination: { node_id: '', field: e.destination.field } });
    }
    const ids: string[] = [];
    for (const index of iterations) {
      const copy = clone(node);
      copy.id = crypto.randomUUID();
      if (node.type === 'iterate') copy.index = index;
      this.session.execution_graph.nodes[copy.id] = copy;
      this.session.prepared_source_mapping[copy.id] = sourceId;
      (this.session.source_prepared_mapping[sourceId] ??= []).push(copy.id);
      for (const e of edges) this.session.execution_graph.edges.push({ source: e.source, destination: { node_id: copy.id, field: e.destination.field } });
      this.setIndegree(copy.id, edges.filter((e) => !this.executed.has(e.source.node_id)).length);
      this.iterationPath(copy.id);
      this.enqueueIfReady(copy.id);
      ids.push(copy.id);
    }
    return ids;
  }

  private valueOf(edge: GraphEdge): unknown {
    return clone(this.session.results[edge.source.node_id]![edge.source.field]);
  }

  private prepareInputs(node: GraphNode): void {
    const inputs = this.session.execution_graph.edges.filter((e) => e.destination.node_id === node.id);
    const raw = node as Record<string, unknown>;
    if (node.type === 'collect') {
      const sorted = (field: string) =>
        inputs
          .filter((e) => e.destination.field === field)
          .sort((a, b) => compareTuples(this.iterationPath(a.source.node_id), this.iterationPath(b.source.node_id)) || (a.source.node_id < b.source.node_id ? -1 : a.source.node_id > b.source.node_id ? 1 : 0));
      const collection: unknown[] = [];
      for (const e of sorted('collection')) {
        const v = this.valueOf(e);
        if (Array.isArray(v)) collection.push(...v);
        else collection.push(v);
      }
      for (const e of sorted('item')) collection.push(this.valueOf(e));
      raw.collection = collection;
      return;
    }
    let allowed: Set<string> | null = null;
    if (node.type === 'if') {
      const cond = inputs.find((e) => e.destination.field === 'condition');
      const condition = cond ? this.valueOf(cond) : raw.condition;
      allowed = new Set(['condition', condition ? 'true_input' : 'false_input']);
    }
    const spec = this.table.nodes[node.type];
    for (const e of inputs) {
      if (allowed && !allowed.has(e.destination.field)) continue;
      const value = this.valueOf(e);
      const field = spec?.f[e.destination.field];
      if (field && checkFieldValue(field, value, [e.destination.field])) throw new NodeInputError(node, e.destination.field);
      raw[e.destination.field] = value;
    }
  }
}
