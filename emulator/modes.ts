// The two readings the roles and sandbox-tooling APIs can be played in, and the answer a
// validating server gives a request that does not match the published OpenAPI.
//
// `spec`: Adobe's own OpenAPI files (access-control.yaml and sandbox.yaml in the
// AdobeDocs/experience-platform-apis repository), checked the way a validating mock of them
// checks a request. `docs`: the forms the Experience League pages show where they differ.
import { json, type Reply } from './common'

export type PlatformMode = 'spec' | 'docs'

export const PLATFORM_MODES: readonly PlatformMode[] = ['spec', 'docs']

export function platformMode(v: unknown): PlatformMode {
  if (v === 'spec' || v === 'docs') return v
  throw new Error(`mode must be spec or docs, got ${JSON.stringify(v)}`)
}

export interface ValidationItem {
  /** where the problem is: ['body'], ['body', 'value'], ['header'], ['query', 'limit'] */
  location: string[]
  code: string
  message: string
}

/**
 * A request the OpenAPI does not allow, answered as validating mocks do: a problem body
 * (RFC 7807) with a `validation` list saying where each problem is. The OpenAPI files declare
 * no error bodies for these operations, so the shape is the mock's, with a code of our own.
 */
export function invalidRequest(status: 400 | 422, api: 'ACS' | 'EXIM', items: ValidationItem[]): Reply {
  return json(status, {
    type: `http://ns.adobe.com/aep/errors/${api}-1${status}-${status}`,
    status,
    title: 'Invalid request',
    detail: 'The request does not match the OpenAPI description of this operation.',
    validation: items.map(i => ({ ...i, severity: 'Error' }))
  })
}
