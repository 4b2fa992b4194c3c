// `jsonContentType`: a GET that carries `Content-Type: application/json` without a body, for
// an API that declares the header required there (sandbox.yaml's fetchJob).
import { describe, expect, it } from 'vitest'
import { Deadline } from '../../../src/core/deadline'
import { Http, type Request, type Transport } from '../../../src/core/http'
import { listLogger, virtualClock } from '../../harness/virtual-time'

function sending(): { http: Http; sent: Parameters<Transport>[0][] } {
  const sent: Parameters<Transport>[0][] = []
  const transport: Transport = async req => {
    sent.push(req)
    return { status: 200, headers: {}, text: '{}' }
  }
  const http = new Http({ provider: 'Test', deadline: new Deadline(60_000, virtualClock()), log: listLogger(), transport })
  return { http, sent }
}

const GET: Request = { method: 'GET', url: 'https://p.example/job/1', action: 'read job' }

describe('Content-Type without a body', () => {
  it.each([
    ['a GET with jsonContentType', { ...GET, jsonContentType: true }, 'application/json', undefined],
    ['a GET without it', GET, undefined, undefined],
    ['a JSON body, as always', { ...GET, method: 'PUT', json: { a: 1 } }, 'application/json', '{"a":1}'],
    ['a JSON body with jsonContentType too', { ...GET, method: 'PUT', json: { a: 1 }, jsonContentType: true }, 'application/json', '{"a":1}'],
    ['a form body keeps its own type', { ...GET, method: 'POST', form: { a: '1' }, jsonContentType: true }, 'application/x-www-form-urlencoded', 'a=1']
  ] as [string, Request, string | undefined, string | undefined][])('%s', async (_kind, req, type, body) => {
    const { http, sent } = sending()
    await http.request(req)
    expect(sent).toHaveLength(1)
    expect(sent[0].headers['Content-Type']).toBe(type)
    expect(sent[0].headers.Accept).toBe('application/json')
    expect(sent[0].body).toBe(body)
  })
})
