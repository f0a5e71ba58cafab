// Text PostgreSQL cannot store, refused where it arrives: NUL (U+0000: text columns refuse it with
// 22021, jsonb with 22P05) and an unpaired UTF-16 surrogate (jsonb refuses its escape with 22P05; a
// text column would silently store U+FFFD instead of what was sent). Checked once per operation,
// after validation and before anything runs, over every string the caller sent as an argument:
// literals in the document and variables, nested strings and object keys of JSON scalars included.
// One check here rather than one per resolver: a new operation is covered without a line of its own.
import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";
import { AppError, ErrorCode } from "../platform/errors.js";
import type { GqlContext } from "../app/graphql-context.js";

/** NUL, a high surrogate not followed by a low one, or a low one not preceded by a high one. */
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function flaw(text: string): string | undefined {
  const found = UNSTORABLE.exec(text)?.[0];
  if (found === undefined) return undefined;
  return found === "\0"
    ? "a NUL character (U+0000)"
    : `an unpaired UTF-16 surrogate (U+${found.charCodeAt(0).toString(16).toUpperCase()})`;
}

function refusal(path: string, what: string, where: string): AppError {
  // A path is as long as the caller's nesting: shown in full up to a sane length.
  const field = path.length > 200 ? `${path.slice(0, 200)}…` : path;
  return new AppError(ErrorCode.BAD_USER_INPUT, `${field} holds ${what}${where}, which cannot be stored: send text without it`, { field });
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/** Where a value sits below the argument, kept as links: a path is spelled out only when refused. */
interface Step { parent: Step | undefined; key: string | number }

function spell(step: Step | undefined, base: string, root: string): string {
  const keys: (string | number)[] = [];
  for (let s = step; s; s = s.parent) keys.push(s.key);
  let path = base;
  for (let i = keys.length - 1; i >= 0; i -= 1) {
    const key = keys[i]!;
    path = typeof key === "number" ? `${path || root}[${key}]` : join(path, key);
  }
  return path || root;
}

/**
 * A value as the caller sent it (a variable): every string and every object key. Iterative, not
 * recursive: a JSON variable nested a few hundred thousand levels deep fits in the body limit.
 */
function inValue(value: unknown, base: string, root: string): AppError | undefined {
  const refused = (text: string, at: Step | undefined, where = ""): AppError | undefined => {
    const what = flaw(text);
    return what ? refusal(spell(at, base, root), what, where) : undefined;
  };
  if (typeof value === "string") return refused(value, undefined);
  const pending: [object, Step | undefined][] = typeof value === "object" && value !== null ? [[value, undefined]] : [];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, at] = next;
    const children: [string | number, unknown][] = Array.isArray(item) ? item.map((v: unknown, i) => [i, v]) : Object.entries(item);
    for (const [key, child] of children) {
      // A bad key is not repeated in the path: it is what cannot be shown.
      const found = (typeof key === "string" ? refused(key, at, " in a key") : undefined)
        ?? (typeof child === "string" ? refused(child, { parent: at, key }) : undefined);
      if (found) return found;
      if (typeof child === "object" && child !== null) pending.push([child, { parent: at, key }]);
    }
  }
  return undefined;
}

interface Walk {
  variables: Readonly<Record<string, unknown>>;
  defaults: Map<string, ValueNode>;
  fragments: Map<string, FragmentDefinitionNode>;
  seen: Set<string>;
}

/** A literal or variable in an argument. */
function inNode(node: ValueNode, path: string, root: string, walk: Walk): AppError | undefined {
  switch (node.kind) {
    case Kind.STRING: {
      const what = flaw(node.value);
      return what ? refusal(path || root, what, "") : undefined;
    }
    case Kind.VARIABLE: {
      const name = node.name.value;
      if (Object.hasOwn(walk.variables, name)) return inValue(walk.variables[name], path, root);
      const fallback = walk.defaults.get(name);
      return fallback ? inNode(fallback, path, root, walk) : undefined;
    }
    case Kind.LIST:
      for (let i = 0; i < node.values.length; i += 1) {
        const found = inNode(node.values[i]!, `${path || root}[${i}]`, root, walk);
        if (found) return found;
      }
      return undefined;
    case Kind.OBJECT:
      for (const field of node.fields) {
        const found = inNode(field.value, join(path, field.name.value), root, walk);
        if (found) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

function inSelections(set: SelectionSetNode, walk: Walk): AppError | undefined {
  for (const selection of set.selections) {
    let found: AppError | undefined;
    if (selection.kind === Kind.FIELD) {
      for (const arg of selection.arguments ?? []) {
        // Paths read like the other BAD_USER_INPUT fields: inside `input` they start below it
        // ("metadata.note"); another argument is named ("rules[0].name", "id").
        const name = arg.name.value;
        found ??= name === "input" ? inNode(arg.value, "", name, walk) : inNode(arg.value, name, name, walk);
      }
      if (selection.selectionSet) found ??= inSelections(selection.selectionSet, walk);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      found = inSelections(selection.selectionSet, walk);
    } else if (!walk.seen.has(selection.name.value)) {
      walk.seen.add(selection.name.value);
      const fragment = walk.fragments.get(selection.name.value);
      if (fragment) found = inSelections(fragment.selectionSet, walk);
    }
    if (found) return found;
  }
  return undefined;
}

/** The first argument string of the operation PostgreSQL could not store, as BAD_USER_INPUT naming its path. */
export function unstorableText(document: DocumentNode, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>> | undefined): AppError | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const defaults = new Map<string, ValueNode>();
  for (const v of operation.variableDefinitions ?? []) if (v.defaultValue) defaults.set(v.variable.name.value, v.defaultValue);
  return inSelections(operation.selectionSet, { variables: variables ?? {}, defaults, fragments, seen: new Set() });
}

/** The refusal as graphql-ws and Apollo carry it: formatError reads the AppError; HTTP 400. */
export const asRequestError = (err: AppError): GraphQLError =>
  new GraphQLError(err.message, { originalError: err, extensions: { http: { status: 400 } } });

/** Apollo: checked once the operation is known (after validation), before execution. */
export const unstorableTextPlugin: ApolloServerPlugin<GqlContext> = {
  requestDidStart: async () => ({
    didResolveOperation: async ({ document, operation, request }) => {
      const err = operation ? unstorableText(document, operation, request.variables) : undefined;
      if (err) throw asRequestError(err);
    },
  }),
};
