// Public face of the emulator for tests, the demo and the benchmark.
export { startEmulator } from './server'
export type { Emulator, EmulatorOptions, EmulatorStats, LoggedRequest } from './server'
export type { Fault, FaultRule, Faults } from './faults'
export type { Sandbox, SandboxSeed, SandboxState, AdobeTimings, AdobeRateLimit, BlockCode, HistoryEntry, LeaseView } from './adobe'
export { ADOBE_BASE, formatSandboxDate } from './adobe'
export type { TrackstarConnection } from './trackstar'
export type { AdobeClient } from './ims'
export * from './credentials'
