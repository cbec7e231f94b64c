// A call the lab refused or could not do, as the renderer sees it on either transport.
import type { ErrorReply } from './contract';
import { isErrorCode, type ErrorCode, type ErrorParams } from './error-codes';

export class LabCallError extends Error {
  constructor(
    message: string,
    /** for a model description: the index of the layer at fault */
    readonly layer?: number,
    /** what the lab refused (shared/error-codes.ts), when it said */
    readonly code?: ErrorCode,
    readonly params: ErrorParams = {},
  ) {
    super(message);
    this.name = 'LabCallError';
  }

  static from(reply: ErrorReply): LabCallError {
    const code = isErrorCode(reply.code) ? reply.code : undefined;
    const params = code && typeof reply.params === 'object' && reply.params !== null ? reply.params : {};
    return new LabCallError(reply.error, reply.layer, code, params);
  }
}

export function isErrorReply(value: unknown): value is ErrorReply {
  return typeof value === 'object' && value !== null && typeof (value as ErrorReply).error === 'string';
}
