import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { DesktopSettings } from '../ipc/contract.ts';
import { checkSyncServerUrl } from '../policy/sync-url.ts';

// This terminal's shell settings: a small JSON file in app.getPath('userData'), validated on every read,
// written atomically (temp file + rename) and one write at a time.

/** Name of the settings file inside the user-data folder. */
export const SETTINGS_FILE = 'patron-settings.json';

/** How receipts are printed. */
export const PrintSettingsSchema = z.strictObject({
  silent: z.boolean(),
  printerName: z.string().min(1).max(256).nullable(),
});

const RectSchema = z.strictObject({
  x: z.number(),
  y: z.number(),
  width: z.number().positive(),
  height: z.number().positive(),
});

/** The stored file. */
export const StoredSettingsSchema = z.strictObject({
  version: z.literal(1),
  syncServerUrl: z.string().max(2048).nullable(),
  printing: PrintSettingsSchema,
  window: z.strictObject({ bounds: RectSchema, maximized: z.boolean() }).nullable(),
});
/** The stored file. */
export type StoredSettings = z.infer<typeof StoredSettingsSchema>;

/** Settings of a fresh install. */
export const DEFAULT_SETTINGS: StoredSettings = Object.freeze({
  version: 1,
  syncServerUrl: null,
  printing: { silent: false, printerName: null },
  window: null,
});

/** The file operations used; injectable for tests of failure paths. */
export interface SettingsFs {
  readFile(file: string): Promise<string>;
  writeFile(file: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(dir: string): Promise<void>;
}

const nodeFs: SettingsFs = {
  readFile: (file) => readFile(file, 'utf8'),
  writeFile: (file, data) => writeFile(file, data, { encoding: 'utf8', mode: 0o600 }),
  rename: (from, to) => rename(from, to),
  mkdir: async (dir) => {
    await mkdir(dir, { recursive: true });
  },
};

/** The settings as the shell uses them. */
export interface SettingsStore {
  /** The current settings (in memory; the file is read once at start). */
  get(): StoredSettings;
  /** The part the renderer may see. */
  desktopSettings(): DesktopSettings;
  /** Applies a change and persists it; resolves once the file is written. */
  update(change: Partial<Omit<StoredSettings, 'version'>>): Promise<StoredSettings>;
}

/** Reads and validates a stored file; anything unreadable or invalid gives the defaults. */
export function parseStoredSettings(text: string | null, onInvalid: (why: string) => void = () => {}): StoredSettings {
  if (text === null) return DEFAULT_SETTINGS;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    onInvalid('settings file is not JSON');
    return DEFAULT_SETTINGS;
  }
  const parsed = StoredSettingsSchema.safeParse(json);
  if (!parsed.success) {
    onInvalid(`settings file is invalid: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
    return DEFAULT_SETTINGS;
  }
  const settings = parsed.data;
  // A URL that no longer passes the rules (edited by hand) is dropped rather than trusted into the CSP.
  if (settings.syncServerUrl !== null && !checkSyncServerUrl(settings.syncServerUrl).ok) {
    onInvalid('stored sync server URL refused');
    return { ...settings, syncServerUrl: null };
  }
  return settings;
}

/** Opens the settings file in `dir` (created on first write). */
export async function openSettingsStore(
  dir: string,
  fs: SettingsFs = nodeFs,
  onInvalid: (why: string) => void = (why) => console.warn(`[patron] ${why}; using defaults`),
): Promise<SettingsStore> {
  const file = path.join(dir, SETTINGS_FILE);
  let text: string | null = null;
  try {
    text = await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onInvalid(`settings file unreadable: ${String(error)}`);
  }
  let current = parseStoredSettings(text, onInvalid);
  let queue: Promise<unknown> = Promise.resolve();

  return {
    get: () => current,
    desktopSettings: () => ({ syncServerUrl: current.syncServerUrl, printing: { ...current.printing } }),
    update(change) {
      const next = StoredSettingsSchema.parse({ ...current, ...change, version: 1 });
      current = next;
      const write = queue.then(async () => {
        await fs.mkdir(dir);
        const tmp = `${file}.${process.pid}.tmp`;
        await fs.writeFile(tmp, `${JSON.stringify(next, null, 2)}\n`);
        await fs.rename(tmp, file);
      });
      queue = write.catch(() => undefined);
      return write.then(() => next);
    },
  };
}
