// Pool set-ups for the lease tests, written in the lease record format the README documents.
import type { Emulator } from '../../emulator/index'

const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')

/** A free pool sandbox, reset at its last release: ready at once. */
export function seedReady(emu: Emulator, name: string): void {
  emu.adobe.seed({ name, type: 'development', state: 'active', title: `lease v1 free reset=${iso(Date.now() - 60_000)} last=acme/other run=1.1 job=test` })
}

/** A pool sandbox held by another run until `untilMs`. */
export function seedHeld(emu: Emulator, name: string, untilMs: number, run = '555.1'): void {
  emu.adobe.seed({ name, type: 'development', state: 'active', title: `lease v1 held until=${iso(untilMs)} nonce=0123456789abcdef by=acme/other run=${run} job=build` })
}

export const LEASE_ENV = { EPHEMERAL_SANDBOX_LEASE_SETTLE_MS: '800' }
