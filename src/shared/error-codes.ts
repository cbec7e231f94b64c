// The lab's errors as codes with parameters. The lab answers a refused call with its code, its
// parameters and the English text made from them; the renderer shows the code in the user's
// language (the 'error.<code>' messages under renderer/src/i18n), the CLI prints the English.
// Nothing reads an error's wording to tell what it was: that is what the code is for.

/** Each code's English text; {name} is replaced by the parameter of that name. */
export const ERROR_TEXT = {
  'call.unknown': 'unknown call {call}',
  /** an argument that does not fit its call: `problem` says how, in English (a renderer bug, not a user's) */
  'call.badArgument': '{path} {problem}',
  /** a model description that cannot be built: `problem` names the layer and what is wrong */
  'call.badModel': '{path}: {problem}',
  'run.unknown': 'there is no run {runId}',
  'run.noModel': 'run {runId} has no saved model',
  'run.noModelYet': 'there is no trained model yet: train one, or import one',
  'run.noResults': 'run {runId} has no saved results (it failed, or its model was deleted)',
  'run.stillTraining': 'that run is still training: stop it first',
  'train.noMyDigits': '{path}: there are no My digits yet: label some drawings in the Paint view first',
  'train.initFromNoModel': '{path}: run {runId} has no saved model to start from',
  'data.imageIndex': '{path} must be below {count} for the {split} set',
  'data.downloadRunning': 'a download is already running',
  'models.notEvaluated': 'the model was read, but could not be evaluated on the test set: {reason}',
  /** files the lab refused (a model's files, a drawing): `reason` names the file and what is wrong */
  'files.refused': '{reason}',
  'digits.unknown': 'there is no My digit {id}',
  'digits.noneToEvaluate': 'there are no My digits to evaluate on yet: label some drawings in the Paint view first',
} as const;

export type ErrorCode = keyof typeof ERROR_TEXT;
export type ErrorParams = Record<string, string | number>;

/** `text` with each {name} replaced by params[name]. */
export function fillText(text: string, params: ErrorParams = {}): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function errorMessage(code: ErrorCode, params?: ErrorParams): string {
  return fillText(ERROR_TEXT[code], params);
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_TEXT, value);
}
