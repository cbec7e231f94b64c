// What the lab accepts, in one place: the checks of the lab's calls, the CLI's flags, the
// trainer and the Model view's fields all read these.

/** MNIST's images: 28×28 gray */
export const IMAGE_SIDE = 28;
export const IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE;
/** images in MNIST's training and test sets */
export const TRAIN_IMAGES = 60000;
export const TEST_IMAGES = 10000;

/** a run may train on the first N training images, N from MIN_LIMIT to TRAIN_IMAGES */
export const MIN_LIMIT = 1;
/** a seed: a whole number from 0 to MAX_SEED */
export const MAX_SEED = 2 ** 31 - 1;
export const MAX_EPOCHS = 1000;
export const MAX_BATCH_SIZE = TRAIN_IMAGES;
/** units of a Dense or recurrent layer, filters of a Conv2D layer */
export const MAX_UNITS = 8192;
export const MAX_LAYERS = 64;
/** the learning rate is above 0 and at most this */
export const MAX_LEARNING_RATE = 10;
/** the most times a My digit may be repeated in an epoch */
export const MAX_MY_DIGITS_REPEAT = 100;
/** training threads a run may be asked for (`--workers N`): a whole number from 1 to this */
export const MAX_WORKERS = 64;
// What one run may hold, so that an edited model is refused with a reason instead of
// exhausting memory: weights (with their gradients and optimizer state), and the layer
// outputs of one batch, which backpropagation keeps.
export const MAX_PARAMS = 25_000_000;
export const MAX_BATCH_VALUES = 100_000_000;
// The largest model the lab imports, shared by the renderer (checked before sending) and the
// lab (checked on arrival): model.json up to 10 MiB and 200 MiB of weights, as model-files checks.
export const MAX_IMPORT_BYTES = 210 * 2 ** 20;
/** The same files as base64, the form they cross the contract in. */
export const MAX_IMPORT_BASE64 = Math.ceil(MAX_IMPORT_BYTES / 3) * 4;
