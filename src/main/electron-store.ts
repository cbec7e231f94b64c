// The lab's StoreFactory in the desktop app: electron-store, over the same files conf writes.
import ElectronStore, { type Options as ElectronStoreOptions } from 'electron-store';
import { confOptions, type StoreData, type StoreFactory, type StoreOptions } from '../files/store';

export const electronStore: StoreFactory = <T extends StoreData>(options: StoreOptions<T>) => {
  const { configName, ...rest } = confOptions(options);
  // electron-store names the file `name`, and its types leave out projectVersion although it
  // keeps one it is given: the lab's schema version, not the app's, drives the migrations.
  return new ElectronStore<T>({ ...rest, name: configName } as unknown as ElectronStoreOptions<T>);
};
