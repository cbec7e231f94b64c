// The TensorFlow.js backends the lab can run on, and the choices a user has among them.

/** the backends the engine can end up on */
export const BACKEND_NAMES = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/**
 * what a user may ask for: auto picks the best available; tensorflow-gpu is tensorflow on a
 * GPU (CUDA); webgpu is TF.js's WebGPU backend on Dawn (any GPU with Vulkan, Metal or D3D12);
 * keras trains with the user's own Python Keras (evaluate and predict then run as under auto)
 */
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'tensorflow-gpu', 'webgpu', 'wasm', 'cpu', 'keras'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** What to type to give a Python the Keras engine: one home for the commands the messages quote. */
export const KERAS_INSTALL = { install: 'pip install keras jax', upgrade: 'pip install -U keras' };
