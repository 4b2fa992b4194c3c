// Public face of the emulator for tests, the demo and the benchmark.
export { startEmulator } from './server'
export type { Emulator, EmulatorOptions, EmulatorStats, LoggedRequest } from './server'
export type { Fault, FaultRule, Faults } from './faults'
export type {
  Sandbox, SandboxSeed, SandboxState, SandboxChange, AdobeTimings, AdobeRateLimit, AdobeStrictness, BlockCode
} from './adobe'
export { ADOBE_BASE, DELETION_STATES, formatSandboxDate } from './adobe'
export { DATE_SKEWS, skewDate, type DateSkew } from './dates'
export { ECHO_ENCODINGS, type EchoEncoding } from './bad-answers'
export type { TrackstarConnection, TrackstarShape } from './trackstar'
export { TRACKSTAR_SHAPES } from './trackstar'
export type { AdobeClient } from './ims'
export * from './credentials'
