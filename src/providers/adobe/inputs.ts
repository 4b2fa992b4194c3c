// Adobe's inputs, read after the common ones (src/core/inputs.ts has the stages and the value
// parsers): its credentials, the checks of every input with a restricted form, and the rules
// between its inputs.
import { InputError } from '../../core/errors'
import {
  checkCredential,
  DEFAULT_SCOPES,
  didYouMean,
  fromEnv,
  oneOf,
  parseAge,
  parseBaseUrl,
  parseBoolean,
  parseLeaseTtl,
  parsePackageId,
  parsePool,
  parsePoolSize,
  parsePrunePrefix,
  parseRoleIds,
  required,
  SANDBOX_NAME_PATTERN,
  secretInput,
  shown,
  type AdobeAuth,
  type AdobeInputs,
  type InputStages
} from '../../core/inputs'
import { CREDENTIAL_ENV, MAX_TITLE } from '../../core/limits'

export const adobeInputs: InputStages<AdobeInputs> = (get, env, secrets) => {
  const clientSecret = secretInput(get, env, secrets, 'adobe-client-secret', CREDENTIAL_ENV['adobe-client-secret'])
  const tokenInput = secretInput(get, env, secrets, 'adobe-access-token')
  const tokenEnv = fromEnv(env, CREDENTIAL_ENV['adobe-access-token'])
  secrets.add(tokenEnv)
  checkCredential('adobe-access-token', tokenEnv, CREDENTIAL_ENV['adobe-access-token'])
  return () => {
    const f = {
      imsUrl: parseBaseUrl('adobe-ims-url', get('adobe-ims-url') || 'https://ims-na1.adobelogin.com'),
      platformUrl: parseBaseUrl('adobe-platform-url', get('adobe-platform-url') || 'https://platform.adobe.io'),
      ifExists: oneOf('if-exists', get('if-exists') || 'reuse', ['reuse', 'reset', 'fail'] as const),
      ignoreWarnings: parseBoolean('ignore-warnings', get('ignore-warnings'), false),
      allowProduction: parseBoolean('allow-production', get('allow-production'), false),
      pruneOlderThanSeconds: parseAge('prune-older-than', get('prune-older-than') || '24h'),
      dryRun: parseBoolean('dry-run', get('dry-run'), false),
      leaseTtlSeconds: parseLeaseTtl(get('lease-ttl') || '15m'),
      heartbeat: parseBoolean('heartbeat', get('heartbeat'), true),
      reseedOnRelease: parseBoolean('reseed-on-release', get('reseed-on-release'), false),
      ifFull: oneOf('if-full', get('if-full') || 'wait', ['wait', 'fail'] as const),
      roleIds: parseRoleIds(get('adobe-role-id')),
      packageId: parsePackageId(get('adobe-package-id')),
      pruneClosed: parseBoolean('prune-closed', get('prune-closed'), false),
      prComment: parseBoolean('pr-comment', get('pr-comment'), false)
    }
    return common => {
      const operation = oneOf('operation', get('operation') || 'create', ['create', 'reset', 'delete', 'prune', 'lease', 'get', 'maintain'] as const)
      if ((operation === 'delete' || operation === 'prune') && common.cleanup === 'reset') {
        throw new InputError('cleanup', `cannot be "reset" after operation "${operation}"; use auto or none`)
      }
      if (operation === 'prune' && common.cleanup === 'delete') {
        throw new InputError('cleanup', 'cannot be "delete" with operation "prune" (prune deletes already); use auto or none')
      }
      if (operation === 'lease' && common.cleanup === 'delete') {
        throw new InputError('cleanup', 'cannot be "delete" with operation "lease" (pool sandboxes are kept: the post step releases them); use auto, reset or none')
      }
      if (operation === 'get' && (common.cleanup === 'delete' || common.cleanup === 'reset')) {
        throw new InputError('cleanup', `cannot be "${common.cleanup}" with operation "get" (get changes nothing and leaves nothing to undo); use auto or none`)
      }
      if (operation === 'maintain' && (common.cleanup === 'delete' || common.cleanup === 'reset')) {
        throw new InputError('cleanup', `cannot be "${common.cleanup}" with operation "maintain" (it keeps the pool, and holds no member when it ends); use auto or none`)
      }

      const clientIdInput = get('adobe-client-id')
      const clientId = checkCredential('adobe-client-id', clientIdInput || fromEnv(env, CREDENTIAL_ENV['adobe-client-id']), clientIdInput ? undefined : CREDENTIAL_ENV['adobe-client-id'])
      const secretFromInput = get('adobe-client-secret') !== ''
      // Inputs win over the environment; an explicit token wins over client credentials.
      let auth: AdobeAuth
      const useToken =
        tokenInput !== '' || (tokenEnv !== '' && !secretFromInput && !clientIdInput)
      if (useToken) {
        auth = { kind: 'token', token: tokenInput || tokenEnv }
      } else {
        if (clientId === '' && clientSecret === '') {
          throw new InputError(
            'adobe-client-id',
            'Adobe credentials are missing: set adobe-client-id and adobe-client-secret (or ADOBE_CLIENT_ID and ADOBE_CLIENT_SECRET), or adobe-access-token (or ADOBE_ACCESS_TOKEN)'
          )
        }
        required('adobe-client-id', clientId, CREDENTIAL_ENV['adobe-client-id'])
        required('adobe-client-secret', clientSecret, CREDENTIAL_ENV['adobe-client-secret'])
        const scopes = (get('adobe-scopes') || DEFAULT_SCOPES).split(',').map(s => s.trim()).filter(Boolean)
        const badScope = scopes.find(s => !/^[A-Za-z0-9_.:/-]+$/.test(s))
        if (scopes.length === 0 || badScope !== undefined) {
          throw new InputError('adobe-scopes', `${badScope ? `"${badScope}" is not a scope` : 'is empty'}; expected a comma-separated list such as ${DEFAULT_SCOPES}`)
        }
        auth = { kind: 'client', clientId, clientSecret: clientSecret, scopes }
      }
      const apiKey = checkCredential('adobe-api-key', get('adobe-api-key') || fromEnv(env, CREDENTIAL_ENV['adobe-api-key']), get('adobe-api-key') ? undefined : CREDENTIAL_ENV['adobe-api-key']) || clientId
      if (apiKey === '') {
        throw new InputError('adobe-api-key', 'is required with adobe-access-token (or set ADOBE_API_KEY, or adobe-client-id, which is the API key by default)')
      }
      const orgId = required('adobe-org-id', get('adobe-org-id') || fromEnv(env, CREDENTIAL_ENV['adobe-org-id']), CREDENTIAL_ENV['adobe-org-id'])
      if (!/^[A-Za-z0-9]+@AdobeOrg$/.test(orgId)) {
        throw new InputError('adobe-org-id', `got "${orgId}"; expected an IMS organization id such as 0123456789ABCDEF01234567@AdobeOrg`)
      }

      const sandboxName = get('sandbox-name') || undefined
      if (sandboxName !== undefined && !SANDBOX_NAME_PATTERN.test(sandboxName)) {
        throw new InputError(
          'sandbox-name',
          `${shown(sandboxName)} is not a valid sandbox name; it must start with a lowercase letter and hold only lowercase letters, digits and hyphens, at most 256 characters${didYouMean(sandboxName)}`
        )
      }
      if (sandboxName === undefined && (operation === 'reset' || operation === 'delete' || operation === 'get')) {
        throw new InputError('sandbox-name', `is required for operation "${operation}" (name the sandbox to ${operation === 'get' ? 'read' : operation})`)
      }
      const sandboxTitle = get('sandbox-title') || undefined
      if (sandboxTitle !== undefined && sandboxTitle.length > MAX_TITLE) {
        throw new InputError('sandbox-title', `is longer than ${MAX_TITLE} characters`)
      }

      const prunePrefix = operation === 'prune' ? parsePrunePrefix(get('prune-prefix')) : undefined

      const pool = operation === 'lease' || operation === 'maintain' ? parsePool(get('pool'), operation) : undefined
      const poolSize = operation === 'maintain' && pool ? parsePoolSize(get('pool-size'), pool) : undefined
      if (get('pool-size') !== '' && operation !== 'maintain') {
        throw new InputError('pool-size', `applies to operation "maintain" only, not "${operation}"`)
      }
      // The grant and the import act on an active sandbox that the step created, reset, leased or keeps.
      for (const [input, given] of [['adobe-role-id', f.roleIds.length > 0], ['adobe-package-id', f.packageId !== undefined]] as const) {
        if (!given) continue
        if (!['create', 'reset', 'lease', 'maintain'].includes(operation)) throw new InputError(input, `applies to operations create, reset, lease and maintain only, not "${operation}"`)
        if (!common.wait && operation !== 'maintain') throw new InputError(input, 'needs wait: true (the sandbox must be active before it can be granted or seeded)')
      }
      if (f.reseedOnRelease && (operation !== 'lease' || f.packageId === undefined)) {
        throw new InputError('reseed-on-release', operation !== 'lease' ? `applies to operation "lease" only, not "${operation}"` : 'needs adobe-package-id: it imports that package again after the release reset')
      }
      const githubToken = common.githubToken
      if (f.pruneClosed && operation !== 'prune') {
        throw new InputError('prune-closed', `applies to operation "prune" only, not "${operation}"; remove it or set operation: prune`)
      }
      if (f.pruneClosed && githubToken === '') {
        throw new InputError('github-token', 'is required with prune-closed: true; the default ${{ github.token }} works when the job has permissions pull-requests: read and actions: read')
      }

      return {
        ...common,
        provider: 'adobe',
        operation,
        auth,
        apiKey,
        orgId,
        imsUrl: f.imsUrl,
        platformUrl: f.platformUrl,
        sandboxName,
        sandboxTitle,
        ifExists: f.ifExists,
        ignoreWarnings: f.ignoreWarnings,
        allowProduction: f.allowProduction,
        prunePrefix,
        pruneOlderThanSeconds: f.pruneOlderThanSeconds,
        dryRun: f.dryRun,
        pool,
        poolSize,
        leaseTtlSeconds: f.leaseTtlSeconds,
        heartbeat: f.heartbeat,
        reseedOnRelease: f.reseedOnRelease,
        ifFull: f.ifFull,
        roleIds: f.roleIds,
        packageId: f.packageId,
        pruneClosed: f.pruneClosed,
        prComment: f.prComment
      }
    }
  }
}
