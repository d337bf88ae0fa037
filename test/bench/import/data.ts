import type { Customer } from '../../../src/sync/model/customer.ts';
import { FAMILY_NAMES, FIRST_NAMES, LATIN_FAMILY_NAMES, LATIN_FIRST_NAMES } from '../../../src/sync/server/demo/catalog.ts';
import { Random } from '../../../src/sync/server/demo/random.ts';

// The customer file the import benchmark imports: the shape of a real export from another system (name,
// national mobile number, e-mail, birthday, points balance), with what makes dedupe work — rows naming a
// customer the replica holds (by phone, by e-mail), rows repeating an earlier row, and rows the rules refuse.

/** How many rows of each kind the file holds (every other row is a new customer). */
export interface FileMix {
  rows: number;
  existingPhone: number;
  existingEmail: number;
  earlierRow: number;
  bad: number;
  withPoints: number;
}

/** The file as cells (the header first), and its mix. */
export interface ImportFile {
  cells: string[][];
  mix: FileMix;
}

/** '+98912…' as a person types it in Iran: '0912…'. */
function national(e164: string): string {
  return e164.startsWith('+98') ? `0${e164.slice(3)}` : e164;
}

/**
 * `rows` data rows over `existing` customers: 4 % name an existing customer's phone, 2 % an existing e-mail,
 * 1 % repeat an earlier row's phone, 1.5 % are refused (a phone, an e-mail, a birthday that do not read), 5 %
 * bring an opening balance. New phones are 0939 numbers, which the existing customers never have.
 */
export function importFile(rows: number, existing: readonly Customer[], seed: number): ImportFile {
  const rng = new Random(seed);
  const withEmail = existing.filter((c) => c.email !== null);
  const mix: FileMix = { rows, existingPhone: 0, existingEmail: 0, earlierRow: 0, bad: 0, withPoints: 0 };
  const cells: string[][] = [['Name', 'Phone', 'Email', 'Birthday', 'Points']];
  for (let i = 0; i < rows; i++) {
    const latin = rng.chance(0.15);
    const name = latin ? `${rng.pick(LATIN_FIRST_NAMES)} ${rng.pick(LATIN_FAMILY_NAMES)}` : `${rng.pick(FIRST_NAMES)[0]} ${rng.pick(FAMILY_NAMES)[0]}`;
    const row = [name, `0939${String(i).padStart(7, '0')}`, rng.chance(0.3) ? `import${i}@example.com` : '', rng.chance(0.2) ? `19${rng.int(60, 99)}-0${rng.int(1, 9)}-1${rng.int(0, 9)}` : '', ''];
    const kind = i % 200;
    if (kind % 25 === 3) {
      row[1] = national(existing[(i * 7) % existing.length]!.phone);
      mix.existingPhone++;
    } else if (kind % 50 === 7 && withEmail.length > 0) {
      row[2] = withEmail[(i * 13) % withEmail.length]!.email!;
      mix.existingEmail++;
    } else if (kind % 100 === 11 && i >= 5) {
      row[1] = cells[i - 4]![1]!;
      mix.earlierRow++;
    } else if (kind === 13 || kind === 113 || kind === 17) {
      if (kind === 13) row[1] = 'not a phone';
      else if (kind === 113) row[2] = 'someone@';
      else row[3] = '1990-13-45';
      mix.bad++;
    }
    if (i % 20 === 0) {
      row[4] = String(rng.int(1, 50) * 10);
      mix.withPoints++;
    }
    cells.push(row);
  }
  return { cells, mix };
}

/** The file as CSV text (no cell holds a comma, a quote or a line break). */
export function csvOf(file: ImportFile): string {
  return `${file.cells.map((row) => row.join(',')).join('\n')}\n`;
}
