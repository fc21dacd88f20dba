import type { RegistryEvent } from './entities';

/** One line for an entry of a registered model's history, as the CLI, the History quick pick and the version panel show it. */
export function describeRegistryEvent(event: RegistryEvent): string {
  switch (event.kind) {
    case 'version_created':
      return `version ${event.version} registered`;
    case 'version_deleted':
      return `version ${event.version} deleted`;
    case 'stage':
      return `version ${event.version}: ${event.from ?? 'None'} → ${event.to ?? 'None'}`;
    case 'alias':
      if (event.to === undefined) return `@${event.alias} removed (was version ${event.from ?? event.version})`;
      return event.from === undefined ? `@${event.alias} → version ${event.to}` : `@${event.alias} moved: version ${event.from} → ${event.to}`;
  }
}
