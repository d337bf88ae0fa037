import { formatNumber } from '../lib/format.ts';
import type { Locale } from '../../sync/model/settings.ts';

const DIGITS = [1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

/**
 * An on-screen PIN pad for touch screens (the PIN field takes the keyboard too). Digits are shown in the
 * UI locale's script and always laid out like a phone keypad, 1-2-3 on top, also in right-to-left pages.
 */
export function PinPad(props: {
  locale: Locale;
  disabled?: boolean;
  labels: { group: string; backspace: string; clear: string };
  onDigit(digit: string): void;
  onBackspace(): void;
  onClear(): void;
}) {
  const { locale, disabled, labels } = props;
  const digit = (d: number) => (
    <button key={d} type="button" className="pin-key" disabled={disabled} onClick={() => props.onDigit(String(d))}>
      {formatNumber(d, locale)}
    </button>
  );
  return (
    <div className="pin-pad" role="group" aria-label={labels.group}>
      {DIGITS.map(digit)}
      <button type="button" className="pin-key pin-key-word" disabled={disabled} onClick={props.onClear}>
        {labels.clear}
      </button>
      {digit(0)}
      <button type="button" className="pin-key pin-key-word" disabled={disabled} onClick={props.onBackspace}>
        {labels.backspace}
      </button>
    </div>
  );
}
