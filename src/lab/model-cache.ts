// The models predict reads with, loaded once: the paint pad predicts on every stroke.
import { loadModel, type LoadedModel } from '../files/model-files';

/** Models kept loaded at once; the least recently used one is disposed beyond that. */
const MAX_LOADED_MODELS = 3;

export class ModelCache {
  private readonly loaded = new Map<string, Promise<LoadedModel>>();

  /** The model of `key` in `dir`, loading it on first use. */
  get(key: string, dir: string): Promise<LoadedModel> {
    let model = this.loaded.get(key);
    if (model) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.loaded.delete(key);
    } else {
      model = loadModel(dir);
      model.catch(() => this.loaded.delete(key));
    }
    this.loaded.set(key, model);
    while (this.loaded.size > MAX_LOADED_MODELS) void this.forget(this.loaded.keys().next().value!);
    return model;
  }

  async forget(key: string): Promise<void> {
    const model = this.loaded.get(key);
    this.loaded.delete(key);
    (await model?.catch(() => null))?.model.dispose();
  }

  async clear(): Promise<void> {
    await Promise.all([...this.loaded.keys()].map((key) => this.forget(key)));
  }
}
