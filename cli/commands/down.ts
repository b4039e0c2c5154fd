/**
 * `ve-infra down`: stops the local PostgreSQL that `up` started. Data stays in the
 * state directory unless --purge, so the next `up` is fast and keeps what you made.
 */
import * as fs from "node:fs";
import { TARGET_FLAGS } from "../args";
import { defineCommand } from "../command";
import { EXIT } from "../errors";
import { stop } from "../local/postgres";
import { readLocalState, stateDirOf } from "../local/state";
import { PROJECT_ROOT } from "../target";

const usage = `
Usage: ve-infra down [--purge] [--state-dir DIR]

Stops the local PostgreSQL started by \`ve-infra up\` (npm start). With --purge,
also deletes its data directory and the rendered files.
`;

export const downCommand = defineCommand({
  name: "down",
  summary: "stop the local environment",
  usage,
  flags: {
    purge: { type: "boolean", description: "delete the local data and rendered files too" },
    "state-dir": TARGET_FLAGS["state-dir"],
  },
  async run(flags, io) {
    const dir = stateDirOf(PROJECT_ROOT, flags["state-dir"]);
    const state = readLocalState(dir);
    if (!state) {
      io.out(`No local environment in ${dir}; nothing to stop.`);
      return EXIT.ok;
    }
    const stopped = await io.step("stopping the local PostgreSQL", () => stop(state.dataDir));
    io.out(stopped ? `Stopped PostgreSQL on 127.0.0.1:${state.port}.` : `PostgreSQL on 127.0.0.1:${state.port} was not running.`);
    if (flags.purge) {
      fs.rmSync(dir, { recursive: true, force: true });
      io.out(`Deleted ${dir}.`);
    } else {
      io.out(`Data kept in ${state.dataDir}; \`npm start\` brings it back, \`ve-infra down --purge\` deletes it.`);
    }
    return EXIT.ok;
  },
});
