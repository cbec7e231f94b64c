// A stable code for each kind of error, for scripts reading --json: the message is for people.
import { UsageError } from './errors';
import { ImageFileError } from '../files/images';
import { ModelFileError } from '../files/model-json';
import { MyDigitsError } from '../files/my-digits';
import { DrawingsError } from '../files/drawings';
import { BlankImageError, TooFaintError } from '../shared/preprocess';
import { ModelSpecError } from '../shared/model-spec';
import { DownloadCancelled, DownloadError } from '../data/download-error';
import { ChecksumError } from '../data/files';
import { IdxError } from '../data/idx';
import { isErrorCode } from '../shared/error-codes';

const CODES: [new (...args: never[]) => Error, string][] = [
  [UsageError, 'usage'],
  [ImageFileError, 'image-file'],
  [BlankImageError, 'blank-image'],
  [TooFaintError, 'too-faint'],
  [ModelFileError, 'model-file'],
  [ModelSpecError, 'model-spec'],
  [MyDigitsError, 'my-digits'],
  [DrawingsError, 'drawings'],
  [DownloadCancelled, 'download-cancelled'],
  [DownloadError, 'download'],
  [ChecksumError, 'checksum'],
  [IdxError, 'data-file'],
];

export interface ErrorDocument {
  code: string;
  message: string;
}

/** The error as --json reports it: `{ code, message }`, the code 'error' for anything unforeseen. */
export function errorDocument(error: unknown): ErrorDocument {
  const message = error instanceof Error ? error.message : String(error);
  // The lab's own errors carry their code (see shared/error-codes.ts); the rest are named by kind.
  const own = (error as { code?: unknown } | null)?.code;
  const code = isErrorCode(own) ? own : (CODES.find(([type]) => error instanceof type)?.[1] ?? 'error');
  return { code, message };
}
