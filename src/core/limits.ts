// Limits that several modules keep, defined once.

/** The longest sandbox name Adobe's Sandbox API takes. */
export const MAX_SANDBOX_NAME = 256
/** The longest sandbox title Adobe's Sandbox API takes (the action writes and accepts no longer). */
export const MAX_TITLE = 256
/** The longest a GitHub-hosted job runs: no step timeout, and no lease, outlives it. */
export const MAX_JOB_MS = 6 * 60 * 60 * 1000

/**
 * The environment variables that may stand in for each credential input, for the inputs and
 * for the check of a run without secrets (a fork or Dependabot pull request), and for the
 * command line's table of inputs.
 */
export const CREDENTIAL_ENV = {
  'trackstar-api-key': 'TRACKSTAR_API_KEY',
  'trackstar-access-token': 'TRACKSTAR_ACCESS_TOKEN',
  'adobe-client-id': 'ADOBE_CLIENT_ID',
  'adobe-client-secret': 'ADOBE_CLIENT_SECRET',
  'adobe-access-token': 'ADOBE_ACCESS_TOKEN',
  'adobe-org-id': 'ADOBE_ORG_ID',
  'adobe-api-key': 'ADOBE_API_KEY'
} as const
