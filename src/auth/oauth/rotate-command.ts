// `paygraph oauth rotate-signing-key`: a new key signs from now on (e.g. after a suspected leak, or
// to test resource servers' key refresh); the old one stays published until its tokens expired.
// Running api processes hear of it over Redis and stop signing with the key they cached.
import type { App } from "../../app/app.js";
import { rotateSigningKey, rotationMessage, signingKeyChannel } from "./signing-keys.js";

export async function rotateOAuthSigningKey(app: App): Promise<{ kid: string }> {
  const rotated = await rotateSigningKey(app);
  await app.pubsub.publish([{ channels: [signingKeyChannel(app.config.redisPrefix)], message: rotationMessage() }]);
  return rotated;
}
