import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import QRCode from 'qrcode';
import { memberCodeOf } from '../../../sync/model/member-code.ts';
import { formatMemberCode } from '../../lib/format.ts';
import { useLocale } from '../../lib/hooks.ts';

/** The QR code's squares as one SVG path (no markup from outside: the library gives the matrix, React draws it). */
function qrPath(text: string): { size: number; path: string } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  let path = '';
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) if (modules.get(row, col)) path += `M${col} ${row}h1v1h-1z`;
  }
  return { size: modules.size, path };
}

/**
 * The customer's member code on the card (model/member-code.ts), and on demand their member card: the code as
 * a QR a phone can show and a scanner can read (it types the code into the lookup), printable on its own.
 */
export function MemberCode({ customerId, name }: { customerId: string; name: string }) {
  const { t } = useTranslation('counter');
  const locale = useLocale();
  const code = memberCodeOf(customerId);
  const [open, setOpen] = useState(false);
  const qr = useMemo(() => (open ? qrPath(code) : null), [open, code]);
  const QUIET = 4;

  const print = () => {
    // Only the member card is printed (styles.css `body.printing-member-card`); window.print blocks until done.
    document.body.classList.add('printing-member-card');
    try {
      window.print();
    } finally {
      document.body.classList.remove('printing-member-card');
    }
  };

  return (
    <div className="member-code">
      <p className="member-code-line">
        <span className="member-code-label">{t('memberCode')}</span>{' '}
        <bdi dir="ltr" className="member-code-value" data-testid="member-code" data-code={code}>
          {formatMemberCode(code, locale)}
        </bdi>{' '}
        <button type="button" className="button-link" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
          {open ? t('memberCardHide') : t('memberCardShow')}
        </button>
      </p>
      {qr ? (
        <figure className="member-card" data-testid="member-card">
          <svg
            className="member-card-qr"
            viewBox={`${-QUIET} ${-QUIET} ${qr.size + 2 * QUIET} ${qr.size + 2 * QUIET}`}
            role="img"
            aria-label={t('memberCardQr', { code })}
            shapeRendering="crispEdges"
          >
            <rect x={-QUIET} y={-QUIET} width={qr.size + 2 * QUIET} height={qr.size + 2 * QUIET} fill="#fff" />
            <path d={qr.path} fill="#000" />
          </svg>
          <figcaption>
            <span className="member-card-name">{name}</span>
            <bdi dir="ltr" className="member-card-code">
              {code}
            </bdi>
          </figcaption>
          <button type="button" className="member-card-print" onClick={print}>
            {t('memberCardPrint')}
          </button>
        </figure>
      ) : null}
    </div>
  );
}
