/** Thrown when an environment variable holds a value Simpul cannot use. */
export class ConfigError extends Error {}

/**
 * How a value the config module cannot use stops the process while that module loads: by
 * default one line on standard error and exit 1. A command that reports its failures in a
 * form of its own (`npm run geoserver -- plan --json`) sets `throwInstead` before it loads the
 * config module with a dynamic import, and catches the ConfigError thrown instead.
 */
export const configFailure = { throwInstead: false };
