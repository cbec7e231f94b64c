// The renderer's one door to the lab: the typed contract (window.lab under Electron,
// the page's own WebSocket in browser mode). Nothing else of Node or Electron is used here.
import type { LabApi } from '../../../shared/contract';
import { connectLab, LabCallError } from '../../../shared/lab-client';
import { t } from '../i18n/index.svelte';

const reconnectListeners = new Set<() => void>();

export const lab: LabApi = connectLab(() => reconnectListeners.forEach((listener) => listener()));

/** Browser mode: `listener` runs when the lab's connection comes back, to catch up on what was missed. */
export function onReconnect(listener: () => void): () => void {
  reconnectListeners.add(listener);
  return () => reconnectListeners.delete(listener);
}

/** A message a person can read from anything a call rejected with. */
export function errorText(error: unknown): string {
  if (error instanceof LabCallError && error.code) return t(`error.${error.code}`, error.params);
  if (error instanceof Error) return error.message;
  return String(error);
}
