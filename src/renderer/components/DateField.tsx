import { useId, useState } from 'react';
import { toAsciiDigits } from '../../sync/model/text.ts';
import type { Locale } from '../../sync/model/settings.ts';
import { isIsoDate } from '../../sync/model/dates.ts';
import { fromPersian, persianMonthNames, toPersian } from '../lib/calendar.ts';
import { formatDay, formatNumber } from '../lib/format.ts';

/**
 * A calendar date (`YYYY-MM-DD`, Gregorian as stored). In English it is the browser's date input; in Persian
 * it is day / month / year of the Persian calendar (what a Persian customer tells the cashier), converted
 * with Intl. The chosen date is echoed in words in the UI language so a wrong calendar is noticed.
 */
export function DateField(props: {
  label: string;
  value: string;
  onChange(value: string): void;
  locale: Locale;
  error?: string | null | undefined;
  labels: { day: string; month: string; year: string; none: string };
}) {
  const { label, value, onChange, locale, error, labels } = props;
  const id = useId();
  const errorId = `${id}-error`;
  const echoId = `${id}-echo`;
  const describedBy = [isIsoDate(value) ? echoId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <fieldset className={`field date-field${error ? ' field-invalid' : ''}`}>
      <legend className="field-label">{label}</legend>
      {locale === 'fa' ? (
        <PersianDateInputs
          value={value}
          onChange={onChange}
          labels={labels}
          describedBy={describedBy}
          invalid={Boolean(error)}
        />
      ) : (
        <input
          id={id}
          type="date"
          aria-label={label}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
        />
      )}
      {isIsoDate(value) ? (
        <p id={echoId} className="field-hint">
          {formatDay(value, locale, 'long')}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

function PersianDateInputs(props: {
  value: string;
  onChange(value: string): void;
  labels: { day: string; month: string; year: string; none: string };
  describedBy: string | undefined;
  invalid: boolean;
}) {
  const { value, onChange, labels } = props;
  const initial = value ? toPersian(value) : null;
  // Partly typed dates live here; the field's value changes only when the three parts make a real day.
  const [parts, setParts] = useState({
    day: initial ? String(initial.day) : '',
    month: initial ? String(initial.month) : '',
    year: initial ? String(initial.year) : '',
  });
  const months = persianMonthNames('fa');
  const update = (patch: Partial<typeof parts>) => {
    const next = { ...parts, ...patch };
    setParts(next);
    if (next.day === '' && next.month === '' && next.year === '') return onChange('');
    // A four-digit year only: two digits would be a guess between centuries.
    const iso =
      next.year.length === 4
        ? fromPersian({ year: Number(next.year), month: Number(next.month), day: Number(next.day) })
        : null;
    // An incomplete or impossible date is passed on as text the form reports as invalid.
    onChange(iso ?? 'invalid');
  };
  const show = (text: string) =>
    text === '' ? '' : toAsciiDigits(text).replace(/\d/g, (d) => formatNumber(Number(d), 'fa'));
  return (
    <div className="date-parts">
      <label className="date-part">
        <span className="visually-hidden">{labels.day}</span>
        <input
          inputMode="numeric"
          maxLength={2}
          placeholder={labels.day}
          value={show(parts.day)}
          aria-invalid={props.invalid || undefined}
          aria-describedby={props.describedBy}
          onChange={(event) => update({ day: toAsciiDigits(event.target.value).replace(/\D/g, '') })}
        />
      </label>
      <label className="date-part date-part-month">
        <span className="visually-hidden">{labels.month}</span>
        <select
          value={parts.month}
          aria-invalid={props.invalid || undefined}
          onChange={(event) => update({ month: event.target.value })}
        >
          <option value="">{labels.none}</option>
          {months.map((name, index) => (
            <option key={name} value={String(index + 1)}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label className="date-part date-part-year">
        <span className="visually-hidden">{labels.year}</span>
        <input
          inputMode="numeric"
          maxLength={4}
          placeholder={labels.year}
          value={show(parts.year)}
          aria-invalid={props.invalid || undefined}
          onChange={(event) => update({ year: toAsciiDigits(event.target.value).replace(/\D/g, '') })}
        />
      </label>
    </div>
  );
}
