// `x-webhooks stream link|links|unlink`: Filtered Stream deliveries to a webhook.
import type { StreamLink, StreamLinkParams } from '../client/types.js'
import { EXIT, type Command, type Group, type OptionSpec } from './command.js'

const FIELDS = ['expansions', 'tweet.fields', 'user.fields', 'media.fields', 'poll.fields', 'place.fields'] as const

const list = (description: string): OptionSpec => ({ type: 'string', value: 'A,B', description })

function text (value: unknown): string {
  return value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : JSON.stringify(value)
}

function line ({ webhookId, ...rest }: StreamLink): string {
  const fields = Object.entries(rest).filter(([, value]) => value !== undefined).map(([name, value]) => `${name}=${text(value)}`)
  return [webhookId, ...fields].join('  ')
}

const link: Command = {
  name: 'link',
  summary: 'Send the filtered stream to the webhook',
  args: [{ name: 'WEBHOOK_ID' }],
  options: {
    expansions: list('Expansions, comma-separated, e.g. author_id,attachments.media_keys'),
    'tweet-fields': list('Post fields, e.g. created_at,public_metrics'),
    'user-fields': list('User fields, e.g. username,verified'),
    'media-fields': list('Media fields'),
    'poll-fields': list('Poll fields'),
    'place-fields': list('Place fields')
  },
  auth: 'app',
  examples: [
    'x-webhooks stream link 1146654567674912769',
    'x-webhooks stream link 1146654567674912769 --expansions author_id --tweet-fields created_at,public_metrics --user-fields username'
  ],
  async run (context) {
    const webhookId = context.args[0] as string
    const params: StreamLinkParams = {}
    for (const field of FIELDS) {
      const value = context.option(field.replace('.', '-'))
      if (value !== undefined) params[field] = value.split(',').map((item) => item.trim()).filter(Boolean)
    }
    const result = await context.client().stream.link(webhookId, params)
    return context.outcome(result, result.provisioned, `Linked the filtered stream to webhook ${webhookId}.`, `X did not link the filtered stream to webhook ${webhookId}.`)
  }
}

const links: Command = {
  name: 'links',
  summary: 'List the webhooks the stream is linked to',
  auth: 'app',
  examples: ['x-webhooks stream links', 'x-webhooks stream links --json'],
  async run (context) {
    const result = await context.client().stream.listLinks()
    context.out.result(result, result.length === 0 ? 'No stream links.' : result.map(line))
    return EXIT.ok
  }
}

const unlink: Command = {
  name: 'unlink',
  summary: 'Stop sending the filtered stream to the webhook',
  args: [{ name: 'WEBHOOK_ID' }],
  auth: 'app',
  examples: ['x-webhooks stream unlink 1146654567674912769'],
  async run (context) {
    const webhookId = context.args[0] as string
    const result = await context.client().stream.unlink(webhookId)
    return context.outcome(result, result.deleted, `Unlinked the filtered stream from webhook ${webhookId}.`, `X did not unlink the filtered stream from webhook ${webhookId}.`)
  }
}

export const stream: Group = {
  name: 'stream',
  summary: 'link the Filtered Stream to a webhook, list the links, unlink',
  children: [link, links, unlink]
}
