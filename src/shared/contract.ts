// The one contract between the renderer and the lab: every call and every event.
// Electron carries it over IPC (preload exposes it as window.lab); browser mode over a WebSocket.
// Everything crossing it is plain JSON: typed arrays travel as number[] or base64 strings.
import type { LayerRow, ModelSpec } from './model-spec';
import type { Preset } from './presets';
import type { ReproduceStatus } from './reproduce';
import type { EngineReport, Evaluation, RunResult, TrainEvent, TrainRequest } from './training';
import type { ErrorCode, ErrorParams } from './error-codes';
import type { BackendChoice } from './backends';

export type Split = 'train' | 'test';

export interface DataStatus {
  source: 'embedded' | 'cache';
  dir: string;
  verified: boolean;
  sha256: Record<string, string>;
  shapes: { x_train: number[]; y_train: number[]; x_test: number[]; y_test: number[] };
  trainLabelCounts: number[];
  testLabelCounts: number[];
  cacheDir: string;
  mirrors: string[];
  /** why the download cache was not used, when it holds files that do not verify */
  notice?: string;
}

export interface DownloadProgressEvent {
  file: string;
  mirror: string;
  bytes: number;
  total: number | null;
  bytesPerSecond: number;
  etaSeconds: number | null;
  attempt: number;
}

export interface DownloadOutcome {
  ok: boolean;
  /** why it failed or was cancelled; the lab keeps using the data it has */
  message?: string;
  files: { name: string; mirror: string; sha256: string; bytes: number; skipped: boolean }[];
}

export interface SampleQuery {
  split: Split;
  /** only images of this digit */
  label?: number;
  offset: number;
  count: number;
}

export interface Samples {
  /** dataset indices of the images returned */
  indices: number[];
  labels: number[];
  /** count*784 bytes 0–255, base64 */
  pixels: string;
  /** how many images match the query in all */
  total: number;
}

export interface DigitImage {
  split: Split;
  index: number;
  label: number;
  /** 784 bytes 0–255 */
  pixels: number[];
}

export interface RunSummary {
  runId: string;
  name: string;
  status: 'done' | 'stopped' | 'failed';
  spec: ModelSpec;
  params?: number;
  accuracy?: number;
  loss?: number;
  durationSeconds?: number;
  epochsCompleted?: number;
  /** training examples (My digits included), and validation examples: what the run trained on */
  trainCount?: number;
  validationCount?: number;
  myDigitsCount?: number;
  seed?: number;
  history?: RunResult['history'];
  backend?: string;
  finishedAt?: string;
  message?: string;
  /** for an imported model: what the lab did to run it */
  notes?: string[];
  /** false once the saved model is gone */
  hasModel: boolean;
}

export interface ModelFiles {
  /** model.json text */
  modelJson: string;
  /** weight file name -> base64 bytes */
  weights: Record<string, string>;
}

export type KerasFileFormat = 'keras' | 'h5';

/** A model as one Keras file: a Keras 3 .keras zip, or the legacy HDF5 .h5. */
export interface KerasFile {
  fileName: string;
  base64: string;
}

export interface ImportRequest {
  /** the files the user picked, base64: one Keras .keras or .h5 file, or a model.json and its weight shards */
  files: { name: string; base64: string }[];
  name?: string;
}

export interface PredictRequest {
  /** a run id, or 'latest' for the last trained model */
  model: string;
  /** 784 floats 0..1 (already preprocessed) */
  input: number[];
  /** also answer the first Conv2D layer's output for this input */
  featureMaps?: boolean;
}

/** The first Conv2D layer's output for one input: one height×width map per filter. */
export interface FeatureMaps {
  /** the layer's name in the model */
  layer: string;
  channels: number;
  height: number;
  width: number;
  /** channels×height×width float32 values (channel-major: map after map), little-endian, base64 */
  values: string;
}

export interface Prediction {
  digit: number;
  probabilities: number[];
  /** only when asked for: the feature maps, or null for a model without a Conv2D layer */
  featureMaps?: FeatureMaps | null;
}

