// What a command runs with: its arguments and options, the output, and the client built from flags and environment.
import { XWebhooksClient } from '../client/index.js'
import type { UserAuth } from '../client/types.js'
import { UsageError, type Values } from './args.js'
import { EXIT, optionsOf, type Command } from './command.js'
import type { CliIo, Output } from './output.js'

const OAUTH1 = ['consumer-key', 'consumer-secret', 'access-token', 'access-token-secret'] as const

export class Context {
  readonly help: string

  constructor (
    readonly command: Command,
    path: string[],
    readonly values: Values,
    readonly args: string[],
    readonly out: Output,
    readonly io: CliIo
  ) {
    this.help = `x-webhooks ${path.join(' ')} --help`
  }

  /** Prints a result X answered with a boolean; exit 0 when it is what was asked for, 1 otherwise. */
  outcome (value: unknown, ok: boolean, yes: string, no: string): number {
    this.out.result(value, ok ? yes : no)
    return ok ? EXIT.ok : EXIT.failed
  }

  /** A string option: the flag, else its environment variable; empty counts as not given. */
  option (name: string): string | undefined {
    const env = optionsOf(this.command)[name]?.env
    const value = this.values[name] ?? (env === undefined ? undefined : this.io.env[env])
    return value === '' ? undefined : value as string | undefined
  }

  flag (name: string): boolean {
    return this.values[name] === true
  }

  /** A required option that has an environment variable (a token, a secret), or a usage error naming both. */
  need (name: string, what: string): string {
    const value = this.option(name)
    if (value !== undefined) return value
    throw new UsageError(`${what} is missing: pass --${name} or set ${optionsOf(this.command)[name]?.env}`, this.help)
  }

  /** A positive whole number option, or undefined when not given. */
  integer (name: string): number | undefined {
    const value = this.option(name)
    if (value === undefined) return undefined
    if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`--${name} must be a positive whole number, not "${value}"`, this.help)
    return Number(value)
  }

  /**
   * The client. AAA subscribe and check act for the user alone: X never sees a bearer token there, but the client
   * takes one anyway, so those commands pass a placeholder when none is given.
   */
  client (userContext = false): XWebhooksClient {
    return new XWebhooksClient({
      bearerToken: userContext ? this.option('bearer-token') ?? 'unused-by-user-context' : this.need('bearer-token', 'The app\'s bearer token'),
      baseUrl: this.option('base-url'),
      timeout: this.integer('timeout'),
      retryOnRateLimit: this.flag('retry-on-rate-limit'),
      allowInsecureUrl: this.flag('allow-insecure-url'),
      fetch: this.io.fetch
    })
  }

  /**
   * The user context of AAA subscribe and check: the user's OAuth 2.0 token, unless an OAuth 1.0a flag says
   * otherwise, else OAuth 1.0a from all four values.
   */
  userAuth (): UserAuth {
    const oauth1Flag = OAUTH1.some((name) => name !== 'consumer-secret' && this.values[name] !== undefined)
    const userToken = oauth1Flag ? undefined : this.option('user-token')
    if (userToken !== undefined) return { userAccessToken: userToken }
    const missing = OAUTH1.filter((name) => this.option(name) === undefined)
    if (missing.length > 0) {
      const list = missing.map((name) => `--${name} (${optionsOf(this.command)[name]?.env})`).join(', ')
      throw new UsageError(`this needs the user's own token: --user-token (X_USER_TOKEN) for OAuth 2.0, or for OAuth 1.0a also ${list}`, this.help)
    }
    const [consumerKey, consumerSecret, accessToken, accessTokenSecret] = OAUTH1.map((name) => this.option(name) as string) as [string, string, string, string]
    return { consumerKey, consumerSecret, accessToken, accessTokenSecret }
  }
}
