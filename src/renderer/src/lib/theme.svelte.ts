// Light and dark: the theme setting, or the system's when it says "system".
// CSS variables carry the colours; charts read them through chartColors().
import type { Theme } from '../../../shared/contract';

const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;

class ThemeState {
  choice = $state<Theme>('system');
  systemDark = $state(media?.matches ?? false);
  /** dark after the setting and the system preference are both considered */
  dark = $derived(this.choice === 'dark' || (this.choice === 'system' && this.systemDark));

  constructor() {
    media?.addEventListener('change', (event) => {
      this.systemDark = event.matches;
      this.paint();
    });
    this.paint();
  }

  apply(choice: Theme): void {
    this.choice = choice;
    this.paint();
  }

  /** The page's CSS keys its colours on data-theme, always the theme in force (never "system"). */
  private paint(): void {
    document.documentElement.dataset.theme = this.dark ? 'dark' : 'light';
  }
}

export const theme = new ThemeState();

export interface ChartColors {
  text: string;
  muted: string;
  grid: string;
  series: string[];
}

/** The chart colours of the theme in force (read after it has been applied). */
export function chartColors(): ChartColors {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string) => style.getPropertyValue(name).trim();
  return {
    text: read('--fg'),
    muted: read('--muted'),
    grid: read('--grid'),
    series: [1, 2, 3, 4, 5, 6, 7, 8].map((i) => read(`--series-${i}`)),
  };
}
