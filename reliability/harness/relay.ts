import { expect, inject } from 'vitest';

/**
 * The suite's TCP relay between the servers and PostgreSQL, from a part: `cut` drops every
 * connection and refuses new ones, `stall` accepts connections and forwards nothing, `restore`
 * forwards again. Counts the faults the part injected, for its report.
 */
export type RelayAction = 'cut' | 'stall' | 'restore';

export function relayControl(): { relay: (action: RelayAction) => Promise<void>; faultsInjected: () => number } {
  const controlUrl = inject('reliabilityControlUrl');
  let faults = 0;
  return {
    relay: async (action) => {
      const response = await fetch(`${controlUrl}/${action}`, { method: 'POST' });
      expect(response.status).toBe(200);
      if (action !== 'restore') faults += 1;
    },
    faultsInjected: () => faults,
  };
}
