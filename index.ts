/**
 * The ve-infra Pulumi program: reads the stack configuration and composes the two
 * components. Logic lives in config/, schema/ and k8s/; this file only wires them.
 */
import * as pulumi from "@pulumi/pulumi";
import { readPulumiConfigValues } from "./config/pulumi";
import { parseStackConfig } from "./config/stack";
import { Tenancy, kubernetesProvider } from "./k8s/pulumi";
import { platformSchema } from "./schema/app";
import { Database } from "./schema/pulumi";

// Fails here, before any resource is registered, naming every bad key and its fix.
const config = parseStackConfig(readPulumiConfigValues(), { stack: pulumi.getStack() });
const secrets = new pulumi.Config("ve-infra");

const database = new Database("ve", {
  model: platformSchema,
  platform: config.platform,
  connection: config.database,
  password: secrets.requireSecret("databasePassword"),
  planReader: { password: secrets.requireSecret("planReaderPassword"), passwordVersion: config.planReader.passwordVersion },
  protect: config.protectData,
});

const k8s = kubernetesProvider("agents-k8s", config.kubernetes);
const tenancy = new Tenancy("agents", { config: config.tenancy, protect: config.protectData }, { providers: [k8s] });

export const tables = database.tables;
export const planReaderRole = database.planReaderRole;
/** For the pull-request plan job (`pulumi stack output --show-secrets planReaderUrl`); stays secret. */
const readerPassword = secrets.requireSecret("planReaderPassword").apply(encodeURIComponent);
export const planReaderUrl = pulumi.secret(pulumi.interpolate`postgresql://${database.planReaderRole}:${readerPassword}@${config.database.host}:${config.database.port}/${config.database.database}?sslmode=${config.database.sslmode}`);
export const namespace = tenancy.namespace;
export const serviceAccounts = tenancy.serviceAccounts;
