// Demo credentials the emulator accepts out of the box. They are not secrets: they only
// open the local emulator, so the demo and CI scripts can use them in plain sight.
export const EMULATOR_TRACKSTAR_API_KEY = 'ts-emulator-key'
export const EMULATOR_ADOBE_CLIENT_ID = 'emulator-client-id'
export const EMULATOR_ADOBE_CLIENT_SECRET = 'emulator-client-secret'
export const EMULATOR_ADOBE_ORG_ID = 'EMULATOR0000000000000000@AdobeOrg'
