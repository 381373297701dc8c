/**
 * What the service knows of its own writes to one device's cache key, and the rules that make
 * cache-aside correct against every linearizable cache, whatever order concurrent operations
 * complete in:
 *
 * 1. From an invalidation until its delete is acknowledged, the key is not read: until then a
 *    linearizable cache may still hold the previous owner. A delete that fails is owed, and the
 *    key stays unread until a later delete is acknowledged.
 * 2. A load writes back only if no invalidation began since the load began (its source lookup
 *    may have read the previous owner).
 * 3. A write-back still in flight when an invalidation begins, or one that failed (it may yet
 *    land: a request stuck in a socket), can take effect after the delete. Its value is
 *    *distrusted*: when a read returns it, the service treats it as a miss.
 *
 * Rule 3 distrusts only values whose write the service cannot order before the invalidation; a
 * value whose write completed before the invalidation began is trusted, so a cache that loses
 * or ignores the delete still leaks (that is the cache's fault, and what crosswire exists to
 * find). Each value names an ownership epoch (`since`), so a distrusted value is never the
 * current owner's, and the sets stay as small as a device's ownership history.
 */
export class WriteBackGuard {
  private readonly keys = new Map<string, KeyState>();

  /** Rule 1: may the key be read now? */
  readable(deviceId: string): boolean {
    const state = this.keys.get(deviceId);
    return state === undefined || (state.deleting === 0 && !state.deleteOwed);
  }

  /** True when the key's last invalidation still needs a delete acknowledged (rule 1). */
  owesDelete(deviceId: string): boolean {
    const state = this.keys.get(deviceId);
    return state !== undefined && state.deleteOwed && state.deleting === 0;
  }

  /** Rule 3: a value read back that the service wrote but cannot order before an invalidation. */
  distrusted(deviceId: string, value: string): boolean {
    return this.keys.get(deviceId)?.distrusted.has(value) ?? false;
  }

  /** A load begins: the token says, at its end, whether an invalidation began meanwhile (rule 2). */
  loadBegins(deviceId: string): number {
    const state = this.state(deviceId);
    state.loads++;
    return state.generation;
  }

  loadEnds(deviceId: string): void {
    const state = this.keys.get(deviceId);
    if (state === undefined) return;
    state.loads--;
    this.forgetIfIdle(deviceId, state);
  }

  /** Rule 2: may a load that began at `token` write back now? */
  mayWriteBack(deviceId: string, token: number): boolean {
    const state = this.keys.get(deviceId);
    return state !== undefined && state.generation === token && state.deleting === 0 && !state.deleteOwed;
  }

  writeBegins(deviceId: string, value: string): void {
    const writing = this.state(deviceId).writing;
    writing.set(value, (writing.get(value) ?? 0) + 1);
  }

  /** `landed`: acknowledged; otherwise the write may still land at any time (rule 3). */
  writeEnds(deviceId: string, value: string, landed: boolean): void {
    const state = this.state(deviceId);
    const n = state.writing.get(value) ?? 0;
    if (n <= 1) state.writing.delete(value);
    else state.writing.set(value, n - 1);
    if (!landed) state.unsure.add(value);
    this.forgetIfIdle(deviceId, state);
  }

  /** An invalidation begins: every write the service cannot order before it is distrusted from now on. */
  invalidationBegins(deviceId: string): void {
    const state = this.state(deviceId);
    state.generation++;
    state.deleting++;
    for (const value of state.writing.keys()) state.distrusted.add(value);
    for (const value of state.unsure) state.distrusted.add(value);
    state.unsure.clear();
  }

  /** An invalidation's delete ends; unacknowledged, it is owed (rule 1). */
  deleteEnds(deviceId: string, acknowledged: boolean): void {
    const state = this.state(deviceId);
    state.deleting--;
    state.deleteOwed = !acknowledged;
    this.forgetIfIdle(deviceId, state);
  }

  /** A delete paying a debt is sent: reads wait for it as for an invalidation's own. */
  debtPaymentBegins(deviceId: string): void {
    this.state(deviceId).deleting++;
  }

  debtPaymentEnds(deviceId: string, acknowledged: boolean): void {
    const state = this.state(deviceId);
    state.deleting--;
    if (acknowledged) state.deleteOwed = false;
    this.forgetIfIdle(deviceId, state);
  }

  /** Devices the guard holds state for (tests, and a bound on its memory). */
  get size(): number {
    return this.keys.size;
  }

  private state(deviceId: string): KeyState {
    let state = this.keys.get(deviceId);
    if (state === undefined) {
      state = { generation: 0, loads: 0, deleting: 0, deleteOwed: false, writing: new Map(), unsure: new Set(), distrusted: new Set() };
      this.keys.set(deviceId, state);
    }
    return state;
  }

  /** A device with nothing in flight, owed or distrusted needs no state (generations matter only to loads in flight). */
  private forgetIfIdle(deviceId: string, s: KeyState): void {
    if (s.loads === 0 && s.deleting === 0 && !s.deleteOwed && s.writing.size === 0 && s.unsure.size === 0 && s.distrusted.size === 0) {
      this.keys.delete(deviceId);
    }
  }
}

interface KeyState {
  /** Bumped by every invalidation. */
  generation: number;
  loads: number;
  /** Deletes in flight. */
  deleting: number;
  /** The last delete failed: the key is not read until one is acknowledged. */
  deleteOwed: boolean;
  /** Values of write-backs in flight, with how many of each. */
  writing: Map<string, number>;
  /** Values of write-backs that failed since the last invalidation: they may still land. */
  unsure: Set<string>;
  distrusted: Set<string>;
}
