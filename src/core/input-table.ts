// The one table of the action's inputs: names, defaults and descriptions as action.yml has
// them (a test holds the two together), plus what a front end needs to know beyond action.yml:
// which provider and operations an input applies to, its environment fallback, whether it is
// a secret, and whether it works only with GitHub (a token and a repository). The action reads
// its inputs by these names; the command line makes one flag of each.
import { CREDENTIAL_ENV } from './limits'

export const OPERATIONS = {
  trackstar: ['generate', 'delete'],
  adobe: ['create', 'reset', 'delete', 'prune', 'lease', 'get', 'maintain']
} as const

export type ProviderName = keyof typeof OPERATIONS

/** Where an input applies: every operation of a provider (`true`), or some of them. */
export type Scope = { [P in ProviderName]?: true | readonly (typeof OPERATIONS)[P][number][] }

export interface InputSpec {
  name: string
  /** action.yml's default, as written there */
  default: string
  required?: boolean
  description: string
  /** `true`/`false` inputs (a flag may be given without a value) */
  boolean?: boolean
  /** the environment variable read when the input is empty */
  env?: string
  /** never written to a state file, never shown */
  secret?: boolean
  scope: Scope
  /** needs GitHub: a token and a repository (pull requests, runs, comments) */
  githubOnly?: boolean
  /** the default outside a runner, where action.yml's `${{ … }}` means nothing */
  cliDefault?: string
  /** an environment fallback the command line adds (the runner has the input's default instead) */
  cliEnv?: string
}

const ANY: Scope = { trackstar: true, adobe: true }
const TRACKSTAR: Scope = { trackstar: true }
const ADOBE: Scope = { adobe: true }

