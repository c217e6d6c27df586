// `x-webhooks crc-check URL`: the CRC X will run, with X's verdict and the reason.
import { UsageError } from './args.js'
import { EXIT, type Command } from './command.js'
import { checkCrc, type CrcVerdict } from './crc.js'

const EXIT_OF: Record<CrcVerdict, number> = { valid: EXIT.ok, invalid: EXIT.failed, transient: EXIT.unreachable }

export const crcCheck: Command = {
  name: 'crc-check',
  summary: 'Run X\'s CRC against URL: valid, invalid or transient, and why',
  description: [
    'Sends GET URL?crc_token=<random token> (added to any query the URL has), does not follow redirects, and',
    'judges the answer by X\'s rules:',
    '  valid      200 with JSON {"response_token": "sha256=<HMAC-SHA256 of the token, keyed by the consumer secret>"}',
    '  invalid    a 2xx with a wrong or missing response_token or a body that is not JSON, any 3xx, a TLS',
    '             error: X marks the webhook invalid at once',
    '  transient  a 4xx, a 5xx, a timeout, a connection refused or closed: X marks the webhook invalid only',
    '             when no CRC has passed for more than 28 hours',
    'It also warns about what X tolerates but dislikes: slow answers, a content type that is not JSON, and',
    'URLs X will not register (http:, an explicit port, more than 200 characters).'
  ].join('\n'),
  args: [{ name: 'URL' }],
  options: {
    'consumer-secret': { type: 'string', value: 'SECRET', env: 'X_CONSUMER_SECRET', description: 'The app\'s consumer secret (API secret key), which keys the CRC' },
    timeout: { type: 'string', value: 'MS', description: 'Milliseconds to wait for the answer (default 10000, as X)' },
    'allow-insecure-url': { type: 'boolean', description: 'No warnings about http:, ports and length (a local service)' }
  },
  auth: 'none',
  examples: [
    'X_CONSUMER_SECRET=... x-webhooks crc-check https://example.com/webhooks/x',
    'x-webhooks crc-check http://127.0.0.1:3000/webhooks/x --consumer-secret "$SECRET" --allow-insecure-url',
    'x-webhooks crc-check https://example.com/webhooks/x --timeout 3000 --json | jq .result'
  ],
  async run (context) {
    const [url] = context.args as [string]
    if (!/^https?:\/\/[^/]/i.test(url) || !URL.canParse(url)) throw new UsageError(`URL must be an http(s) URL, not "${url}"`, context.help)
    const result = await checkCrc(url, {
      consumerSecret: context.need('consumer-secret', 'The app\'s consumer secret'),
      timeout: context.integer('timeout') ?? 10_000,
      fetch: context.io.fetch ?? fetch,
      allowInsecureUrl: context.flag('allow-insecure-url')
    })
    const line = `${result.result}: ${url} ${result.reason}${result.fix === null ? '' : `. Fix: ${result.fix}`}`
    context.out.result(result, [line, ...result.warnings.map((warning) => `warning: ${warning}`)])
    return EXIT_OF[result.result]
  }
}
