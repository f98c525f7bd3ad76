/**
 * Loads the CLI's modules without running a command: its entry and its parser (Optique, which
 * `main.ts` loads for every command line but the plain ones), statically, as one graph. The
 * module-loading row of the cold-start bench.
 *
 * @module
 */

import "../src/cli/main.ts";
import "../src/cli/parse_command_line.ts";
