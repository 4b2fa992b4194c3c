// One table for the action's inputs and the command's flags: every input of action.yml is in
// src/core/input-table.ts with the same default, requiredness and description, in the same
// order, and is a flag of the command (GitHub-only ones marked); --help is made from it.
import { describe, expect, it } from 'vitest'
import { actionYml } from '../../../scripts/local-runner'
import { INPUTS, OPERATIONS, applies } from '../../../src/core/input-table'
import { parseCommandLine } from '../../../src/cli/args'
import { mainHelp, operationHelp } from '../../../src/cli/help'

const yml = actionYml()

describe('the table of inputs', () => {
  it('holds every input of action.yml, in order, with its default, requiredness and description', () => {
    expect(INPUTS.map(i => i.name)).toEqual(Object.keys(yml.inputs))
    for (const spec of INPUTS) {
      const y = yml.inputs[spec.name]
      expect(spec.default, `default of ${spec.name}`).toBe(String(y.default ?? ''))
      expect(spec.required ?? false, `required of ${spec.name}`).toBe(y.required ?? false)
      expect(spec.description, `description of ${spec.name}`).toBe(y.description)
    }
  })

  it('every input is a flag of the command; the GitHub-only ones are exactly pr-comment and prune-closed (deployment when it lands)', () => {
    for (const spec of INPUTS) {
      const value = spec.boolean ? 'true' : 'x'
      expect(parseCommandLine(['exec', `--${spec.name}`, value, '--', 'true']).inputs[spec.name], spec.name).toBe(value)
    }
    const githubOnly = INPUTS.filter(i => i.githubOnly).map(i => i.name)
    expect(githubOnly.sort()).toEqual(['pr-comment', 'prune-closed', ...Object.keys(yml.inputs).filter(n => n.startsWith('deployment'))].sort())
  })

  it('marks as boolean exactly the inputs whose default is true or false', () => {
    for (const spec of INPUTS) expect(spec.boolean ?? false, spec.name).toBe(spec.default === 'true' || spec.default === 'false')
  })

  it('marks the credentials secret, and names the environment variable each description names', () => {
    expect(INPUTS.filter(i => i.secret).map(i => i.name).sort()).toEqual(['adobe-access-token', 'adobe-client-secret', 'github-token', 'trackstar-access-token', 'trackstar-api-key'])
    for (const spec of INPUTS) {
      const named = /Defaults to the ([A-Z_]+) environment variable/.exec(spec.description)?.[1]
      expect(spec.env, spec.name).toBe(named)
    }
  })

  it('gives every input at least one provider and operation it applies to', () => {
    for (const spec of INPUTS) {
      const ops = (Object.keys(OPERATIONS) as (keyof typeof OPERATIONS)[]).flatMap(p => OPERATIONS[p].filter(o => applies(spec, p, o)))
      expect(ops.length, spec.name).toBeGreaterThan(0)
    }
  })

  it('--help lists the command line, and each operation lists exactly the flags that apply to it', () => {
    expect(mainHelp()).toContain('ephemeral-sandbox exec --provider <p>')
    for (const [provider, ops] of Object.entries(OPERATIONS) as [keyof typeof OPERATIONS, readonly string[]][]) {
      for (const op of ops) {
        const help = operationHelp(op)
        const section = help.split(`Flags for ${provider} ${op}:`)[1]?.split('\n\n')[0] ?? ''
        const listed = [...section.matchAll(/^ {2}--([a-z-]+)/gm)].map(m => m[1])
        expect(listed, `${provider} ${op}`).toEqual(INPUTS.filter(s => s.name !== 'operation' && applies(s, provider, op)).map(s => s.name))
      }
    }
    expect(operationHelp('lease')).toContain('--pool <value>')
    expect(operationHelp('create')).not.toContain('--pool <value>')
    expect(operationHelp('create')).toContain('--adobe-client-secret <value>  (env: ADOBE_CLIENT_SECRET; secret')
    expect(operationHelp('cleanup')).toContain('--state-file <path>')
  })
})
