/** A mistake in how the command was called: exit code 2 and a pointer to --help. */
export class UsageError extends Error {}
