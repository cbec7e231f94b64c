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
  // The Keras engine (resources/keras_engine.py on the user's Python): each way it can fail to train.
  'keras.noPython': 'cannot start Python {python}: {reason}; give a Python with Keras 3 (--python PATH, or the Python path in Settings)',
  'keras.noKeras': '{python} has no Keras: install Keras 3 and a backend into it ({install})',
  'keras.oldKeras': '{python} has Keras {version}; the Keras engine needs Keras 3 or later ({upgrade})',
  'keras.backendFailed': 'Keras in {python} could not start its backend: {reason}',
  'keras.workerDied': 'the Keras worker ({python}) ended during the run: {reason}',
  'keras.protocol': 'the Keras worker sent a message the lab cannot read ({problem}): {line}',
  'keras.trainFailed': 'Keras could not train the model: {reason}',
  'keras.unsupported': 'the Keras engine does not train {what}; train it on another backend',
  'reproduce.running': 'the tutorials are being reproduced already: stop that first',
  'data.imageIndex': '{path} must be below {count} for the {split} set',
  'data.downloadRunning': 'a download is already running',
  'models.notEvaluated': 'the model was read, but could not be evaluated on the test set: {reason}',
  /** files the lab refused (a model's files, a drawing): `reason` names the file and what is wrong */
  'files.refused': '{reason}',
  'digits.unknown': 'there is no My digit {id}',
  'digits.noneToEvaluate': 'there are no My digits to evaluate on yet: label some drawings in the Paint view first',
  // A model description that cannot be built (model-spec.ts), shown in the Model view as the user edits.
  'model.fieldRange': 'layer {n} ({type}): {field} must be a whole number from {min} to {max}, got {got}',
  'model.fieldFraction': 'layer {n} ({type}): {field} must be at least 0 and below 1, got {got}',
  'model.fieldChoice': 'layer {n} ({type}): {field} must be one of {choices}, got {got}',
  'model.fieldBoolean': 'layer {n} ({type}): {field} must be true or false, got {got}',
  'model.needsImage': 'layer {n} ({type}) needs an image (height × width × channels) input, but gets shape {shape}',
  'model.needsSequence': 'layer {n} ({type}) needs a sequence (steps × features) input, but gets shape {shape}',
  'model.unknownType': 'layer {n}: unknown type {got}; use one of {choices}',
  'model.kernelTooBig': "layer {n} ({type}): a {size}×{size} kernel with 'valid' padding does not fit in {height}×{width}",
  'model.poolTooBig': 'layer {n} ({type}): a {size}×{size} pool does not fit in {height}×{width}',
  'model.notObject': 'a model description must be an object',
  'model.input': 'input must be one of {choices}, got {got}',
  'model.noLayers': 'the model has no layers',
  'model.notLayer': 'layer {n} is not a layer description',
  'model.outputs': 'the model must end with {classes} outputs (one per digit), but its last layer gives {shape}',
  'model.outputsFlatten': 'the model must end with {classes} outputs (one per digit), but its last layer gives {shape}; add Flatten (or end the recurrent layers without returnSequences)',
  'model.softmax': 'the last layer must apply softmax (categorical cross-entropy needs probabilities)',
  'model.optimizer': 'optimizer must be one of {choices}, got {got}',
  'model.learningRate': 'learning rate must be above 0 and at most {max}, got {got}',
  'model.epochs': 'epochs must be a whole number from 1 to {max}, got {got}',
  'model.batchSize': 'batch size must be a whole number from 1 to {max}, got {got}',
  'model.validation': 'validation must be one of {choices}, got {got}',
  'model.split': 'validation split must be above 0 and below 1, got {got}',
  'model.augmentation': 'augmentation must be an object with {ranges}',
  'model.augmentationKey': 'augmentation has no range "{key}"; the ranges are {ranges}',
  'model.augmentationRange': 'augmentation {key} must be from 0 to {max}, got {got}',
  'model.tooManyParams': 'the model has {params} parameters, {layerParams} of them in layer {n} ({type}); the lab trains at most {max}: use fewer units or filters',
  'model.batchTooLarge': 'a batch of {batch} makes the layers output {values} values, most in layer {n} ({type}); the lab allows at most {max}: use a smaller batch size, or fewer units or filters',
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
