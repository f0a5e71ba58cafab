// What a connector for one gateway kind is: a pure translator. It builds the HTTP request of each
// operation and maps the answer (status + parsed body) to the connector-neutral outcome. It does
// no I/O: HTTP, timeouts, network-error mapping, latency metrics and circuit statistics belong to
// gateway-call.ts, the one module that calls gateways.
import type { AuthenticateInput, AuthenticationOutcome, AuthorizeInput, CaptureInput, ChargeLookup, GatewayOutcome, RefundInput, VoidInput } from "./gateway.js";

export type GatewayOperation =
  | { op: "authorize"; input: AuthorizeInput }
  | { op: "capture"; input: CaptureInput }
  | { op: "void"; input: VoidInput }
  | { op: "refund"; input: RefundInput }
  /** What the gateway knows of the authorization made under this key. */
  | { op: "retrieve"; idempotencyKey: string }
  /** 3-D Secure: start an authentication (AReq), or read where one stands (after a challenge). */
  | { op: "authenticate"; input: AuthenticateInput }
  | { op: "authentication"; transactionId: string };

export type OperationResult<O extends GatewayOperation> =
  O extends { op: "retrieve" } ? ChargeLookup : O extends { op: "authenticate" | "authentication" } ? AuthenticationOutcome : GatewayOutcome;

export interface HttpRequest {
  method: "GET" | "POST";
  /** Path below the gateway's base URL, starting with `/`. */
  path: string;
  /** Sent as JSON. */
  body?: unknown;
}

export interface Connector {
  request(operation: GatewayOperation): HttpRequest;
  response<O extends GatewayOperation>(operation: O, status: number, body: unknown): OperationResult<O>;
}
