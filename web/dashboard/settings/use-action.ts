// One form's or dialog's request: busy while in flight (the button is disabled, and a second click
// or Enter is ignored even before the re-render: these mutations mint secrets and are not
// idempotent-keyed, so a double submit would make two), the error in words for the alert region,
// and the input field it names (`extensions.field`) to show beside that field. Never retried here.
import { useRef, useState } from "preact/hooks";
import { describeError } from "../api/errors.js";

export interface ActionError { text: string; field: string | undefined }

const NO_ERROR: ActionError = { text: "", field: undefined };

/** The field a BAD_USER_INPUT names, e.g. "scopes" or "input.url" → "url". */
export function errorField(err: unknown): string | undefined {
  const field = (err as { extensions?: Record<string, unknown> } | null)?.extensions?.field;
  return typeof field === "string" ? field.split(".").at(-1) : undefined;
}

export function useAction() {
  const inFlight = useRef(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ActionError>(NO_ERROR);
  /** Runs `request` unless one is in flight; resolves its result, or undefined when it failed (the error is shown). */
  const run = async <T>(request: () => Promise<T>): Promise<T | undefined> => {
    if (inFlight.current) return undefined;
    inFlight.current = true;
    setBusy(true);
    setError(NO_ERROR);
    try {
      return await request();
    } catch (err) {
      setError({ text: describeError(err), field: errorField(err) });
      return undefined;
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };
  /** The error to show beside `field` (empty when it names another field or none). */
  const fieldError = (field: string): string => (error.field === field ? error.text : "");
  /** The form's own alert: empty when the error is shown beside one of the form's `fields`. */
  const formError = (fields: readonly string[]): string => (error.field && fields.includes(error.field) ? "" : error.text);
  return { busy, error, run, fieldError, formError };
}
