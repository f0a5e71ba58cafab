// autocannon (programmatic) against a GraphQL endpoint: a fixed number of keep-alive connections
// for a fixed duration. Every response body is checked (verifyBody): one that is not `data`
// without `errors` counts as a mismatch, reported as a GraphQL error.
import autocannon from "autocannon";
import { round } from "./stats.mjs";

/**
 * @param {object} o
 * @param {string} o.url            http://host:port/graphql
 * @param {number} o.connections
 * @param {number} o.durationS
 * @param {() => string} o.body     a fresh JSON request body per request
 * @param {Record<string,string>} [o.headers]
 * @param {(json: any) => boolean} [o.ok]  extra check of a parsed body
 */
export async function cannon(o) {
  let firstBad;
  const verifyBody = (text) => {
    let good = false;
    try {
      const json = JSON.parse(text);
      good = !json.errors && json.data != null && (o.ok ? o.ok(json) : true);
    } catch {
      good = false;
    }
    if (!good && firstBad === undefined) firstBad = text.slice(0, 300);
    return good;
  };
  const result = await autocannon({
    url: o.url,
    connections: o.connections,
    duration: o.durationS,
    timeout: 10,
    verifyBody,
    requests: [{
      method: "POST",
      headers: { "content-type": "application/json", ...o.headers },
      setupRequest: (req) => ({ ...req, body: o.body() }),
    }],
  });
  return {
    connections: o.connections,
    durationS: o.durationS,
    reqPerS: round(result.requests.average),
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    graphqlErrors: result.mismatches,
    socketErrors: result.errors,
    timeouts: result.timeouts,
    firstBadBody: firstBad ?? null,
  };
}
