// `x-webhooks recover`: what app.x.recover does, from a shell. The CLI receives none of the webhook's deliveries, so
// it starts the replay and leaves waiting for its replay_job_status (and skipping what was handled) to the service.
import { DEFAULT_RECOVERY_SETTINGS, recover, type RecoveryReport } from '../recovery.js'
import { EXIT, type Command } from './command.js'
import { date } from './webhooks.js'

const DAY = 24 * 60 * 60 * 1000

function summary (report: RecoveryReport): string[] {
  // The CLI always passes `since`, so there is a window.
  const { from, to } = report.window as { from: Date, to: Date }
  return [
    `Webhook ${report.webhookId} is valid${report.revalidated ? ' again: it was invalid and passed X\'s CRC' : ''}.`,
    `Replay job ${report.jobs.map((job) => job.jobId).join(', ')} started for ${from.toISOString()} to ${to.toISOString()};`,
    'X delivers the events again (the service skips those it handled), then a replay_job_status.'
  ]
}

export const recoverCommand: Command = {
  name: 'recover',
  summary: 'Re-validate a webhook if it is invalid, then replay what it missed',
  description: 'Checks the webhook with X; when it is invalid, asks X for a CRC (it must pass: x-webhooks crc-check URL\n' +
    'shows why not); then asks X to replay from --since (default: the last 24 hours, all X keeps) to now.\n' +
    'The service\'s de-duplication skips events it already handled. Exit 0 when the replay started, 1 when the\n' +
    'webhook is unknown or stays invalid. In the service itself, app.x.recover() also waits for the job to end.',
  options: {
    'webhook-id': { type: 'string', value: 'ID', description: 'The webhook to recover', required: true },
    since: { type: 'string', value: 'ISO', description: 'Replay from this time (default 24 hours ago), e.g. 2026-01-31T14:05:00Z' }
  },
  auth: 'app',
  examples: [
    'x-webhooks recover --webhook-id 1146654567674912769',
    'x-webhooks recover --webhook-id 1146654567674912769 --since 2026-01-31T08:00:00Z'
  ],
  async run (context) {
    const webhookId = context.values['webhook-id'] as string
    const since = context.values.since === undefined ? new Date(Date.now() - DAY) : date(context, 'since')
    const report = await recover({ client: context.client(), settings: DEFAULT_RECOVERY_SETTINGS, log: { info () {} } }, { webhookId, since })
    context.out.result(report, summary(report))
    return EXIT.ok
  }
}
