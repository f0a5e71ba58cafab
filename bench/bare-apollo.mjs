// The req/s ceiling of the stack itself: Apollo Server 5 on Fastify 5 with a one-field schema,
// no type-graphql, no database, no auth, no context. paygraph's reads/s is reported as a share of
// what this answers to `{ __typename }` on the same machine in the same run.
//
//   NODE_ENV=production node bench/bare-apollo.mjs [--port N]   → prints "listening on http://…"
import Fastify from "fastify";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import fastifyApollo, { fastifyApolloDrainPlugin } from "@as-integrations/fastify";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { port: { type: "string", default: "0" }, host: { type: "string", default: "127.0.0.1" } } });
if (process.env.NODE_ENV !== "production") process.stderr.write("bare-apollo: NODE_ENV is not 'production'; figures will not be comparable\n");

const fastify = Fastify({ logger: false });
const apollo = new ApolloServer({
  typeDefs: "type Query { ok: Boolean! }",
  resolvers: { Query: { ok: () => true } },
  plugins: [fastifyApolloDrainPlugin(fastify), ApolloServerPluginLandingPageDisabled()],
});
await apollo.start();
await fastify.register(fastifyApollo(apollo));
const address = await fastify.listen({ port: Number(values.port), host: values.host });
process.stdout.write(`bare apollo listening on ${address}/graphql\n`);

const stop = async () => {
  await fastify.close();
  process.exit(0);
};
process.once("SIGTERM", () => void stop());
process.once("SIGINT", () => void stop());