/** A digit the user labelled (My digits), as listed. */
export interface MyDigitSummary {
  id: string;
  label: number;
  /** when it was added, ISO 8601 */
  addedAt: string;
  /** its 28×28 input, 784 bytes 0–255, base64 */
  pixels: string;
  /** whether the original drawing is kept too */
  hasDrawing: boolean;
}

export interface MyDigitsList {
  digits: MyDigitSummary[];
  /** why the stored index was put aside, when it could not be read */
  notice?: string;
}

export interface MyDigitAdd {
  label: number;
  /** 784 floats 0..1, preprocessed as for predict */
  input: number[];
  /** the drawing as the user made it: PNG, base64 */
  png?: string;
}

export interface MyDigitsEvaluation {
  runId: string;
  count: number;
  accuracy: number;
  /** 10×10 counts: rows are the user's labels, columns the model's readings */
  confusionMatrix: number[][];
  /** one per digit, in the list's order */
  predictions: { id: string; label: number; predicted: number; confidence: number }[];
}

export type Language = 'en' | 'zh-Hant' | 'zh-Hans';
export type Theme = 'system' | 'light' | 'dark';

export interface Settings {
  language: Language | 'system';
  theme: Theme;
  backend: BackendChoice;
  mirrors: string[];
  /** the Python the Keras engine runs on; '' for python3 on PATH */
  python: string;
}

/** An engine this install has or lacks (`digit-lab engine`, the Settings view). */
export interface EngineStatus {
  backend: 'tensorflow' | 'webgpu' | 'wasm' | 'cpu' | 'keras';
  available: boolean;
  /** in English, for the CLI */
  detail: string;
  /** the same, for the renderer to say in the user's language (settings.engineDetail.<key>) */
  detailKey: 'linked' | 'installed' | 'missing' | 'gpuHardware' | 'gpuSoftware' | 'gpuMissing' | 'wasm' | 'cpu' | 'keras' | 'kerasMissing';
  detailParams: Record<string, string>;
}

export type EngineJob = 'train' | 'evaluate' | 'paint';

/** Which engine a job uses for a backend setting, and why. */
export interface JobEngine {
  job: EngineJob;
  backend: EngineStatus['backend'];
  why: string;
  /** the same, for the renderer (settings.jobWhy.<key>) */
  whyKey: 'forced' | 'gpuHardware' | 'gpuSyncRead' | 'nativeFastest' | 'nativeMissing' | 'wasmSooner' | 'wasmFastest';
}

export interface EnginesReport {
  choice: Settings['backend'];
  engines: EngineStatus[];
  jobs: JobEngine[];
  /** how tfjs-node was linked to a Python TensorFlow, when the lab's command did it */
  link?: { python: string; distribution: string; tensorflow: string; dir: string; loaded: string; linkedAt: string };
  /** the command that makes the tensorflow engine available */
  linkCommand: string;
}

export interface TrainStatus {
  runId: string | null;
  paused: boolean;
  /** events of the current or last run so far, so a view opened mid-run can catch up */
  events: TrainEvent[];
}

/** Every call: its argument and its result. */
export interface LabCalls {
  'engine.info': { args: null; result: EngineReport };
  /** every engine, and which one each job uses under the current setting */
  'engine.list': { args: null; result: EnginesReport };
  'data.status': { args: null; result: DataStatus };
  'data.download': { args: { mirrors?: string[] }; result: DownloadOutcome };
  'data.cancelDownload': { args: null; result: null };
  'data.samples': { args: SampleQuery; result: Samples };
  'data.image': { args: { split: Split; index: number }; result: DigitImage };
  'models.presets': { args: null; result: Preset[] };
  'models.summary': { args: { spec: ModelSpec }; result: { text: string; rows: LayerRow[]; totalParams: number } };
  'train.start': { args: TrainRequest; result: { runId: string } };
  'train.pause': { args: null; result: null };
  'train.resume': { args: null; result: null };
  'train.stop': { args: null; result: null };
  'train.status': { args: null; result: TrainStatus };
  'runs.list': { args: null; result: RunSummary[] };
  /** the full result, with every misclassified test image */
  'runs.get': { args: { runId: string }; result: RunResult };
  'runs.delete': { args: { runId: string }; result: null };
  'runs.evaluation': { args: { runId: string }; result: Evaluation };
  'models.export': { args: { runId: string }; result: ModelFiles };
  'models.import': { args: ImportRequest; result: RunSummary };
  'models.exportKeras': { args: { runId: string; format: KerasFileFormat }; result: KerasFile };
  predict: { args: PredictRequest; result: Prediction };
  'settings.get': { args: null; result: Settings };
  'settings.set': { args: Partial<Settings>; result: Settings };
  /** My digits: drawings the user labelled, kept in the lab's home */
  'digits.list': { args: null; result: MyDigitsList };
  'digits.add': { args: MyDigitAdd; result: MyDigitSummary };
  'digits.delete': { args: { id: string }; result: null };
  /** a saved model (run id or 'latest') read over every My digit */
  'digits.evaluate': { args: { model: string }; result: MyDigitsEvaluation };
  /** the seed presets trained one after another with the seeds' settings, beside the seeds' accuracies */
  'reproduce.start': { args: { presets?: string[]; quick?: boolean }; result: ReproduceStatus };
  'reproduce.stop': { args: null; result: null };
  'reproduce.status': { args: null; result: ReproduceStatus };
}

