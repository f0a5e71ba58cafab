// One payment, live: read by payment(id:) (three requests: documents.ts says why), and read again whenever `paymentUpdated(paymentId)`
// brings a newer version (its attempts, refunds and events grow with it) or the socket comes back.
import { useCallback, useLayoutEffect, useRef, useState } from "preact/hooks";
import { DashboardPaymentDocument, DashboardPaymentEventsDocument, DashboardPaymentLiveDocument, DashboardPaymentRefundsDocument } from "@paygraph/client";
import { PaygraphError, describeError } from "../api/errors.js";
import { api } from "../api/session.js";
import type { PaymentDetail } from "../api/types.js";

export interface PaymentState {
  payment: PaymentDetail | null | undefined; // undefined: loading; null: not found
  error: string;
  reload(): Promise<void>;
}

export function usePayment(id: string): PaymentState {
  const [payment, setPayment] = useState<PaymentDetail | null | undefined>(undefined);
  const [error, setError] = useState("");
  const version = useRef(-1);

  const reload = useCallback(async (): Promise<void> => {
    try {
      const [{ payment }, { payment: refunds }, { payment: events }] = await Promise.all([
        api.query(DashboardPaymentDocument, { id }),
        api.query(DashboardPaymentRefundsDocument, { id }),
        api.query(DashboardPaymentEventsDocument, { id }),
      ]);
      const found: PaymentDetail = { ...payment, refunds: refunds.refunds, events: events.events };
      // Two reads can cross: never show an older version over a newer one.
      if (found && found.version < version.current) return;
      version.current = found.version;
      setPayment(found);
      setError("");
    } catch (err) {
      if (err instanceof PaygraphError && err.code === "NOT_FOUND") setPayment(null);
      else setError(describeError(err));
    }
  }, [id]);

  // A layout effect: the first read starts as the view mounts, not a frame later (after paint).
  useLayoutEffect(() => {
    version.current = -1;
    setPayment(undefined);
    void reload();
    const stop = api.subscribe(DashboardPaymentLiveDocument, { id }, {
      next: ({ paymentUpdated }) => void (paymentUpdated.version > version.current && reload()),
      error: (err) => setError(describeError(err)),
    });
    const stopGap = api.onConnected((reconnected) => void (reconnected && reload()));
    return () => {
      stop();
      stopGap();
    };
  }, [id]);

  return { payment, error, reload };
}
