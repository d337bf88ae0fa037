import { useMutation } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { CommandError, CommandInput, CommandName, CommandResult, CommandValue } from '../../sync/client/commands/index.ts';
import { useTerminal } from '../app/terminal-context.ts';

/** A command's refusal, thrown inside the mutation so TanStack Query keeps it as the mutation's error. */
class CommandFailure extends Error {
  constructor(readonly error: CommandError) {
    super(error.code);
  }
}

/** A command as a component uses it: run it, see whether it is running, and why it refused. */
export interface UseCommand<K extends CommandName> {
  /** Runs the command; resolves with its result (never rejects). */
  run(input: CommandInput<K>): Promise<CommandResult<CommandValue<K>>>;
  pending: boolean;
  /** The last run's refusal; null after a success or `reset`. */
  error: CommandError | null;
  reset(): void;
}

/**
 * One of the terminal's commands (src/sync/client/commands) with its pending and error state kept by
 * TanStack Query's `useMutation`, so no form writes its own saving/failure bookkeeping.
 */
export function useCommand<K extends CommandName>(name: K): UseCommand<K> {
  const terminal = useTerminal();
  const mutation = useMutation<CommandValue<K>, CommandFailure, CommandInput<K>>({
    mutationFn: async (input) => {
      const result = await terminal.commands[name](input);
      if (!result.ok) throw new CommandFailure(result.error);
      return result.value;
    },
    // Commands write the local replica: they run whatever the device's network is. TanStack's default
    // ('online') pauses a mutation while the browser says offline — every save hung at "Saving…".
    networkMode: 'always',
  });
  const { mutateAsync } = mutation;
  const run = useCallback(
    async (input: CommandInput<K>): Promise<CommandResult<CommandValue<K>>> => {
      try {
        return { ok: true, value: await mutateAsync(input) };
      } catch (error) {
        return { ok: false, error: (error as CommandFailure).error };
      }
    },
    [mutateAsync],
  );
  return { run, pending: mutation.isPending, error: mutation.error?.error ?? null, reset: mutation.reset };
}
