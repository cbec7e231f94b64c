// MNIST pixels as they cross the contract (base64 bytes) and as they are drawn.
export const SIDE = 28;
export const PIXELS = SIDE * SIDE;

export function decodeBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

/** One image out of a batch of count×784 bytes. */
export function imageAt(pixels: Uint8Array, k: number): Uint8Array {
  return pixels.subarray(k * PIXELS, (k + 1) * PIXELS);
}

/**
 * Paints 784 gray values (0 background, 255 ink) onto a 28×28 canvas.
 * `inkOnLight` draws dark ink on white, as the seeds' plt.imshow(cmap='binary') shows it.
 */
export function paintDigit(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, inkOnLight: boolean): void {
  canvas.width = SIDE;
  canvas.height = SIDE;
  const context = canvas.getContext('2d');
  if (!context) return;
  const image = context.createImageData(SIDE, SIDE);
  for (let i = 0; i < PIXELS; i++) {
    const value = pixels[i] ?? 0;
    const gray = inkOnLight ? 255 - value : value;
    image.data[i * 4] = gray;
    image.data[i * 4 + 1] = gray;
    image.data[i * 4 + 2] = gray;
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}
