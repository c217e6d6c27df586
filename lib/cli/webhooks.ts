// `x-webhooks webhooks list|create|delete|validate|replay`: the app's webhooks (`/2/webhooks`).
import type { Webhook } from '../client/types.js'
import { UsageError } from './args.js'
import { EXIT, type Command, type Group } from './command.js'
import type { Context } from './context.js'

function line (webhook: Webhook): string {
  const created = webhook.createdAt === undefined ? '' : `  created ${webhook.createdAt.toISOString()}`
  return `${webhook.id}  ${webhook.valid ? 'valid  ' : 'INVALID'}  ${webhook.url}${created}`
}

const INVALID_HINT = 'an invalid webhook gets no events: fix the service (x-webhooks crc-check URL), then x-webhooks webhooks validate ID'

/** An ISO 8601 time option, or a usage error. */
export function date (context: Context, name: string): Date {
  const value = context.values[name] as string
  const parsed = new Date(value)
  if (!/^\d{4}-\d\d-\d\d/.test(value) || Number.isNaN(parsed.getTime())) {
    throw new UsageError(`--${name} must be an ISO 8601 time such as 2026-01-31T14:05:00Z, not "${value}"`, context.help)
  }
  return parsed
}

const list: Command = {
  name: 'list',
  summary: 'List the app\'s webhooks',
  auth: 'app',
  examples: ['x-webhooks webhooks list', 'x-webhooks webhooks list --json | jq -r \'.[] | select(.valid | not) | .id\''],
  async run (context) {
    const webhooks = await context.client().webhooks.list()
    const lines = webhooks.length === 0 ? ['No webhooks registered.'] : webhooks.map(line)
    if (webhooks.some((webhook) => !webhook.valid)) lines.push(`hint: ${INVALID_HINT}`)
    context.out.result(webhooks, lines)
    return EXIT.ok
  }
}

const create: Command = {
  name: 'create',
  summary: 'Register URL as a webhook (X runs a CRC first)',
  description: 'The service must already answer the CRC at URL (check with x-webhooks crc-check URL). X accepts https URLs\nwithout an explicit port, at most 200 characters.',
  args: [{ name: 'URL' }],
  auth: 'app',
  examples: [
    'x-webhooks webhooks create https://example.com/webhooks/x',
    'x-webhooks webhooks create http://127.0.0.1:8080/webhooks/x --base-url http://127.0.0.1:8787 --allow-insecure-url'
  ],
  async run (context) {
    const webhook = await context.client().webhooks.create(context.args[0] as string)
    context.out.result(webhook, [`Created webhook ${line(webhook)}`, ...(webhook.valid ? [] : [`hint: ${INVALID_HINT}`])])
    return EXIT.ok
  }
}

const remove: Command = {
  name: 'delete',
  summary: 'Delete a webhook',
  args: [{ name: 'ID' }],
  auth: 'app',
  examples: ['x-webhooks webhooks delete 1146654567674912769'],
  async run (context) {
    const id = context.args[0] as string
    const result = await context.client().webhooks.delete(id)
    return context.outcome(result, result.deleted, `Deleted webhook ${id}.`, `X did not delete webhook ${id}.`)
  }
}

const validate: Command = {
  name: 'validate',
  summary: 'Ask X to run a CRC now; valid again if it passes',
  description: 'Exit 0 when the webhook passed and is valid, 1 when it failed and stays invalid (it gets no events until a\nvalidate passes; then replay the gap with x-webhooks webhooks replay).',
  args: [{ name: 'ID' }],
  auth: 'app',
  examples: ['x-webhooks webhooks validate 1146654567674912769 && x-webhooks webhooks replay --webhook-id 1146654567674912769 --from ... --to ...'],
  async run (context) {
    const id = context.args[0] as string
    const result = await context.client().webhooks.validate(id)
    return context.outcome(result, result.valid, `Webhook ${id} passed X's CRC: it is valid.`,
      `Webhook ${id} failed X's CRC: it stays invalid and gets no events. See why with x-webhooks crc-check URL.`)
  }
}

const replay: Command = {
  name: 'replay',
  summary: 'Re-deliver a window of the last 24 hours',
  description: 'Both times inclusive, in the past, FROM before TO, within the last 24 hours. One job at a time per webhook;\nwhen it ends X delivers a replay_job_status to the webhook.',
  options: {
    'webhook-id': { type: 'string', value: 'ID', description: 'The webhook to replay to', required: true },
    from: { type: 'string', value: 'ISO', description: 'Start of the window, e.g. 2026-01-31T14:05:00Z', required: true },
    to: { type: 'string', value: 'ISO', description: 'End of the window', required: true }
  },
  auth: 'app',
  examples: [
    'x-webhooks webhooks replay --webhook-id 1146654567674912769 --from 2026-01-31T08:00:00Z --to 2026-01-31T09:30:00Z',
    'x-webhooks webhooks replay --webhook-id 1146654567674912769 --from "$(date -u -d \'-2 hours\' +%FT%TZ)" --to "$(date -u +%FT%TZ)"'
  ],
  async run (context) {
    const webhookId = context.values['webhook-id'] as string
    const from = date(context, 'from')
    const to = date(context, 'to')
    const job = await context.client().webhooks.replay({ webhookId, from, to })
    context.out.result(job, `Replay job ${job.jobId} started for webhook ${webhookId}, ${from.toISOString()} to ${to.toISOString()}; X delivers a replay_job_status when it ends.`)
    return EXIT.ok
  }
}

export const webhooks: Group = {
  name: 'webhooks',
  summary: 'register, list, re-validate, delete and replay webhooks',
  children: [list, create, remove, validate, replay]
}
