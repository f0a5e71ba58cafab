// Relay object identification: node(id:) and nodes(ids:) read any prefixed id of the merchant's.
import { Arg, Authorized, Ctx, ID, Query, Resolver } from "type-graphql";
import { NodeInterface } from "../platform/graphql/common.types.js";
import type { GqlContext } from "../app/graphql-context.js";
import { AppError, ErrorCode, badInput } from "../platform/errors.js";
import { prefixOf } from "../platform/ids.js";
import { MAX_PAGE } from "../platform/pagination.js";
import { authorize } from "./authorize.js";
import { NODES } from "./node-registry.js";

/**
 * One id: null when it is malformed, of no readable type, not there, or another merchant's (all
 * indistinguishable). The scope of the id's type is judged from its prefix before any read, so a
 * credential without it gets the same FORBIDDEN (naming `missingScope`) whether the object exists or not.
 */
async function readNode(context: GqlContext, id: string): Promise<unknown> {
  const prefix = prefixOf(id);
  const kind = prefix && NODES[prefix];
  if (!kind) return null;
  if (kind.scope) authorize(context, [kind.scope]);
  try {
    return (await kind.read(context, id)) ?? null;
  } catch (err) {
    if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) return null;
    throw err;
  }
}

/** Ids nodes(ids:) has read in each request so far. */
const IDS_READ = new WeakMap<GqlContext, number>();

@Resolver()
export class NodeResolver {
  // No scope here: the id names it (readNode). This still refuses a missing credential or a publishable key.
  @Authorized()
  @Query(() => NodeInterface, { nullable: true, description: "Any object of yours by its id; null when there is none (or it is not yours)" })
  async node(@Arg("id", () => ID) id: string, @Ctx() context: GqlContext): Promise<unknown> {
    return readNode(context, id);
  }

  @Authorized()
  @Query(() => [NodeInterface], { nullable: "items", description: "Objects by id, in the order asked (at most 100 a request); null for each that node(id:) would answer null" })
  async nodes(@Arg("ids", () => [ID]) ids: string[], @Ctx() context: GqlContext): Promise<unknown[]> {
    // The cost limit prices a field by its shape, not by the length of `ids`: the ids are counted
    // here, over every nodes(ids:) of the request (aliases too), and each distinct id read once.
    const unique = [...new Set(ids)];
    const read = (IDS_READ.get(context) ?? 0) + unique.length;
    if (ids.length > MAX_PAGE || read > MAX_PAGE) throw badInput(`nodes reads at most ${MAX_PAGE} ids a request`, "ids");
    IDS_READ.set(context, read);
    const found = new Map(await Promise.all(unique.map(async (id) => [id, await readNode(context, id)] as const)));
    return ids.map((id) => found.get(id) ?? null);
  }
}
