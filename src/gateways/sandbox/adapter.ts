// The sandbox's connector: builds the wire body of each operation (amounts as decimal strings) and
// maps answers with mapping.ts. Pure; the HTTP is gateway-call.ts's.
import type { Connector, GatewayOperation, HttpRequest, OperationResult } from "../connector.js";
import { mapAuthentication, mapCharge, mapResponse } from "./mapping.js";
import type { AuthenticateBody, AuthorizeBody, CaptureBody, RefundBody, VoidBody } from "./wire.js";

function request(operation: GatewayOperation): HttpRequest {
  switch (operation.op) {
    case "authorize": {
      const { input } = operation;
      const card: AuthorizeBody["card"] = { number: input.card.number, expMonth: input.card.expMonth, expYear: input.card.expYear };
      // cvc is only sent when present (first use); it is not part of the idempotency fingerprint.
      if (input.card.cvc !== undefined) card.cvc = input.card.cvc;
      const body: AuthorizeBody = { idempotencyKey: input.idempotencyKey, amount: input.amount.toString(), currency: input.currency, card, capture: input.capture };
      if (input.authentication) body.authentication = input.authentication;
      return { method: "POST", path: "/v1/authorize", body };
    }
    case "capture": {
      const { input } = operation;
      const body: CaptureBody = { idempotencyKey: input.idempotencyKey, reference: input.reference, amount: input.amount.toString(), currency: input.currency };
      return { method: "POST", path: "/v1/capture", body };
    }
    case "void": {
      const body: VoidBody = { idempotencyKey: operation.input.idempotencyKey, reference: operation.input.reference };
      return { method: "POST", path: "/v1/void", body };
    }
    case "refund": {
      const { input } = operation;
      const body: RefundBody = { idempotencyKey: input.idempotencyKey, reference: input.reference, amount: input.amount.toString(), currency: input.currency };
      return { method: "POST", path: "/v1/refund", body };
    }
    case "retrieve":
      return { method: "GET", path: `/v1/charges/${encodeURIComponent(operation.idempotencyKey)}` };
    case "authenticate": {
      const { input } = operation;
      const body: AuthenticateBody = {
        transactionId: input.transactionId, amount: input.amount.toString(), currency: input.currency, card: { number: input.card.number }, notificationUrl: input.notificationUrl,
      };
      return { method: "POST", path: "/v1/3ds/authenticate", body };
    }
    case "authentication":
      return { method: "GET", path: `/v1/3ds/${encodeURIComponent(operation.transactionId)}` };
  }
}

export const sandboxConnector: Connector = {
  request,
  response<O extends GatewayOperation>(operation: O, status: number, body: unknown): OperationResult<O> {
    switch (operation.op) {
      case "retrieve": return mapCharge(status, body) as OperationResult<O>;
      case "authenticate":
      case "authentication": return mapAuthentication(status, body) as OperationResult<O>;
      default: return mapResponse(status, body) as OperationResult<O>;
    }
  },
};
