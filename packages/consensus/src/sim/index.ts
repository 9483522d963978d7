export { SimApp, VALIDATOR_TX_TYPE } from "./app.js";
export { FastKeyring } from "./fastCrypto.js";
export { Prng } from "./prng.js";
export { type RunSummary, runSeeds } from "./runner.js";
export {
  BYZANTINE_STRATEGIES,
  type ByzantineStrategy,
  FAULT_KINDS,
  type FaultKind,
  type Scenario,
  scenarioOf,
} from "./scenario.js";
export { type SimOptions, type SimResult, simulate } from "./simulation.js";
