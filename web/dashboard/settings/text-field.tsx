// A labelled text input with its own error line beside it (the API's `extensions.field` error for
// it, from use-action.ts), described by that line so a screen reader reads the error with the field.

interface Props {
  id: string;
  label: string;
  value: string;
  onValue(value: string): void;
  error: string;
  type?: "text" | "email" | "url";
  required?: boolean;
  maxLength?: number;
  placeholder?: string;
}

export function TextField({ id, label, value, onValue, error, type = "text", ...input }: Props) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} type={type as "text" /* preact types each input type apart */} value={value} onInput={(e) => onValue(e.currentTarget.value)} autocomplete="off" aria-describedby={`${id}-error`} {...input} />
      <p class="alert" role="alert" id={`${id}-error`}>{error}</p>
    </div>
  );
}
