// The lab's one way to keep small JSON documents (settings, run history): conf where Electron
// is absent (CLI, browser mode, tests), electron-store in the desktop app. electron-store is
// conf underneath, so both write the same files: a run trained from the CLI shows in the app.
import Conf, { type Options } from 'conf';

/** conf's own constraint: an interface such as Settings fits `any` values, not `unknown` ones. */
export type StoreData = Record<string, any>;

export interface StoreOptions<T extends StoreData> {
  /** the folder the file lives in (labHome()) */
  cwd: string;
  /** the file's name without .json */
  name: string;
  /** the version of this document's schema; `migrations` lift older files to it */
  schemaVersion: string;
  defaults: T;
  schema: NonNullable<Options<T>['schema']>;
  migrations?: Options<T>['migrations'];
  /** start from the defaults when the file is unreadable or breaks the schema (settings), rather than fail (history) */
  resetWhenInvalid?: boolean;
}

export type StoreFactory = <T extends StoreData>(options: StoreOptions<T>) => Conf<T>;

/** conf's own options for a store the lab describes. */
export function confOptions<T extends StoreData>(options: StoreOptions<T>): Options<T> {
  return {
    cwd: options.cwd,
    configName: options.name,
    projectVersion: options.schemaVersion,
    defaults: options.defaults,
    schema: options.schema,
    migrations: options.migrations,
    clearInvalidConfig: options.resetWhenInvalid ?? false,
    // Keys are plain names; a dotted key must not reach into nested objects.
    accessPropertiesByDotNotation: false,
  };
}

export const confStore: StoreFactory = (options) => new Conf(confOptions(options));
