// Approve or reject a held payment, behind a confirmation. One idempotency key per payment's review
// until it succeeds (api/idempotency.ts): a retry after an error, from the same dialog or a
// reopened one, approving or rejecting, is never a second decision.
import { useState } from "preact/hooks";
import { DashboardOverviewApproveDocument, DashboardOverviewRejectDocument } from "@paygraph/client";
import { failureMessage, keyFor, settled } from "../api/idempotency.js";
import { api } from "../api/session.js";
import { ConfirmDialog } from "../ui/dialog.js";
import { formatMoney } from "../ui/format.js";
import type { Held } from "./review-panel.js";

export type Decision = "approve" | "reject";

interface Props { decision: Decision; payment: Held; onClose(): void; onDone(payment: Held, message: string): void }

export function ReviewDialog({ decision, payment, onClose, onDone }: Props) {
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const amount = formatMoney(payment.amount);

  const confirm = async (): Promise<boolean> => {
    const why = reason.trim();
    if (decision === "reject" && !why) {
      setError("Say why it is rejected: the reason becomes the payment's error message.");
      return false;
    }
    setBusy(true);
    setError("");
    const request = `review:${payment.id}`;
    const idempotencyKey = keyFor(request);
    try {
      const decided = decision === "approve"
        ? (await api.mutate(DashboardOverviewApproveDocument, { input: { paymentId: payment.id } }, { idempotencyKey })).approvePayment.payment
        : (await api.mutate(DashboardOverviewRejectDocument, { input: { paymentId: payment.id, reason: why } }, { idempotencyKey })).rejectPayment.payment;
      settled(request);
      onDone(decided, decision === "approve" ? `Approved ${payment.id}: it goes on to a gateway.` : `Rejected ${payment.id}: it is cancelled.`);
    } catch (err) {
      setError(failureMessage(request, err));
      setBusy(false);
      return false;
    }
    return true;
  };

  return (
    <ConfirmDialog
      title={decision === "approve" ? `Approve ${payment.id}?` : `Reject ${payment.id}?`}
      confirmLabel={decision === "approve" ? "Approve" : "Reject"}
      busy={busy} error={error} onConfirm={confirm} onClose={onClose}
    >
      {decision === "approve"
        ? <p>The payment of {amount} goes on to a gateway and may be charged.</p>
        : (
          <>
            <p>The payment of {amount} is cancelled; nothing is charged. This cannot be undone.</p>
            <div class="field">
              <label for="review-reason">Reason (shown as the payment's error)</label>
              <input id="review-reason" value={reason} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} maxLength={500} required autocomplete="off" />
            </div>
          </>
        )}
    </ConfirmDialog>
  );
}
