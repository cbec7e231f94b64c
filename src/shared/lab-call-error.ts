// A call the lab refused or could not do, as the renderer sees it on either transport.
import type { CallError } from './contract';

export class LabCallError extends Error {
  constructor(
    message: string,
    /** for a model description: the index of the layer at fault */
    readonly layer?: number,
  ) {
    super(message);
    this.name = 'LabCallError';
  }

  static from(reply: CallError): LabCallError {
    return new LabCallError(reply.error, reply.layer);
  }
}

export function isCallError(value: unknown): value is CallError {
  return typeof value === 'object' && value !== null && typeof (value as CallError).error === 'string';
}
