// The drawing pad's strokes: kept as data so undo and redo can replay them.
export interface PadPoint {
  x: number;
  y: number;
  /** stroke width here (pen pressure changes it) */
  width: number;
}

export interface Stroke {
  points: PadPoint[];
  erase: boolean;
}

export const PAPER = '#ffffff';
export const INK = '#000000';

/** Draws one stroke: round caps, smoothed through the midpoints between samples. */
export function drawStroke(context: CanvasRenderingContext2D, stroke: Stroke): void {
  const points = stroke.points;
  if (points.length === 0) return;
  context.save();
  context.strokeStyle = stroke.erase ? PAPER : INK;
  context.fillStyle = stroke.erase ? PAPER : INK;
  context.lineCap = 'round';
  context.lineJoin = 'round';
  if (points.length === 1) {
    context.beginPath();
    context.arc(points[0].x, points[0].y, points[0].width / 2, 0, Math.PI * 2);
    context.fill();
    context.restore();
    return;
  }
  // Segment by segment, so the width can follow the pressure along the stroke.
  let from = points[0];
  for (let i = 1; i < points.length; i++) {
    const point = points[i];
    const next = points[i + 1];
    const to = next ? { x: (point.x + next.x) / 2, y: (point.y + next.y) / 2, width: point.width } : point;
    context.beginPath();
    context.lineWidth = (from.width + to.width) / 2;
    context.moveTo(from.x, from.y);
    context.quadraticCurveTo(point.x, point.y, to.x, to.y);
    context.stroke();
    from = to;
  }
  context.restore();
}

/** The width a pointer draws with: the brush, scaled by a pen's pressure. */
export function widthFor(event: PointerEvent, brush: number): number {
  if (event.pointerType !== 'pen') return brush;
  const pressure = event.pressure > 0 ? event.pressure : 0.5;
  return brush * (0.35 + 1.3 * pressure);
}

/** A pen's eraser end: button 5 while pressed (buttons bit 32). */
export function isEraserEnd(event: PointerEvent): boolean {
  return event.pointerType === 'pen' && (event.button === 5 || (event.buttons & 32) !== 0);
}
