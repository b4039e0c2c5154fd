// The program for stack "dev" under mocks; one stack per file (the runtime is process-global).
import { programChecks } from "./program-checks";

programChecks("dev");
