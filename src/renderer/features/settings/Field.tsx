import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../lib/format.ts';
import { useLocale } from '../../lib/hooks.ts';
import type { FieldError } from './validation.ts';

/** The translated message of a field error. */
export function useErrorText(): (error: FieldError | undefined) => string | null {
  const { t } = useTranslation('settings');
  const locale = useLocale();
  const digits = (n: number | undefined) => (n === undefined ? '' : formatNumber(n, locale, { maximumFractionDigits: 2 }));
  return (error) => (error ? t(`errors.${error.code}`, { min: digits(error.min), max: digits(error.max) }) : null);
}

/** A labelled text input with an inline error tied to it (aria-invalid, aria-describedby). */
export function Field(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: FieldError;
  hint?: string;
  inputMode?: 'numeric' | 'decimal' | 'text';
  type?: 'text' | 'date';
  name?: string;
  children?: ReactNode;
}) {
  const id = useId();
  const errorText = useErrorText()(props.error);
  const describedBy = [props.hint ? `${id}-hint` : null, errorText ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        inputMode={props.inputMode}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={errorText ? true : undefined}
        aria-describedby={describedBy}
      />
      {props.hint && (
        <span id={`${id}-hint`} className="hint">
          {props.hint}
        </span>
      )}
      {errorText && (
        <span id={`${id}-error`} className="field-error">
          {errorText}
        </span>
      )}
      {props.children}
    </div>
  );
}
