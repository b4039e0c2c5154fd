/**
 * The command line's entry, bundled into dist/ve-infra.cjs (scripts/bundle.js) or run
 * through tsx by bin/ve-infra.js: pg first, loaded without Node 20's fetch
 * (preload-pg), then the commands.
 */
import "../schema/engine/preload-pg";

export { main } from "./main";
