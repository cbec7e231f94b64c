// The tensorflow engine for the tests: tfjs-node linked by `digit-lab engine link-tensorflow`
// (CI links it against DIGIT_LAB_PYTHON's TensorFlow after npm ci).
import { loadNodeBackend } from '../../src/engine/node-backend'
import { loadWebgpuBackend, type GpuAdapter } from '../../src/engine/webgpu-backend'

const tensorflow = await loadNodeBackend(false)

/** True where tfjs-node loads in this process. */
export function tensorflowEngine(): boolean {
  return tensorflow.ok
}

/**
 * For `test(name, { skip: noTensorflowEngine() }, …)`. Outside CI a missing engine skips with
 * how to link it; in CI it is an error, so that the tensorflow half of a test never skips silently.
 */
export function noTensorflowEngine(): string | false {
  if (tensorflow.ok) return false
  if (process.env.CI) throw new Error(`CI must link the tensorflow engine first: ${tensorflow.why}`)
  return `no tensorflow engine (${tensorflow.why}): run digit-lab engine link-tensorflow`
}

/** The backends every engine test runs on here. */
export function testBackends(): ('wasm' | 'tensorflow')[] {
  return tensorflow.ok ? ['wasm', 'tensorflow'] : ['wasm']
}

const webgpu = await loadWebgpuBackend()

/** The adapter the webgpu engine runs on here, if it loads. */
export function webgpuEngine(): GpuAdapter | undefined {
  return webgpu.ok ? webgpu.adapter : undefined
}

/**
 * For `test(name, { skip: noWebgpuEngine() }, …)`. Outside CI a missing engine or adapter skips
 * with why; in CI (where .ci/run installs Mesa's lavapipe) it is an error.
 */
export function noWebgpuEngine(): string | false {
  if (webgpu.ok) return false
  if (process.env.CI) throw new Error(`CI must install the webgpu engine and a Vulkan driver (.ci/run): ${webgpu.why}`)
  return `no webgpu engine (${webgpu.why}): npm install webgpu, and a GPU driver or Mesa's lavapipe (mesa-vulkan-drivers from bookworm-backports)`
}
