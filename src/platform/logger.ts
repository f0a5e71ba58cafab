// pino, with card data redacted as a second line of defence: the vault is the first (a PAN is
// never put in an object that gets logged), this catches mistakes.
import { pino, type Logger } from "pino";
import { currentRequestId } from "./request-context.js";

export type { Logger };

const REDACT = [
  "card", "*.card", "*.*.card", "number", "*.number", "cvc", "*.cvc", "*.*.cvc",
  "authorization", "*.authorization", "headers.authorization", "req.headers.authorization",
  "secretKey", "*.secretKey", "variables.input.card", "*.variables.input.card",
];

export function createLogger(level: string, name = "paygraph"): Logger {
  return pino({
    name,
    level,
    redact: { paths: REDACT, censor: "[redacted]" },
    // Every line written inside a request carries its id.
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
  });
}
