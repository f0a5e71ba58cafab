// When a live view reads again what its subscription may have missed. The subscription is sent
// once the socket is connected, and the server follows the merchant's events only once it has
// taken it in: an event in between would reach neither (graphql-ws says nothing when a
// subscription is in place). So `fill` runs shortly after every connection, the first one
// included; after a reconnect, once at once too (what happened while the socket was down).
import { api } from "./session.js";

/** After a connection, when the subscription is surely in place on the server. */
export const SETTLE_MS = 1500;

/** Runs `fill` after each connection of the socket as above; returns the function that stops it. */
export function fillAfterConnections(fill: () => void): () => void {
  let settle: ReturnType<typeof setTimeout> | undefined;
  const stop = api.onConnected((reconnected) => {
    if (reconnected) fill();
    clearTimeout(settle);
    settle = setTimeout(fill, SETTLE_MS);
  });
  return () => {
    clearTimeout(settle);
    stop();
  };
}
