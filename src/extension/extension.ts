// Placeholder so the extension bundle builds and activates while the real composition root is written.
export function activate(): void {}

export function deactivate(): void {}