export type CallName = keyof LabCalls;
export type CallArgs<K extends CallName> = LabCalls[K]['args'];
export type CallResult<K extends CallName> = LabCalls[K]['result'];

/** Every event the lab pushes to the renderer. */
export interface LabEvents {
  'train.event': TrainEvent;
  'data.progress': DownloadProgressEvent;
  'reproduce.status': ReproduceStatus;
}

export type EventName = keyof LabEvents;

// Written as records so the compiler refuses a list that misses a call or an event.
const CALLS: Record<CallName, true> = {
  'engine.info': true,
  'engine.list': true,
  'data.status': true,
  'data.download': true,
  'data.cancelDownload': true,
  'data.samples': true,
  'data.image': true,
  'models.presets': true,
  'models.summary': true,
  'train.start': true,
  'train.pause': true,
  'train.resume': true,
  'train.stop': true,
  'train.status': true,
  'runs.list': true,
  'runs.get': true,
  'runs.delete': true,
  'runs.evaluation': true,
  'models.export': true,
  'models.import': true,
  'models.exportKeras': true,
  predict: true,
  'settings.get': true,
  'settings.set': true,
  'digits.list': true,
  'digits.add': true,
  'digits.delete': true,
  'digits.evaluate': true,
  'reproduce.start': true,
  'reproduce.stop': true,
  'reproduce.status': true,
};
const EVENTS: Record<EventName, true> = { 'train.event': true, 'data.progress': true, 'reproduce.status': true };

export const CALL_NAMES = Object.keys(CALLS) as readonly CallName[];
export const EVENT_NAMES = Object.keys(EVENTS) as readonly EventName[];

/** What the renderer sees as window.lab (Electron preload) or the WebSocket client (browser mode). */
export interface LabApi {
  call<K extends CallName>(name: K, args: CallArgs<K>): Promise<CallResult<K>>;
  on<E extends EventName>(event: E, listener: (payload: LabEvents[E]) => void): () => void;
}

/** An error answered for a call: a message the user can act on, in English. */
export interface ErrorReply {
  error: string;
  /** what the lab refused, for the renderer to say in the user's language (absent for an unforeseen failure) */
  code?: ErrorCode;
  params?: ErrorParams;
  /** for a model description: the layer index that breaks it */
  layer?: number;
}

/** How the lab answers a call on either transport: its result, or an ErrorReply. */
export type CallReply<K extends CallName = CallName> = { result: CallResult<K> } | ErrorReply;

/** IPC channel names (Electron): invoke(IPC_CALL, name, args) -> CallReply; send(IPC_EVENT, event, payload). */
export const IPC_CALL = 'lab:call';
export const IPC_EVENT = 'lab:event';

/** Browser mode's WebSocket path, on the server that served the page. */
export const WS_PATH = '/lab';

/** Browser mode's messages: the renderer sends SocketRequest; the lab answers SocketReply and pushes SocketEvent. */
export interface SocketRequest {
  id: number;
  call: CallName;
  args: unknown;
}
export type SocketReply = { id: number | null } & CallReply;
export interface SocketEvent<E extends EventName = EventName> {
  event: E;
  payload: LabEvents[E];
}
