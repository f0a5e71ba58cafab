// The card fields, shared by the hosted checkout page and paygraph.js's card form: labelled inputs
// with their error texts, the rules of what a shopper typed (the server checks again), and the
// marking of wrong fields (aria-invalid, the error each input describes).
import type { Messages } from "./i18n.js";

export interface CardEntry { number: string; expMonth: number; expYear: number; cvc: string }
export type FieldName = "number" | "expiry" | "cvc";
const NAMES: readonly FieldName[] = ["number", "expiry", "cvc"];

/** MM/YY or MM/YYYY, this month or later. */
export function parseExpiry(text: string, now = new Date()): { expMonth: number; expYear: number } | undefined {
  const m = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(text);
  if (!m) return undefined;
  const expMonth = Number(m[1]);
  const expYear = m[2]!.length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
  if (expMonth < 1 || expMonth > 12 || expYear < now.getFullYear() || (expYear === now.getFullYear() && expMonth < now.getMonth() + 1)) return undefined;
  return { expMonth, expYear };
}

/** The card, or which fields are wrong. */
export function readCard(values: Record<FieldName, string>): { card: CardEntry } | { invalid: FieldName[] } {
  const number = values.number.replace(/[\s-]/g, "");
  const expiry = parseExpiry(values.expiry);
  const cvc = values.cvc.trim();
  const invalid: FieldName[] = [];
  if (!/^\d{12,19}$/.test(number)) invalid.push("number");
  if (!expiry) invalid.push("expiry");
  if (!/^\d{3,4}$/.test(cvc)) invalid.push("cvc");
  return invalid.length || !expiry ? { invalid } : { card: { number, ...expiry, cvc } };
}

const ATTRS: Record<FieldName, Record<string, string>> = {
  number: { autocomplete: "cc-number", maxlength: "23" },
  expiry: { autocomplete: "cc-exp", maxlength: "7" },
  cvc: { autocomplete: "cc-csc", maxlength: "4" },
};

export class CardFields {
  readonly inputs = {} as Record<FieldName, HTMLInputElement>;
  private readonly labels = {} as Record<FieldName, HTMLLabelElement>;
  private readonly errors = {} as Record<FieldName, HTMLElement>;

  /** Builds the three labelled fields into `container` (number; then expiry and security code side by side). */
  constructor(container: HTMLElement, t: Messages) {
    const row = document.createElement("div");
    row.className = "row";
    for (const name of NAMES) {
      const field = document.createElement("div");
      field.className = "field";
      const label = document.createElement("label");
      label.htmlFor = name;
      const input = document.createElement("input");
      Object.assign(input, { id: name, name, inputMode: "numeric", required: true });
      for (const [k, v] of Object.entries(ATTRS[name])) input.setAttribute(k, v);
      input.setAttribute("aria-describedby", `${name}-error`);
      const error = document.createElement("p");
      Object.assign(error, { id: `${name}-error`, className: "field-error", hidden: true });
      field.append(label, input, error);
      (name === "number" ? container : row).append(field);
      [this.inputs[name], this.labels[name], this.errors[name]] = [input, label, error];
    }
    container.append(row);
    this.setLocale(t);
  }

  setLocale(t: Messages): void {
    this.labels.number.textContent = t.number;
    this.labels.expiry.textContent = t.expiry;
    this.labels.cvc.textContent = t.cvc;
    this.inputs.expiry.placeholder = t.expiryPlaceholder;
  }

  set disabled(value: boolean) {
    for (const input of Object.values(this.inputs)) input.disabled = value;
  }

  /** The card typed, or undefined after marking the wrong fields (with `t`'s words) and focusing the first. */
  read(t: Messages): CardEntry | undefined {
    const read = readCard({ number: this.inputs.number.value, expiry: this.inputs.expiry.value, cvc: this.inputs.cvc.value });
    const invalid = "invalid" in read ? read.invalid : [];
    const texts: Record<FieldName, string> = { number: t.numberInvalid, expiry: t.expiryInvalid, cvc: t.cvcInvalid };
    for (const name of NAMES) {
      const wrong = invalid.includes(name);
      this.inputs[name].setAttribute("aria-invalid", wrong ? "true" : "false");
      this.errors[name].hidden = !wrong;
      this.errors[name].textContent = wrong ? texts[name] : "";
    }
    if ("card" in read) return read.card;
    this.inputs[invalid[0] ?? "number"].focus();
    return undefined;
  }
}
