// `paygraph oauth rotate-signing-key`: a new signing key for OAuth access tokens; earlier keys stay
// published until the tokens they signed have expired. It assembles a process, whose modules
// include type-graphql's decorated classes: reflect-metadata first.
import "reflect-metadata";
import { loadConfig } from "../config.js";
import { createProcess } from "../app/process.js";
import { rotateOAuthSigningKey } from "../auth/oauth/rotate-command.js";
import { createLogger } from "../platform/logger.js";
import { say } from "./io.js";
import { ready } from "./ready.js";

export async function rotateOAuthSigningKeyCommand(values: { json?: boolean }): Promise<void> {
  const config = loadConfig();
  await ready(config);
  const proc = createProcess(config, createLogger(config.logLevel));
  const rotated = await rotateOAuthSigningKey(proc.app);
  say(values.json ? JSON.stringify(rotated) : `signing key ${rotated.kid} signs from now on; earlier keys stay published until their tokens expired`);
  await proc.close();
}
