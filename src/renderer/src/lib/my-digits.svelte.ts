// My digits as the views share them: the list (the paint pad's panel, the Train view's count),
// loaded once and kept up to date by the calls that change it.
import type { MyDigitSummary } from '../../../shared/contract';
import { lab, errorText } from './lab';
import { encodeBase64 } from './pixels';

class MyDigitsState {
  digits = $state.raw<MyDigitSummary[]>([]);
  loaded = $state(false);
  /** why the stored list was put aside, or a failed call */
  notice = $state('');
  private loading: Promise<void> | null = null;

  get count(): number {
    return this.digits.length;
  }

  /** Loads the list the first time it is asked for; `force` reloads it. */
  refresh(force = false): Promise<void> {
    if (this.loading && !force) return this.loading;
    this.loading = lab.call('digits.list', null).then(
      (list) => {
        this.digits = list.digits;
        this.notice = list.notice ?? '';
        this.loaded = true;
      },
      (error) => {
        this.notice = errorText(error);
      },
    );
    return this.loading;
  }

  async add(label: number, input: Float32Array, png?: string): Promise<MyDigitSummary> {
    const added = await lab.call('digits.add', { label, input: Array.from(input), ...(png ? { png } : {}) });
    this.digits = [...this.digits, added];
    return added;
  }

  async remove(id: string): Promise<void> {
    await lab.call('digits.delete', { id });
    this.digits = this.digits.filter((d) => d.id !== id);
  }
}

export const myDigits = new MyDigitsState();

/** A canvas as PNG, base64: the drawing kept beside a My digit. */
export function canvasPng(canvas: HTMLCanvasElement): Promise<string | undefined> {
  return new Promise((resolve) => {
    canvas.toBlob(async (blob) => resolve(blob ? encodeBase64(new Uint8Array(await blob.arrayBuffer())) : undefined), 'image/png');
  });
}
