/** Ends an exhaustive `switch`: the compiler proves it unreachable; at run time it names what slipped through. */
export function assertNever(value: never, what = 'message'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
