// chart.js, registered once with only what the lab's charts use.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);

export { Chart };

/** Exponential moving average, as TensorBoard smooths a noisy per-batch curve. */
export function smooth(values: number[], weight = 0.6): number[] {
  const out: number[] = [];
  let last = NaN;
  for (const value of values) {
    last = Number.isNaN(last) ? value : last * weight + value * (1 - weight);
    out.push(last);
  }
  return out;
}
