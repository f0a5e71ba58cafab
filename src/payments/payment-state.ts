// The payment state machine, as data. Nothing writes `status` except transition.ts, and it asks
// this table first. See README.md in this folder for the diagram.
import { AppError, ErrorCode } from "../platform/errors.js";
import { PaymentStatus } from "../generated/prisma/enums.js";

export { PaymentStatus };

const S = PaymentStatus;

/** Only transitions some change of payment-change.ts produces (a unit test derives them from decide()). */
export const PAYMENT_TRANSITIONS: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  REQUIRES_PAYMENT_METHOD: [S.PROCESSING, S.REQUIRES_REVIEW, S.CANCELED, S.FAILED],
  PROCESSING: [S.AUTHORIZED, S.CAPTURED, S.REQUIRES_ACTION, S.REQUIRES_PAYMENT_METHOD, S.FAILED],
  REQUIRES_ACTION: [S.PROCESSING, S.REQUIRES_REVIEW, S.REQUIRES_PAYMENT_METHOD, S.FAILED, S.CANCELED],
  REQUIRES_REVIEW: [S.PROCESSING, S.CANCELED],
  AUTHORIZED: [S.CAPTURED, S.CANCELED],
  CAPTURED: [S.PARTIALLY_REFUNDED, S.REFUNDED],
  PARTIALLY_REFUNDED: [S.REFUNDED],
  REFUNDED: [],
  CANCELED: [],
  FAILED: [],
};

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return PAYMENT_TRANSITIONS[from].includes(to);
}

/** Throws INVALID_STATE_TRANSITION naming both sides; a same-state change is allowed (a field update). */
export function assertTransition(from: PaymentStatus, to: PaymentStatus, action: string): void {
  if (from === to || canTransition(from, to)) return;
  throw new AppError(
    ErrorCode.INVALID_STATE_TRANSITION,
    `Cannot ${action} a payment in status ${from}`,
    { from, to, action, allowed: [...PAYMENT_TRANSITIONS[from]] },
  );
}

/** Checked at boot and in a unit test: every target is a state, every state is reachable. */
export function validateStateMachine(): void {
  const states = Object.keys(PAYMENT_TRANSITIONS) as PaymentStatus[];
  const reachable = new Set<PaymentStatus>([S.REQUIRES_PAYMENT_METHOD]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const from of reachable) {
      for (const to of PAYMENT_TRANSITIONS[from]) {
        if (!states.includes(to)) throw new Error(`payment state machine: unknown target ${to}`);
        if (!reachable.has(to)) {
          reachable.add(to);
          grew = true;
        }
      }
    }
  }
  const unreachable = states.filter((s) => !reachable.has(s));
  if (unreachable.length) throw new Error(`payment state machine: unreachable ${unreachable.join(", ")}`);
  if (Object.values(PaymentStatus).some((s) => !(s in PAYMENT_TRANSITIONS))) throw new Error("payment state machine: missing a status");
}
