// A set of objects kept by id, as a list read by query and a subscription's pushes both bring them
// (the held payments, the firing alerts). A push may arrive before, during or after a read, and a
// read may answer with older news than a push already brought: `newer` decides which of two
// copies of one object wins (a payment's higher version; an alert's resolution over its firing).
// Pure (no DOM): unit-tested.

export type Newer<T> = (incoming: T, known: T) => boolean;

/** `known` with `incoming` applied: unknown ids added, known ones replaced when `newer` says so. Returns `known` itself when nothing changed. */
export function applyLive<T extends { id: string }>(known: ReadonlyMap<string, T>, incoming: readonly T[], newer: Newer<T>): ReadonlyMap<string, T> {
  let next: Map<string, T> | undefined;
  for (const item of incoming) {
    const current = (next ?? known).get(item.id);
    if (current && !newer(item, current)) continue;
    next ??= new Map(known);
    next.set(item.id, item);
  }
  return next ?? known;
}

/**
 * After a read: what it answered is the set, except where something pushed since the read was
 * sent is newer (a payment decided meanwhile) or missing from the answer (a hold made meanwhile).
 * What was known before the read and is not in its answer has left the set (a payment decided
 * while the socket was down).
 */
export function afterRead<T extends { id: string }>(answer: readonly T[], pushedSince: readonly T[], newer: Newer<T>): ReadonlyMap<string, T> {
  return applyLive(new Map(answer.map((item) => [item.id, item])), pushedSince, newer);
}

/**
 * One pushed copy applied to the set. Older news is ignored, also about an object that already
 * left the set (`gone` holds the last copy of each; this function adds to it). A copy `keep`
 * rejects takes its object out (a payment decided, an alert resolved); one of an object never in
 * the set changes nothing (most payments are never held). Returns `known` itself when nothing changed.
 */
export function pushLive<T extends { id: string }>(known: ReadonlyMap<string, T>, gone: Map<string, T>, item: T, newer: Newer<T>, keep: (item: T) => boolean): ReadonlyMap<string, T> {
  const current = known.get(item.id) ?? gone.get(item.id);
  if (current && !newer(item, current)) return known;
  if (keep(item)) {
    gone.delete(item.id);
    return applyLive(known, [item], newer);
  }
  if (!known.has(item.id)) return known;
  gone.set(item.id, item);
  const next = new Map(known);
  next.delete(item.id);
  return next;
}

export const byVersion: Newer<{ version: number }> = (incoming, known) => incoming.version > known.version;

/** An alert fires once and resolves once (a new incident is a new id): a resolution is never undone by a late FIRING copy. */
export const byAlertState: Newer<{ state: string }> = (incoming, known) => !(known.state === "RESOLVED" && incoming.state !== "RESOLVED");
