import type { Outlet, ToxicStage } from './toxic.ts';

interface Node {
  id: string;
  stage: ToxicStage;
  /** Where this stage's output goes now: the next stage, or the sink. Relinked on removal. */
  out: Outlet;
}

/**
 * One direction of one connection: source socket → toxic stages, in the order the toxics were
 * added → sink (the destination socket). Stages can be added to and removed from a live
 * pipeline; a removed stage first hands on what it holds, so healing never reorders or loses
 * bytes that were merely delayed.
 */
export class Pipeline implements Outlet {
  private readonly sink: Outlet;
  private nodes: Node[] = [];
  private disposed = false;

  constructor(sink: Outlet) {
    this.sink = sink;
  }

  get stageIds(): string[] {
    return this.nodes.map((n) => n.id);
  }

  push(chunk: Buffer): void {
    if (!this.disposed) (this.nodes[0]?.stage ?? this.sink).push(chunk);
  }

  end(): void {
    if (!this.disposed) (this.nodes[0]?.stage ?? this.sink).end();
  }

  /** Appends a stage; `make` receives the outlet it must write to. */
  add(id: string, make: (next: Outlet) => ToxicStage): void {
    if (this.disposed) return;
    const node: Node = { id, stage: undefined as unknown as ToxicStage, out: this.sink };
    node.stage = make({ push: (chunk) => node.out.push(chunk), end: () => node.out.end() });
    if (this.disposed) {
      // building the stage closed the link (e.g. a reset at once)
      node.stage.dispose();
      return;
    }
    const last = this.nodes.at(-1);
    if (last !== undefined) last.out = node.stage;
    this.nodes.push(node);
  }

  /** Removes a stage after it flushed what it held into its successor. */
  remove(id: string): void {
    const i = this.nodes.findIndex((n) => n.id === id);
    if (i < 0) return;
    const node = this.nodes[i];
    node.stage.flush();
    // flushing may have torn the link down (and emptied this pipeline)
    const j = this.nodes.indexOf(node);
    if (j < 0) return;
    if (j > 0) this.nodes[j - 1].out = node.out;
    this.nodes.splice(j, 1);
  }

  /** The connection is gone: every stage drops what it holds. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const nodes = this.nodes;
    this.nodes = [];
    for (const node of nodes) node.stage.dispose();
  }
}
