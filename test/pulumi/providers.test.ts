// The dynamic providers' methods called directly against PostgreSQL 15 and the newer major.
import { functionProvider, platformProvider, retiredProvider, tableProvider } from "../../schema/pulumi";
import { providerScenarios } from "./support/scenarios";

providerScenarios("providers", async () => ({ table: tableProvider, function: functionProvider, platform: platformProvider, retired: retiredProvider }));
