// What the views share: the view shown, settings, the model being edited, the runs,
// and the training run followed. One instance, created at start-up.
import { tick } from 'svelte';
import type { RunSummary, Settings } from '../../../shared/contract';
import { validateModelSpec, ModelSpecError, type LayerRow, type ModelSpec } from '../../../shared/model-spec';
import { PRESETS, presetSpec } from '../../../shared/presets';
import { findRecipe, modelSpecFor } from '../../../shared/recipes';
import { MAX_MY_DIGITS_REPEAT, MAX_SEED, MIN_LIMIT, TRAIN_IMAGES } from '../../../shared/limits';
import { lab, errorText } from './lab';
import { t } from '../i18n/index.svelte';
import { TrainingState } from './training.svelte';
import { settingProblems, withValidSettings } from './settings-check';

export const VIEWS = ['data', 'model', 'train', 'evaluate', 'runs', 'paint', 'settings'] as const;
export type ViewId = (typeof VIEWS)[number];

const EDITOR_KEY = 'digit-lab.editor';
const DEFAULT_PRESET = 'mlp-256';

interface EditorSaved {
  presetId: string;
  spec: ModelSpec;
  limit: number | null;
  seed?: number | null;
  edited: boolean;
  myDigits?: boolean;
  myDigitsRepeat?: number;
}

export interface SpecCheck {
  rows: LayerRow[] | null;
  error: string | null;
  /** the layer that breaks the model, -1 for the model as a whole */
  layer: number | null;
}

export function checkSpec(spec: ModelSpec): SpecCheck {
  try {
    return { rows: validateModelSpec(spec), error: null, layer: null };
  } catch (error) {
    if (error instanceof ModelSpecError) return { rows: null, error: t(`error.${error.code}`, error.params), layer: error.layer };
    return { rows: null, error: errorText(error), layer: -1 };
  }
}

function loadEditor(): EditorSaved {
  try {
    const saved = JSON.parse(localStorage.getItem(EDITOR_KEY) ?? 'null') as EditorSaved | null;
    if (saved && saved.spec && Array.isArray(saved.spec.layers)) return saved;
  } catch {
    // a corrupt entry is ignored: the editor starts from the default preset
  }
  return { presetId: DEFAULT_PRESET, spec: presetSpec(DEFAULT_PRESET), limit: null, edited: false };
}

class AppState {
  view = $state<ViewId>('data');
  settings = $state<Settings | null>(null);
  /** a call that failed where no view could say so */
  error = $state('');
  connected = $state(false);

  presetId = $state(DEFAULT_PRESET);
  spec = $state<ModelSpec>(presetSpec(DEFAULT_PRESET));
  /** train on the first N training images only; null for all 60,000 */
  limit = $state<number | null>(null);
  /** repeats a run exactly on the same backend; null for a fresh random start */
  seed = $state<number | null>(null);
  edited = $state(false);
  /** fine-tune on MNIST plus My digits, each seen this many times an epoch */
  myDigits = $state(false);
  myDigitsRepeat = $state(1);
  /** the training settings that are not valid, each told at its field */
  problems = $derived(settingProblems(this.spec, this.limit, this.seed));
  /** the layers, checked with valid settings in place of invalid ones: a bad setting never hides the shapes */
  check = $derived(checkSpec(withValidSettings(this.spec, this.problems)));

  runs = $state.raw<RunSummary[]>([]);
  /** the run the Evaluate view shows */
  evalRunId = $state<string | null>(null);

  training = new TrainingState();

  constructor() {
    const saved = loadEditor();
    this.presetId = saved.presetId;
    this.spec = saved.spec;
    this.limit = saved.limit;
    this.seed = saved.seed ?? null;
    this.edited = saved.edited;
    this.myDigits = saved.myDigits === true;
    this.myDigitsRepeat = Number.isInteger(saved.myDigitsRepeat) && saved.myDigitsRepeat! >= 1 && saved.myDigitsRepeat! <= MAX_MY_DIGITS_REPEAT ? saved.myDigitsRepeat! : 1;
  }

  saveEditor(): void {
    const saved: EditorSaved = {
      presetId: this.presetId,
      spec: $state.snapshot(this.spec),
      limit: this.limit,
      seed: this.seed,
      edited: this.edited,
      myDigits: this.myDigits,
      myDigitsRepeat: this.myDigitsRepeat,
    };
    try {
      localStorage.setItem(EDITOR_KEY, JSON.stringify(saved));
    } catch {
      // storage may be unavailable; the editor still works for this session
    }
  }

  /**
   * Shows a view, and puts keyboard focus in it: on the element with data-testid `focus` when
   * given (and enabled), else on its heading, never back at the top of the page.
   */
  open(view: ViewId, focus?: string): void {
    this.view = view;
    void tick().then(() => {
      const main = document.querySelector('main');
      const target = focus ? main?.querySelector<HTMLButtonElement>(`[data-testid="${focus}"]:not(:disabled)`) : null;
      (target ?? main?.querySelector<HTMLElement>('h1'))?.focus({ preventScroll: !target });
    });
  }

  /** Starts the editor from a seed preset or one of the lab's recipes. */
  pickPreset(id: string): void {
    if (!PRESETS.some((p) => p.id === id) && !findRecipe(id)) return;
    this.presetId = id;
    this.spec = modelSpecFor(id);
    this.edited = false;
  }

  async refreshRuns(): Promise<void> {
    try {
      this.runs = await lab.call('runs.list', null);
    } catch (error) {
      this.error = errorText(error);
    }
  }
}

export const app = new AppState();
