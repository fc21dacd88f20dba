import { RegistryStore } from './registryStore';
import { Store, type StoreOptions } from './store';
import { TrackingStore } from './trackingStore';

/**
 * Everything one store folder serves: the persistence core and the services on top of it. Opening
 * replays the journal once every service has registered how to apply its mutations.
 */
export class StoreBackend {
  readonly tracking: TrackingStore;
  readonly registry: RegistryStore;

  private constructor(readonly store: Store) {
    this.tracking = new TrackingStore(store);
    this.registry = new RegistryStore(store, this.tracking);
  }

  /** Opens a store folder (see `Store.open` for the lock and corruption errors). */
  static async open(folder: string, options: StoreOptions = {}): Promise<StoreBackend> {
    const store = await Store.open(folder, options);
    try {
      const backend = new StoreBackend(store);
      store.replay();
      if (store.freshStore) {
        backend.tracking.ensureDefaultExperiment();
        await store.checkpoint();
      }
      return backend;
    } catch (e) {
      await store.close({ checkpoint: false }).catch(() => undefined);
      throw e;
    }
  }

  /** A backend with no files, for tests and scratch work. */
  static async inMemory(): Promise<StoreBackend> {
    const backend = new StoreBackend(await Store.inMemory());
    backend.tracking.ensureDefaultExperiment();
    return backend;
  }

  close(options?: { checkpoint?: boolean }): Promise<void> {
    return this.store.close(options);
  }
}
