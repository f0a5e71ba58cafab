// Capture, cancel and refund: offered only to a role whose scopes allow them and only in a status
// where they can happen; each asks for confirmation and sends one idempotency key per action,
// the same key again if the person retries it after an error (so a lost answer cannot refund twice).
import { useState } from "preact/hooks";
import { DashboardCancelDocument, DashboardCaptureDocument, DashboardRefundDocument } from "@paygraph/client";
import { failureMessage, keyFor, settled } from "../api/idempotency.js";
import { api, can } from "../api/session.js";
import type { PaymentDetail } from "../api/types.js";
import { ConfirmDialog } from "../ui/dialog.js";
import { formatMoney } from "../ui/format.js";
import { decimalsOf, refundable, toMinor } from "./amounts.js";

type Action = "capture" | "cancel" | "refund";
const CANCELABLE = ["REQUIRES_PAYMENT_METHOD", "REQUIRES_ACTION", "REQUIRES_REVIEW", "AUTHORIZED"];

export function PaymentActions({ payment, onDone }: { payment: PaymentDetail; onDone(message: string): void }) {
  const [open, setOpen] = useState<Action | null>(null);
  const left = refundable(payment);
  const offered: Action[] = [
    ...(can("payments:write") && payment.status === "AUTHORIZED" ? ["capture" as const] : []),
    ...(can("refunds:write") && ["CAPTURED", "PARTIALLY_REFUNDED"].includes(payment.status) && toMinor(left, decimalsOf(left)) > 0n ? ["refund" as const] : []),
    ...(can("payments:write") && CANCELABLE.includes(payment.status) ? ["cancel" as const] : []),
  ];
  if (!offered.length) return null;
  const label: Record<Action, string> = { capture: "Capture", refund: "Refund", cancel: "Cancel payment" };
  return (
    <section aria-labelledby="actions-title" class="actions-panel">
      <h2 id="actions-title" class="visually-hidden">Actions</h2>
      <div class="actions">
        {offered.map((action) => (
          <button type="button" key={action} class={action === "cancel" ? "danger" : "primary"} onClick={() => setOpen(action)}>{label[action]}</button>
        ))}
      </div>
      {open && <ActionDialog action={open} payment={payment} refundableAmount={left} onClose={() => setOpen(null)} onDone={onDone} />}
    </section>
  );
}

interface DialogProps { action: Action; payment: PaymentDetail; refundableAmount: string; onClose(): void; onDone(message: string): void }

function ActionDialog({ action, payment, refundableAmount, onClose, onDone }: DialogProps) {
  const [amount, setAmount] = useState(action === "capture" ? payment.amountCapturable.amount : refundableAmount);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const edit = (set: (v: string) => void) => (event: Event): void => set((event.currentTarget as HTMLInputElement).value);
  const money = (value: string): string => formatMoney({ amount: value, currency: payment.amount.currency });

  const confirm = async (): Promise<boolean> => {
    setBusy(true);
    setError("");
    const paymentId = payment.id;
    const request = `${action}:${paymentId}`;
    const idempotencyKey = keyFor(request);
    try {
      if (action === "capture") await api.mutate(DashboardCaptureDocument, { input: { paymentId, ...(amount ? { amount } : {}) } }, { idempotencyKey });
      if (action === "cancel") await api.mutate(DashboardCancelDocument, { input: { paymentId } }, { idempotencyKey });
      if (action === "refund") await api.mutate(DashboardRefundDocument, { input: { paymentId, ...(amount ? { amount } : {}), ...(reason.trim() ? { reason: reason.trim() } : {}) } }, { idempotencyKey });
      settled(request);
      onDone(action === "refund" ? `Refund of ${money(amount)} requested.` : action === "capture" ? `Capture of ${money(amount)} requested.` : "Payment cancelled.");
    } catch (err) {
      setError(failureMessage(request, err));
      setBusy(false);
      return false;
    }
    return true;
  };

  const titles: Record<Action, string> = {
    capture: `Capture ${payment.id}?`, cancel: `Cancel ${payment.id}?`, refund: `Refund ${payment.id}?`,
  };
  const confirmLabels: Record<Action, string> = { capture: "Capture", cancel: "Cancel payment", refund: "Refund" };
  return (
    <ConfirmDialog title={titles[action]} confirmLabel={confirmLabels[action]} busy={busy} error={error} onConfirm={confirm} onClose={onClose}>
      {action === "cancel" && <p>The payment is cancelled and any authorization released. This cannot be undone.</p>}
      {action !== "cancel" && (
        <div class="field">
          <label for="action-amount">Amount ({payment.amount.currency}), at most {money(action === "capture" ? payment.amountCapturable.amount : refundableAmount)}</label>
          <input id="action-amount" inputMode="decimal" value={amount} onInput={edit(setAmount)} required autocomplete="off" />
        </div>
      )}
      {action === "refund" && (
        <div class="field">
          <label for="action-reason">Reason (optional)</label>
          <input id="action-reason" value={reason} onInput={edit(setReason)} maxLength={200} autocomplete="off" />
        </div>
      )}
    </ConfirmDialog>
  );
}
