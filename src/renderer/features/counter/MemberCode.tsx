import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { QrCode } from '../../components/QrCode.tsx';
import { memberCodeOf } from '../../../sync/model/member-code.ts';
import { formatMemberCode } from '../../lib/format.ts';
import { useLocale } from '../../lib/hooks.ts';

/**
 * The customer's member code on the card (model/member-code.ts), and on demand their member card: the code as
 * a QR a phone can show and a scanner can read (it types the code into the lookup), printable on its own.
 */
export function MemberCode({ customerId, name }: { customerId: string; name: string }) {
  const { t } = useTranslation('counter');
  const locale = useLocale();
  const code = memberCodeOf(customerId);
  const [open, setOpen] = useState(false);

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
      {open ? (
        <figure className="member-card" data-testid="member-card">
          <QrCode className="member-card-qr" text={code} label={t('memberCardQr', { code })} />
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
