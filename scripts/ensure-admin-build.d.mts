/** Why the admin build under `root` (default: this repository) must be redone, or null when it is current. */
export function staleReason(root?: string): string | null;
