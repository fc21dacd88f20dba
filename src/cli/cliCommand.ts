import path from 'node:path';
import type { CommandSpec, ParsedArgs } from './argParser';
import { optionString } from './argParser';

/** Where a command writes: stdout for results, stderr for progress and errors. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface CliCommand {
  spec: CommandSpec;
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

export const STORE_OPTION = { name: 'store', value: 'DIR', description: 'Store folder (default: $TRACKSIDE_STORE or ./.trackside)' };

/** The store folder a command works on. */
export function storeFolder(args: ParsedArgs): string {
  return path.resolve(optionString(args, 'store') ?? process.env.TRACKSIDE_STORE ?? path.join(process.cwd(), '.trackside'));
}
