// Relay cursor pagination over (createdAt, id). Cursors are opaque base64url; a forged or stale
// one is an input error, not a crash. Every connection pages the same way: `first`/`after`
// forward, `last`/`before` backward, through `planPage` (a database read) or `pageOfList` (a list
// already in memory, such as a payment's attempts loaded by the request's DataLoader).
import { badInput } from "./errors.js";

export interface Page<T> {
  edges: { node: T; cursor: string }[];
  /** The edges' nodes, for clients that need no cursor per item. */
  nodes: T[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** A connection's arguments; `last`/`before` page backward. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export const MAX_PAGE = 100;
const DEFAULT_PAGE = 20;

type Row = { createdAt: Date; id: string };

function pageSize(size: number | null | undefined, field: "first" | "last"): number {
  if (size === null || size === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) throw badInput(`${field} must be between 1 and ${MAX_PAGE}`, field);
  return size;
}

export function encodeCursor(row: Row): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString("base64url");
}

function decodeCursor(cursor: string, field: "after" | "before"): Row {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
    const createdAt = new Date(at);
    // Only what encodeCursor makes: a prefixed id and a time PostgreSQL can hold (a forged one
    // with a NUL or a year before 4713 BC would otherwise reach the database as an INTERNAL).
    const year = createdAt.getUTCFullYear();
    if (typeof id !== "string" || !/^[a-z0-9]+_[0-9A-Za-z]{8,64}$/.test(id) || Number.isNaN(year) || year < 1970 || year > 9999) throw new Error("bad cursor");
    return { createdAt, id };
  } catch {
    throw badInput("Invalid cursor", field);
  }
}

/** Newest first, ties by id: the order every database-backed connection is read in. */
export const NEWEST_FIRST = [{ createdAt: "desc" as const }, { id: "desc" as const }];
const OLDEST_FIRST = [{ createdAt: "asc" as const }, { id: "asc" as const }];

type CursorWhere = { OR?: ({ createdAt: { lt: Date } | { gt: Date } } | { createdAt: Date; id: { lt: string } | { gt: string } })[] };

export interface PagePlan {
  /** Rows to read: the page plus one, which says whether there is more. */
  take: number;
  /** True for `last`/`before`: rows are read oldest first and turned round by `finish`. */
  backward: boolean;
  cursor: Row | undefined;
  /** The part of a Prisma where-clause that starts the page at its cursor. */
  where: CursorWhere;
  orderBy: typeof NEWEST_FIRST | typeof OLDEST_FIRST;
  /** The page from the rows read with `where`, `orderBy` and `take`. */
  finish<T extends Row>(rows: T[]): Page<T>;
}

function direction(args: PageArgs): "forward" | "backward" {
  const forward = args.first != null || args.after != null;
  const backward = args.last != null || args.before != null;
  if (forward && backward) throw badInput("Page forward with first/after or backward with last/before, not both", args.last != null ? "last" : "before");
  return backward ? "backward" : "forward";
}

function page<T extends Row>(nodes: T[], hasPreviousPage: boolean, hasNextPage: boolean): Page<T> {
  return {
    edges: nodes.map((node) => ({ node, cursor: encodeCursor(node) })),
    nodes,
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: nodes[0] ? encodeCursor(nodes[0]) : null,
      endCursor: nodes.length ? encodeCursor(nodes[nodes.length - 1]!) : null,
    },
  };
}

/**
 * How to read one page of a newest-first list from the database. Forward: rows older than `after`,
 * newest first. Backward: rows newer than `before`, read oldest first (so `take` holds the ones
 * nearest the cursor) and turned round, so a page always reads newest first.
 */
export function planPage(args: PageArgs): PagePlan {
  const backward = direction(args) === "backward";
  const size = backward ? pageSize(args.last, "last") : pageSize(args.first, "first");
  const raw = backward ? args.before : args.after;
  const cursor = raw ? decodeCursor(raw, backward ? "before" : "after") : undefined;
  const beyond = backward ? "gt" : "lt";
  const where: CursorWhere = cursor
    ? { OR: [{ createdAt: { [beyond]: cursor.createdAt } as { lt: Date } }, { createdAt: cursor.createdAt, id: { [beyond]: cursor.id } as { lt: string } }] }
    : {};
  return {
    take: size + 1,
    backward,
    cursor,
    where,
    orderBy: backward ? OLDEST_FIRST : NEWEST_FIRST,
    finish: <T extends Row>(rows: T[]) => {
      const more = rows.length > size;
      const nodes = rows.slice(0, size);
      return backward ? page(nodes.reverse(), more, Boolean(cursor)) : page(nodes, Boolean(cursor), more);
    },
  };
}

/** An empty page (a caller who may read none of the list). */
export const emptyPage = <T extends Row>(): Page<T> => page<T>([], false, false);

const compare = (a: Row, b: Row): number => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * A page of a list held in memory, in its own order (`order`: how it is sorted by (createdAt, id),
 * for a cursor whose item has left the list). For short lists a request loads whole through a
 * DataLoader, one query for every parent on the page: a payment's attempts, refunds and events, a
 * customer's saved cards.
 */
export function pageOfList<T extends Row>(items: readonly T[], args: PageArgs, order: "oldestFirst" | "newestFirst"): Page<T> {
  const backward = direction(args) === "backward";
  const sign = order === "oldestFirst" ? 1 : -1;
  /** Where the cursor's item is in the list: its index, or where it stood if it has left it. */
  const position = (cursor: Row): { index: number; present: boolean } => {
    const at = items.findIndex((item) => item.id === cursor.id);
    if (at >= 0) return { index: at, present: true };
    const next = items.findIndex((item) => sign * compare(item, cursor) > 0);
    return { index: next < 0 ? items.length : next, present: false };
  };
  const afterAt = args.after ? position(decodeCursor(args.after, "after")) : undefined;
  const after = afterAt ? afterAt.index + (afterAt.present ? 1 : 0) : 0;
  const before = args.before ? position(decodeCursor(args.before, "before")).index : items.length;
  const inRange = items.slice(after, Math.max(after, before));
  if (backward) {
    const size = pageSize(args.last, "last");
    return page(inRange.slice(Math.max(0, inRange.length - size)), inRange.length > size, before < items.length);
  }
  const size = pageSize(args.first, "first");
  return page(inRange.slice(0, size), after > 0, inRange.length > size);
}

/** The same page with each node turned into what the API shows (a row into its view). */
export function mapPage<T, U>(source: Page<T>, view: (node: T) => U): Page<U> {
  const nodes = source.nodes.map(view);
  return { ...source, nodes, edges: source.edges.map((edge, i) => ({ cursor: edge.cursor, node: nodes[i]! })) };
}
