import assert from 'node:assert/strict';
import type { RegistryStore } from '../../../src/core/store/registryStore';
import { StoreBackend } from '../../../src/core/store/storeBackend';
import { TrackingError } from '../../../src/core/store/trackingError';

/** An in-memory backend whose registry reads the time from a clock the test moves. */
export class RegistryFixture {
  now = Date.UTC(2024, 2, 1, 12); // 1 March 2024, noon UTC

  private constructor(readonly backend: StoreBackend) {
    backend.registry.clock = () => this.now;
  }

  static async create(): Promise<RegistryFixture> {
    return new RegistryFixture(await StoreBackend.inMemory());
  }

  get registry(): RegistryStore {
    return this.backend.registry;
  }

  /** Moves the clock forward by `ms` (default 1 s). */
  tick(ms = 1000): number {
    this.now += ms;
    return this.now;
  }

  /** A run in the Default experiment. */
  run(): { runId: string; artifactUri: string } {
    const run = this.backend.tracking.createRun({ experiment_id: '0' });
    return { runId: run.info.run_id, artifactUri: run.info.artifact_uri };
  }

  /** A model with `count` versions registered from runs (each a second apart). */
  model(name: string, count = 0): void {
    this.registry.createRegisteredModel({ name });
    for (let i = 0; i < count; i++) this.version(name);
  }

  version(name: string, extra: Record<string, unknown> = {}): string {
    this.tick();
    const { runId } = this.run();
    return this.registry.createModelVersion({ name, source: `runs:/${runId}/model`, run_id: runId, ...extra }).version;
  }

  stage(name: string, version: string, stage: string, archive = false): void {
    this.tick();
    this.registry.transitionModelVersionStage({ name, version, stage, archive_existing_versions: archive });
  }

  stages(name: string): Record<string, string> {
    const versions = this.registry.searchModelVersions({ filter: `name = '${name}'`, order_by: ['version_number ASC'] }).model_versions;
    return Object.fromEntries(versions.map((v) => [v.version, v.current_stage]));
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}

/** Asserts `fn` throws a TrackingError with this code and, when given, a message matching `message`. */
export function rejects(fn: () => unknown, code: string, message?: RegExp | string): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof TrackingError, String(e));
    assert.equal(e.code, code, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}
