/**
 * An empty program: the floor of the CLI cold-start benchmark (`deno run` of nothing).
 *
 * @module
 */
