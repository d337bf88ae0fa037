import {
  useId,
  type InputHTMLAttributes,
  type ReactNode,
  type Ref,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';

// Labelled form controls: every control has a visible <label>, its hint and its inline error are tied to it
// with aria-describedby, and an error sets aria-invalid. Text comes translated from the caller.

interface FieldText {
  label: string;
  hint?: string | undefined;
  error?: string | null | undefined;
  /** Marks the label as required (the asterisk is decorative; `required` on the control says it). */
  requiredMark?: boolean;
}

function describedBy(hintId: string, errorId: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? hintId : null, error ? errorId : null].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

function FieldShell({
  id,
  label,
  hint,
  error,
  requiredMark,
  children,
  className,
}: FieldText & { id: string; children: ReactNode; className?: string | undefined }) {
  return (
    <div className={['field', error ? 'field-invalid' : '', className ?? ''].filter(Boolean).join(' ')}>
      <label htmlFor={id} className="field-label">
        {label}
        {requiredMark ? <span aria-hidden="true" className="required-mark" /> : null}
      </label>
      {children}
      {hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A labelled text input. */
export function TextField({
  label,
  hint,
  error,
  requiredMark,
  className,
  inputRef,
  ...input
}: FieldText & InputHTMLAttributes<HTMLInputElement> & { inputRef?: Ref<HTMLInputElement> }) {
  const generated = useId();
  const id = input.id ?? generated;
  return (
    <FieldShell id={id} label={label} hint={hint} error={error} requiredMark={requiredMark} className={className}>
      <input
        {...input}
        ref={inputRef}
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${id}-hint`, `${id}-error`, hint, error)}
      />
    </FieldShell>
  );
}

/** A labelled multi-line text input. */
export function TextAreaField({
  label,
  hint,
  error,
  requiredMark,
  className,
  ...input
}: FieldText & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const generated = useId();
  const id = input.id ?? generated;
  return (
    <FieldShell id={id} label={label} hint={hint} error={error} requiredMark={requiredMark} className={className}>
      <textarea
        {...input}
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${id}-hint`, `${id}-error`, hint, error)}
      />
    </FieldShell>
  );
}

/** A labelled select; options are given as value/label pairs. */
export function SelectField({
  label,
  hint,
  error,
  requiredMark,
  className,
  options,
  ...select
}: FieldText &
  SelectHTMLAttributes<HTMLSelectElement> & {
    options: readonly { value: string; label: string; disabled?: boolean }[];
  }) {
  const generated = useId();
  const id = select.id ?? generated;
  return (
    <FieldShell id={id} label={label} hint={hint} error={error} requiredMark={requiredMark} className={className}>
      <select
        {...select}
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${id}-hint`, `${id}-error`, hint, error)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value} disabled={option.disabled}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

/** A checkbox with its label beside it. */
export function CheckboxField({
  label,
  hint,
  className,
  ...input
}: Omit<FieldText, 'error' | 'requiredMark'> & InputHTMLAttributes<HTMLInputElement>) {
  const generated = useId();
  const id = input.id ?? generated;
  return (
    <div className={['field field-check', className ?? ''].filter(Boolean).join(' ')}>
      <input {...input} type="checkbox" id={id} aria-describedby={hint ? `${id}-hint` : undefined} />
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
