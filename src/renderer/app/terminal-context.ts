import { createContext, useContext } from 'react';
import type { Terminal } from '../../sync/client/terminal.ts';

/** The running terminal, provided once the device is enrolled. */
export const TerminalContext = createContext<Terminal | null>(null);

/** The running terminal; only used below the enrolment gate. */
export function useTerminal(): Terminal {
  const terminal = useContext(TerminalContext);
  if (!terminal) throw new Error('useTerminal outside an enrolled terminal');
  return terminal;
}