export const INPUTS: readonly InputSpec[] = [
  { name: 'provider', default: '', required: true, scope: ANY, description: 'Which provider: `trackstar` or `adobe`.' },
  { name: 'operation', default: '', scope: ANY, description: 'trackstar: `generate` (default) or `delete`. adobe: `create` (default), `reset`, `delete`, `prune`, `lease`, `get` or `maintain`.' },
  { name: 'cleanup', default: 'auto', scope: ANY, description: 'What the post step does when the job ends: `auto` (undo what this step did), `delete`, `reset` or `none`.' },
  { name: 'timeout', default: '900', scope: ANY, description: 'How long the main step may spend waiting for the sandbox to reach its target state, also bounding retries: seconds (`900`) or a duration (`90s`, `15m`, `1h`), at most 6 hours.' },
  { name: 'wait', default: 'true', boolean: true, scope: { adobe: ['create', 'reset', 'delete', 'lease'] }, description: 'adobe: wait until the sandbox is `active` (create, reset) or `deleted` (delete).' },
  { name: 'summary', default: 'true', boolean: true, scope: ANY, description: 'Write a job summary (never with a secret in it).' },
  { name: 'export-env', default: 'false', boolean: true, scope: ANY, description: 'Also export the results as environment variables for later steps: TRACKSTAR_ACCESS_TOKEN, TRACKSTAR_CONNECTION_ID, AEP_ACCESS_TOKEN, AEP_SANDBOX_NAME.' },
  { name: 'trackstar-api-key', default: '', env: CREDENTIAL_ENV['trackstar-api-key'], secret: true, scope: TRACKSTAR, description: 'Organization-level Trackstar API key, sent as `x-trackstar-api-key`. Defaults to the TRACKSTAR_API_KEY environment variable.' },
  { name: 'integration-type', default: 'wms', scope: TRACKSTAR, description: 'trackstar: `wms`, `cart` or `carrier`.' },
  { name: 'trackstar-access-token', default: '', env: CREDENTIAL_ENV['trackstar-access-token'], secret: true, scope: { trackstar: ['delete'] }, description: "trackstar `delete`: the connection's access token. When absent, the step generates first to learn it. Defaults to the TRACKSTAR_ACCESS_TOKEN environment variable." },
  { name: 'trackstar-api-url', default: 'https://production.trackstarhq.com', scope: TRACKSTAR, description: 'Trackstar API base URL (https, or http to a loopback host).' },
  { name: 'verify', default: 'true', boolean: true, scope: { trackstar: ['generate'] }, description: 'trackstar: after generate, make one authenticated read and succeed only when it answers 200.' },
  { name: 'adobe-client-id', default: '', env: CREDENTIAL_ENV['adobe-client-id'], scope: ADOBE, description: 'OAuth Server-to-Server client id; also the `x-api-key` unless `adobe-api-key` is set. Defaults to the ADOBE_CLIENT_ID environment variable.' },
  { name: 'adobe-client-secret', default: '', env: CREDENTIAL_ENV['adobe-client-secret'], secret: true, scope: ADOBE, description: 'OAuth Server-to-Server client secret. Defaults to the ADOBE_CLIENT_SECRET environment variable.' },
  { name: 'adobe-org-id', default: '', env: CREDENTIAL_ENV['adobe-org-id'], scope: ADOBE, description: 'IMS organization id (…@AdobeOrg), sent as `x-gw-ims-org-id`. Defaults to the ADOBE_ORG_ID environment variable.' },
  { name: 'adobe-scopes', default: 'openid,session,AdobeID,read_organizations,additional_info.projectedProductContext', scope: ADOBE, description: 'Comma-separated scopes for the token request.' },
  { name: 'adobe-access-token', default: '', env: CREDENTIAL_ENV['adobe-access-token'], secret: true, scope: ADOBE, description: 'An already-minted bearer token, instead of client id and secret. Defaults to the ADOBE_ACCESS_TOKEN environment variable.' },
  { name: 'adobe-api-key', default: '', env: CREDENTIAL_ENV['adobe-api-key'], scope: ADOBE, description: 'The `x-api-key` header. Defaults to the ADOBE_API_KEY environment variable, else the client id.' },
  { name: 'adobe-ims-url', default: 'https://ims-na1.adobelogin.com', scope: ADOBE, description: 'Adobe IMS base URL (https, or http to a loopback host).' },
  { name: 'adobe-platform-url', default: 'https://platform.adobe.io', scope: ADOBE, description: 'Adobe Experience Platform base URL; the Sandbox API lives under /data/foundation/sandbox-management.' },
  { name: 'sandbox-name', default: '', scope: { adobe: ['create', 'reset', 'delete', 'get'] }, description: 'adobe: the sandbox name. Required for reset and delete; for create it defaults to a unique name such as gh-<repo>-pr-<number>-<6 random>.' },
  { name: 'sandbox-title', default: '', scope: { adobe: ['create'] }, description: 'adobe: the sandbox title. Defaults to one naming the repository, the PR and the run URL.' },
  { name: 'if-exists', default: 'reuse', scope: { adobe: ['create'] }, description: 'adobe create, when the name exists already: `reuse` (waits while it is creating or resetting), `reset` or `fail`.' },
  { name: 'ignore-warnings', default: 'false', boolean: true, scope: { adobe: ['reset', 'delete'] }, description: 'adobe reset and delete: send `ignoreWarnings=true`.' },
  { name: 'allow-production', default: 'false', boolean: true, scope: { adobe: ['create', 'reset', 'delete'] }, description: 'Allow reset, delete or reuse of a production sandbox (the default sandbox is never touched).' },
  { name: 'prune-prefix', default: '', scope: { adobe: ['prune'] }, description: 'adobe prune: only development sandboxes whose name starts with this are pruned. Required for prune.' },
  { name: 'prune-older-than', default: '24h', scope: { adobe: ['prune'] }, description: 'adobe prune: age past which a matching sandbox is pruned: `90m`, `24h`, `7d`, or seconds.' },
  { name: 'dry-run', default: 'false', boolean: true, scope: { adobe: ['prune'] }, description: 'adobe prune: list what would be deleted, delete nothing.' },
  { name: 'pool', default: '', scope: { adobe: ['lease', 'maintain'] }, description: "adobe lease and maintain: the pool's development sandboxes: comma-separated names, or a prefix ending in `*` (`ci-pool-*`). Required for lease and maintain." },
  { name: 'pool-size', default: '', scope: { adobe: ['maintain'] }, description: 'adobe maintain: how many development sandboxes the pool should hold (1 to 100); with a prefix pool missing members are created as `<prefix><n>` (`ci-pool-1`, `ci-pool-2`, …). Defaults to the number of names in a list pool; required with a prefix pool.' },
  { name: 'lease-ttl', default: '15m', scope: { adobe: ['lease'] }, description: 'adobe lease: how long a lease holds without a renewal (`15m`, `90m`, `6h`); an expired lease may be taken over, after a reset. The heartbeat renews it while the job runs; with `heartbeat: false`, set it longer than the job.' },
  { name: 'heartbeat', default: 'true', boolean: true, scope: { adobe: ['lease'] }, description: 'adobe lease: renew the lease about every third of `lease-ttl` from a small background process that the post step stops; when the runner dies, the renewals stop and the lease lapses after `lease-ttl`.' },
  { name: 'reseed-on-release', default: 'false', boolean: true, scope: { adobe: ['lease'] }, description: 'adobe lease with `adobe-package-id`: the post step imports the package again after the release reset, so the next lease needs no import.' },
  { name: 'if-full', default: 'wait', scope: { adobe: ['create', 'lease', 'maintain'] }, description: 'adobe create and maintain when the licence has no free slot, and lease when every pool sandbox is leased: `wait` (within `timeout`) or `fail`.' },
  { name: 'cleanup-timeout', default: '600', scope: ANY, description: 'How long the post step may spend on its cleanup (waiting, retries), in the forms of `timeout`; independent of `timeout`.' },
  { name: 'adobe-role-id', default: '', scope: { adobe: ['create', 'reset', 'lease', 'maintain'] }, description: 'adobe: comma-separated access-control role ids. The sandbox is added to each role once active, and removed from them in cleanup when this step created it.' },
  { name: 'adobe-package-id', default: '', scope: { adobe: ['create', 'reset', 'lease', 'maintain'] }, description: 'adobe: a sandbox-tooling package id imported into the sandbox once active (create, reset, lease, maintain), waiting for the import job. A pool member the package was imported into since its last reset is leased without importing again.' },
  { name: 'github-token', default: '${{ github.token }}', cliDefault: '', cliEnv: 'GITHUB_TOKEN', secret: true, scope: ANY, description: 'GitHub token for prune-closed, pr-comment and deployment only.' },
  { name: 'prune-closed', default: 'false', boolean: true, githubOnly: true, scope: { adobe: ['prune'] }, description: 'adobe prune: also prune matching sandboxes whose title names a pull request that is closed or a run that has finished, whatever their age.' },
  { name: 'pr-comment', default: 'false', boolean: true, githubOnly: true, scope: { adobe: ['create', 'reset', 'lease', 'get'] }, description: 'On pull requests: keep one comment, updated in place, with the sandbox, its state and what cleanup will do.' },
  { name: 'deployment', default: 'false', boolean: true, githubOnly: true, scope: { trackstar: ['generate'], adobe: ['create', 'reset', 'lease'] }, description: 'Create a GitHub Deployment for the sandbox: in progress while it is prepared, success with a link to the sandbox when ready, inactive when cleanup deletes, resets or releases it. Needs `deployments: write`.' },
  { name: 'deployment-environment', default: 'ephemeral-sandbox', githubOnly: true, scope: { trackstar: ['generate'], adobe: ['create', 'reset', 'lease'] }, description: 'The GitHub environment of those deployments: one fixed environment, since GITHUB_TOKEN cannot delete environments.' }
]

export function inputSpec(name: string): InputSpec | undefined {
  return INPUTS.find(i => i.name === name)
}

/** Whether an input applies to a provider (and an operation of it; any operation when none is given). */
export function applies(spec: InputSpec, provider: ProviderName, operation?: string): boolean {
  const s = spec.scope[provider]
  if (s === undefined) return false
  if (s === true || operation === undefined) return true
  return (s as readonly string[]).includes(operation)
}
