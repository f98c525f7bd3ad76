/**
 * Loads the library without using it: the module-loading row of the cold-start bench.
 *
 * @module
 */

import "../mod.ts";
