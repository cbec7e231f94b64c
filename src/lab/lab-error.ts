// A call the lab refused or could not do: a code and its parameters (shared/error-codes.ts),
// its English text as the message, and for a model description the layer at fault.
import { errorMessage, type ErrorCode, type ErrorParams } from '../shared/error-codes';

export class LabError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly params: ErrorParams = {},
    /** for a model description: the index of the layer that breaks it */
    readonly layer?: number,
  ) {
    super(errorMessage(code, params));
    this.name = 'LabError';
  }
}
