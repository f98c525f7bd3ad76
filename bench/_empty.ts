/**
 * An empty program: the floor of the CLI cold-start benchmark (`deno run` of nothing), and, built
 * with `bun build --compile`, of its single-binary rows.
 *
 * @module
 */
