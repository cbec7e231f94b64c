// Adam as Keras computes it. Keras scales the rate by sqrt(1 − β₂ᵗ)/(1 − β₁ᵗ) and adds ε to
// sqrt(v); tfjs adds ε to sqrt(v̂), the bias-corrected v, which shrinks ε by sqrt(1 − β₂ᵗ)
// (by 30× at the first step). The two agree only where |g| is far above ε; on MNIST's rarely
// inked border pixels they do not, and 20 steps of tfjs's Adam drift 2e-3 from Keras's loss.
// Passing tfjs ε / sqrt(1 − β₂ᵗ) at step t gives Keras's update exactly.
import * as tf from '@tensorflow/tfjs';

export class KerasAdam extends tf.AdamOptimizer {
  private steps = 0;

  constructor(
    learningRate: number,
    beta1: number,
    private readonly kerasBeta2: number,
    private readonly kerasEpsilon: number,
  ) {
    super(learningRate, beta1, kerasBeta2, kerasEpsilon);
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    this.steps += 1;
    this.epsilon = this.kerasEpsilon / Math.sqrt(1 - this.kerasBeta2 ** this.steps);
    super.applyGradients(variableGradients);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.kerasEpsilon };
  }
}
