import type { Direction, Toxic, ToxicSpec } from './toxic.ts';
import { bandwidth } from './toxics/bandwidth.ts';
import { latency } from './toxics/latency.ts';
import { limitData } from './toxics/limit-data.ts';
import { resetPeer } from './toxics/reset-peer.ts';
import { slicer } from './toxics/slicer.ts';
import { slowClose } from './toxics/slow-close.ts';
import { timeout } from './toxics/timeout.ts';

/** Toxics by Toxiproxy's type name: a new toxic is one file and one line here. */
export const toxicKinds: ReadonlyMap<string, Toxic> = new Map(
  [latency, timeout, resetPeer, slowClose, bandwidth, slicer, limitData].map((t) => [t.type, t]),
);

export function knownToxics(): string[] {
  return [...toxicKinds.keys()].sort();
}

export function toxicFor(type: string): Toxic {
  const toxic = toxicKinds.get(type);
  if (toxic === undefined) throw new Error(`unknown toxic "${type}"; known toxics: ${knownToxics().join(', ')}`);
  return toxic;
}

/** A spec checked against its toxic, with Toxiproxy's defaults filled in. */
export interface ResolvedToxic {
  toxic: Toxic;
  direction: Direction;
  toxicity: number;
  attributes: Readonly<Record<string, number>>;
}

export function resolveToxic(spec: ToxicSpec): ResolvedToxic {
  const toxic = toxicFor(spec.type);
  const direction = spec.direction ?? 'downstream';
  if (direction !== 'upstream' && direction !== 'downstream') {
    throw new Error(`toxic ${spec.type}: direction must be "upstream" or "downstream", not "${String(direction)}"`);
  }
  const toxicity = spec.toxicity ?? 1;
  if (!(toxicity >= 0 && toxicity <= 1)) throw new Error(`toxic ${spec.type}: toxicity must be within 0..1, not ${toxicity}`);
  const attributes: Record<string, number> = { ...toxic.attributes };
  for (const [name, value] of Object.entries(spec.attributes ?? {})) {
    if (!(name in toxic.attributes)) {
      const known = Object.keys(toxic.attributes).join(', ');
      throw new Error(`toxic ${spec.type}: unknown attribute "${name}"; known attributes: ${known}`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`toxic ${spec.type}: attribute ${name} must be a finite number >= 0, not ${String(value)}`);
    }
    attributes[name] = value;
  }
  return { toxic, direction, toxicity, attributes: Object.freeze(attributes) };
}
