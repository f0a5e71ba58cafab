// Bounds on live subscriptions, so one client cannot run an api process out of memory for every
// merchant (2,800 subscriptions on one socket and one createPayment once did): at most
// SUBSCRIPTIONS_PER_SOCKET per graphql-ws socket and SUBSCRIPTIONS_PER_CREDENTIAL per credential
// across the sockets of this process (counted in memory: another api process counts its own).
// Past either the subscribe gets TOO_MANY_SUBSCRIPTIONS and the socket stays usable. And a socket
// whose client does not read (its unsent bytes past SUBSCRIPTION_SOCKET_BUFFER_BYTES) is closed
// with 1013 "try again later" rather than buffered without end.
import type { WebSocket } from "ws";
import { AppError, ErrorCode } from "../platform/errors.js";

/** WebSocket close code 1013: "Try Again Later" (RFC 6455 registry). */
export const CLOSE_TRY_AGAIN_LATER = 1013;

export class SubscriptionLimits {
  private readonly perCredentialCount = new Map<string, number>();
  /** Each socket's admitted subscriptions (operation id → credential), released on complete or close. */
  private readonly bySocket = new WeakMap<object, Map<string, string>>();

  constructor(
    private readonly limits: { perSocket: number; perCredential: number; socketBufferBytes: number },
  ) {}

  /** Admits subscription `id` of `socket` for `credential`, or says why not (nothing is counted then). */
  admit(socket: object, id: string, credential: string): AppError | undefined {
    let mine = this.bySocket.get(socket);
    if (!mine) this.bySocket.set(socket, (mine = new Map()));
    if (mine.size >= this.limits.perSocket) {
      return new AppError(ErrorCode.TOO_MANY_SUBSCRIPTIONS, `This connection already holds ${this.limits.perSocket} subscriptions: complete one first, or open another connection`, { limit: "socket", max: this.limits.perSocket });
    }
    const held = this.perCredentialCount.get(credential) ?? 0;
    if (held >= this.limits.perCredential) {
      return new AppError(ErrorCode.TOO_MANY_SUBSCRIPTIONS, `This credential already holds ${this.limits.perCredential} subscriptions: complete some first`, { limit: "credential", max: this.limits.perCredential });
    }
    mine.set(id, credential);
    this.perCredentialCount.set(credential, held + 1);
    return undefined;
  }

  /** The subscription ended (completed by either side, or failed). Idempotent. */
  release(socket: object, id: string): void {
    const mine = this.bySocket.get(socket);
    const credential = mine?.get(id);
    if (credential === undefined) return;
    mine!.delete(id);
    const held = (this.perCredentialCount.get(credential) ?? 1) - 1;
    if (held > 0) this.perCredentialCount.set(credential, held);
    else this.perCredentialCount.delete(credential);
  }

  /** The socket closed: whatever it still held is released. */
  releaseAll(socket: object): void {
    for (const id of [...(this.bySocket.get(socket)?.keys() ?? [])]) this.release(socket, id);
    this.bySocket.delete(socket);
  }

  /** Before each message: a socket whose client is not reading is closed (1013) instead of buffering more. True when closed. */
  closeIfBacklogged(socket: WebSocket): boolean {
    if (socket.bufferedAmount <= this.limits.socketBufferBytes) return false;
    if (socket.readyState === socket.OPEN) socket.close(CLOSE_TRY_AGAIN_LATER, "Too much unread data: try again later");
    return true;
  }
}
