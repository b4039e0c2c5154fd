/** Pulumi resources over the schema engine: the Database component and its dynamic resources. */
export { Database, PLAN_READER_ROLE, type DatabaseArgs } from "./database";
export { Table, TableProvider, tableProvider, type TableInputs, type TableOutputs } from "./table";
export { Function, FunctionProvider, functionProvider, type FunctionInputs, type FunctionOutputs } from "./function";
export { PlatformResource, PlatformProvider, platformProvider, type Platform, type PlatformInputs } from "./platform";
export { Retired, RetiredProvider, retiredProvider, type RetiredInputs, type RetiredOutputs } from "./retired";
export { DATABASE_URL_ENV, ALLOW_DATA_LOSS_ENV } from "./connection";
