// The filter form. It changes the URL (so the filtered list can be shared, and Back undoes a
// filter); the list follows the URL. Applied on submit, not on each keystroke or choice, so
// nothing moves while a person is still choosing.
import { PAYMENT_STATUSES } from "../api/types.js";
import { humanize } from "../ui/format.js";
import { Link } from "../ui/link.js";
import { BASE, navigate } from "../ui/router.js";
import { queryFromFilter, type Filter } from "./filter.js";

export function Filters({ filter }: { filter: Filter }) {
  const submit = (event: SubmitEvent): void => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const value = (name: string): string | undefined => String(form.get(name) ?? "").trim() || undefined;
    const next: Filter = {
      status: value("status") as Filter["status"], currency: value("currency")?.toUpperCase(),
      gateway: value("gateway"), from: value("from"), to: value("to"), id: value("id"),
    };
    navigate(`${BASE}/payments${queryFromFilter(next)}`);
  };
  // Keyed by the filter, so Back/Forward show the URL's values, not what was last typed.
  return (
    <form class="filters" role="search" aria-label="Filter payments" onSubmit={submit} key={queryFromFilter(filter)}>
      <div class="field">
        <label for="f-id">Payment id</label>
        <input id="f-id" name="id" type="search" placeholder="pay_…" defaultValue={filter.id ?? ""} spellcheck={false} autocomplete="off" />
      </div>
      <div class="field">
        <label for="f-status">Status</label>
        {/* `selected` on the option, not `value` on the select: a re-render must not undo a choice not yet applied. */}
        <select id="f-status" name="status">
          <option value="" selected={!filter.status}>Any</option>
          {PAYMENT_STATUSES.map((s) => <option value={s} key={s} selected={s === filter.status}>{humanize(s)}</option>)}
        </select>
      </div>
      <div class="field">
        <label for="f-currency">Currency</label>
        <input id="f-currency" name="currency" placeholder="EUR" maxLength={3} defaultValue={filter.currency ?? ""} autocomplete="off" class="short" />
      </div>
      <div class="field">
        <label for="f-gateway">Gateway</label>
        <input id="f-gateway" name="gateway" defaultValue={filter.gateway ?? ""} autocomplete="off" />
      </div>
      <div class="field">
        <label for="f-from">From</label>
        <input id="f-from" name="from" type="date" defaultValue={filter.from ?? ""} />
      </div>
      <div class="field">
        <label for="f-to">To</label>
        <input id="f-to" name="to" type="date" defaultValue={filter.to ?? ""} />
      </div>
      <div class="actions">
        <button type="submit" class="primary">Apply filters</button>
        <Link class="button" href={`${BASE}/payments`}>Clear</Link>
      </div>
    </form>
  );
}
