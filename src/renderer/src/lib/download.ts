// Saving a model the lab exported: into a folder the user picks where the browser can
// (File System Access API), else as downloads through Blob URLs.
import type { ModelFiles } from '../../../shared/contract';
import { decodeBase64, encodeBase64 } from './pixels';

interface DirectoryHandle {
  getFileHandle(name: string, options: { create: boolean }): Promise<{
    createWritable(): Promise<{ write(data: Blob): Promise<void>; close(): Promise<void> }>;
  }>;
}

type DirectoryPicker = (options?: { mode?: 'readwrite'; id?: string }) => Promise<DirectoryHandle>;

function files(model: ModelFiles): { name: string; blob: Blob }[] {
  return [
    { name: 'model.json', blob: new Blob([model.modelJson], { type: 'application/json' }) },
    ...Object.entries(model.weights).map(([name, base64]) => ({
      name,
      blob: new Blob([decodeBase64(base64) as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
    })),
  ];
}

export function canPickFolder(): boolean {
  return typeof (globalThis as { showDirectoryPicker?: DirectoryPicker }).showDirectoryPicker === 'function';
}

/** Writes model.json and its weights into a folder the user picks; false if they cancel. */
export async function saveToFolder(model: ModelFiles): Promise<boolean> {
  const picker = (globalThis as { showDirectoryPicker?: DirectoryPicker }).showDirectoryPicker;
  if (!picker) throw new Error('this browser cannot pick a folder; use Download instead');
  let folder: DirectoryHandle;
  try {
    folder = await picker({ mode: 'readwrite', id: 'digit-lab-models' });
  } catch (error) {
    if ((error as Error).name === 'AbortError') return false;
    throw error;
  }
  for (const file of files(model)) {
    const handle = await folder.getFileHandle(file.name, { create: true });
    const writable = await handle.createWritable();
    await writable.write(file.blob);
    await writable.close();
  }
  return true;
}

/** Starts one download per file: model.json, then its weight shards. */
export async function downloadFiles(model: ModelFiles): Promise<string[]> {
  const names: string[] = [];
  for (const file of files(model)) {
    const url = URL.createObjectURL(file.blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = file.name;
    document.body.append(link);
    link.click();
    link.remove();
    names.push(file.name);
    // Chromium spaces out several downloads from one click; give each its turn.
    await new Promise((resolve) => setTimeout(resolve, 150));
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
  return names;
}

/** Starts the download of one file. */
export async function downloadFile(name: string, bytes: Uint8Array): Promise<void> {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Files the user picked, as the lab's import takes them. */
export async function readAsBase64(list: FileList | File[]): Promise<{ name: string; base64: string }[]> {
  const out: { name: string; base64: string }[] = [];
  for (const file of Array.from(list)) {
    out.push({ name: file.name, base64: encodeBase64(new Uint8Array(await file.arrayBuffer())) });
  }
  return out;
}
