// What a failed import job says, read from the shapes the references show (per-artifact task
// messages) and the generic error fields a Platform answer may carry instead.
import { describe, expect, it } from 'vitest'
import { jobErrors } from '../../../../../src/providers/adobe/ready/packages'

describe('jobErrors', () => {
  it('takes the messages of tasks whose artifacts were not created, and skips the ones that were', () => {
    const raw = {
      jobStatus: 'FAILED',
      completedTasks: [
        { taskType: 'IMPORT', taskStatus: 'SUCCESS', artifact: { id: 'a1', type: 'REGISTRY_SCHEMA', messages: [{ status: 'CREATED', message: 'created' }] } },
        { taskType: 'IMPORT', taskStatus: 'FAILED', artifact: { id: 'a2', type: 'CATALOG_DATASET', messages: [{ status: 'FAILED', message: 'Dataset name taken' }] } },
        { taskType: 'IMPORT', taskStatus: 'FAILED', artifact: { id: 'a3', type: 'PROFILE_SEGMENT' } }
      ]
    }
    expect(jobErrors(raw)).toEqual(['CATALOG_DATASET a2: Dataset name taken', 'PROFILE_SEGMENT a3: task FAILED'])
  })

  it('reads error fields, strings or objects, one line each, without repeats', () => {
    const raw = { errorMessage: 'Import failed', errors: ['Import failed', { message: 'second\n::error::line' }, { code: 7 }] }
    expect(jobErrors(raw)).toEqual(['Import failed', 'second : :error: :line', '{"code":7}'])
  })

  it('is empty when the job says nothing', () => {
    expect(jobErrors({ jobStatus: 'CANCELLED' })).toEqual([])
  })
})
