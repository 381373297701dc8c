import type { AttackerRole, FuzzCast } from './fuzz-cast.ts';
import { planConnection, type ConnectionPlan } from './connection-plan.ts';
import type { PacketDraft } from './packet-drafts.ts';

/** How a connection's bytes are written: all at once (one read at the broker) or a write per packet. */
export type Delivery = 'whole' | 'per-packet';

export interface ConnectionDraft {
  packets: PacketDraft[];
  delivery: Delivery;
}

/** One fuzz case as drawn: who attacks, and the packets of each of its connections. */
export interface CaseDraft {
  attacker: AttackerRole;
  connections: ConnectionDraft[];
}

/** A case ready to run: the bytes of every connection with what the spec expects of it. */
export interface RunnableCase {
  attacker: AttackerRole;
  connections: Array<{ delivery: Delivery; marker: string; plan: ConnectionPlan }>;
}

export function planCase(cast: FuzzCast, draft: CaseDraft, caseNo: number): RunnableCase {
  return {
    attacker: draft.attacker,
    connections: draft.connections.map((c, n) => {
      const marker = `c${caseNo}.${n}`;
      return { delivery: c.delivery, marker, plan: planConnection(cast, draft.attacker, n, c.packets, marker) };
    }),
  };
}

export function packetCount(runnable: RunnableCase): number {
  return runnable.connections.reduce((sum, c) => sum + c.plan.packets.length, 0);
}
