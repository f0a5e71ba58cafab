// Query shape limits (graphql-armor's validation rules, used as plain rules so the same set guards
// Apollo over HTTP and graphql-ws), checked before anything runs. A violation is QUERY_TOO_COMPLEX
// naming the limit, never INTERNAL. Token counting is graphql's own parser option (`maxTokens`).
import { GraphQLError, NoSchemaIntrospectionCustomRule, parse, specifiedRules, validate, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema, type ValidationContext, type ValidationRule } from "graphql";
import { costLimitRule } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import type { GraphqlLimits } from "../config.js";

/** Marks an error as a limit violation; formatError turns it into QUERY_TOO_COMPLEX. */
const LIMIT_EXTENSION = "queryLimit";

/** graphql-armor throws "Syntax Error: …" by default; report our own error carrying the limit's name instead. */
const reject = (limit: string) => ({
  propagateOnRejection: false,
  onReject: [(ctx: ValidationContext | null, err: GraphQLError) => {
    ctx?.reportError(new GraphQLError(err.message.replace(/^Syntax Error: /, ""), { extensions: { [LIMIT_EXTENSION]: limit } }));
  }],
});

export function queryLimitRules(limits: GraphqlLimits, introspection: boolean): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: true, ...reject("maxDepth") }),
    maxAliasesRule({ n: limits.maxAliases, ...reject("maxAliases") }),
    costLimitRule({ maxCost: limits.maxCost, ignoreIntrospection: true, ...reject("maxCost") }),
    maxDirectivesRule({ n: limits.maxDirectives, ...reject("maxDirectives") }),
    ...(introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
}

/** The limit a formatted error reports, if it is a limit violation (ours, or the parser's token limit). */
export function violatedLimit(formatted: GraphQLFormattedError): string | undefined {
  const limit = formatted.extensions?.[LIMIT_EXTENSION];
  if (typeof limit === "string") return limit;
  // graphql 16 spells it "more that"; later versions may fix the typo.
  return /^Syntax Error: Document contains more tha[nt] \d+ tokens/.test(formatted.message) ? "maxTokens" : undefined;
}

/**
 * Parse and validate for graphql-ws, with the same limits as HTTP. Errors come back (never
 * thrown: graphql-ws would close the socket) coded the way Apollo codes them.
 */
export function checkDocument(
  schema: GraphQLSchema, query: string, limits: GraphqlLimits, rules: readonly ValidationRule[],
): { document: DocumentNode } | { errors: GraphQLError[] } {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: limits.maxTokens });
  } catch (err) {
    if (!(err instanceof GraphQLError)) throw err;
    return { errors: [new GraphQLError(err.message, { extensions: { code: "GRAPHQL_PARSE_FAILED" } })] };
  }
  const errors = validate(schema, document, [...specifiedRules, ...rules]);
  if (errors.length === 0) return { document };
  return { errors: errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: "GRAPHQL_VALIDATION_FAILED", ...e.extensions } })) };
}
