/**
 * Loads the CLI entry module without running it: the module-loading row of the cold-start bench.
 *
 * @module
 */

import "../src/cli/main.ts";
