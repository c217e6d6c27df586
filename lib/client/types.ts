// The management client's public shapes: what callers pass and get back, camelCase whatever X answered.

import type { XaaFilter } from '../events/payloads-xaa.js'

/** OAuth 1.0a user context: the app's consumer key and secret, and the user's access token and secret. */
export interface OAuth1UserAuth {
  consumerKey: string
  consumerSecret: string
  accessToken: string
  accessTokenSecret: string
}

/** OAuth 2.0 user context: a user access token (`Authorization: Bearer …`) with the scopes the endpoint needs. */
export interface OAuth2UserAuth {
  userAccessToken: string
}

export type UserAuth = OAuth1UserAuth | OAuth2UserAuth

export interface XWebhooksClientOptions {
  /** The app-only bearer token (OAuth 2.0). */
  bearerToken: string
  /** Default `https://api.x.com`; the emulator, a proxy or a test stand-in otherwise. */
  baseUrl?: string
  /** Default user context for the endpoints that need one (AAA subscribe and check). */
  userAuth?: UserAuth
  /** On a 429, wait until `x-rate-limit-reset` and try once more. Default false. */
  retryOnRateLimit?: boolean
  /** Milliseconds before a request is abandoned. Default 10,000. */
  timeout?: number
  /** Accept `http:` and explicit ports in webhook URLs (the emulator's `http://127.0.0.1:PORT` receivers). Default false. */
  allowInsecureUrl?: boolean
  /**
   * With `retryOnRateLimit`, the longest wait for `x-rate-limit-reset`, in milliseconds; a later reset is not waited
   * for (the 429 is thrown). Default 900,000: one X rate-limit window (15 minutes).
   */
  maxRateLimitWait?: number
  /** For tests and instrumentation. Default: Node's global fetch. */
  fetch?: typeof fetch
}

export interface Webhook {
  id: string
  url: string
  valid: boolean
  createdAt: Date | undefined
}

export interface ReplayJob {
  jobId: string
  createdAt: Date | undefined
}

export interface ReplayOptions {
  webhookId: string
  /** Inclusive, within the last 24 hours, before `to`. */
  from: Date
  /** Inclusive, not in the future. */
  to: Date
}

export interface AaaSubscriptionList {
  applicationId: string | undefined
  webhookId: string
  webhookUrl: string | undefined
  userIds: string[]
}

export interface AaaSubscriptionCount {
  /** X answers these as strings; they are numbers here. */
  subscriptionsCountAll: number
  subscriptionsCountDirectMessages: number | undefined
  provisionedCount: number | undefined
  applicationId: string | undefined
  accountName: string | undefined
}

/**
 * X's own filter object, sent unchanged: exactly one of `user_id` and `keyword`, and `direction` (`inbound` or
 * `outbound`) where the event type has one. The same type as a delivery's `filter`.
 */
export type { XaaFilter }

export interface XaaSubscriptionInput {
  eventType: string
  filter: XaaFilter
  tag?: string
  webhookId?: string
}

export interface XaaSubscription {
  subscriptionId: string
  eventType: string
  filter: XaaFilter
  tag: string | undefined
  webhookId: string | undefined
  createdAt: Date | undefined
  updatedAt: Date | undefined
}

export interface StreamLinkParams {
  expansions?: string[]
  'tweet.fields'?: string[]
  'user.fields'?: string[]
  'media.fields'?: string[]
  'poll.fields'?: string[]
  'place.fields'?: string[]
}

export interface StreamLink {
  webhookId: string
  applicationId?: string
  businessUserId?: string
  instanceId?: string
  createdAt?: Date | undefined
  /** The fields and expansions the link delivers, as X lists them. */
  fields?: string[]
  /** Whatever else X lists about the link, its top-level names in camelCase. */
  [field: string]: unknown
}

/** One of the subscriptions a bulk delete named. */
export interface XaaDeleteResult {
  subscriptionId: string
  deleted: boolean
}

/** Why X did not delete one of the subscriptions a bulk delete named. */
export interface XaaDeleteFailure {
  subscriptionId: string | undefined
  reason: string | undefined
  message: string | undefined
}

export interface XaaBulkDeleteResult {
  /** True when X deleted every subscription named. */
  deleted: boolean
  /** Per subscription, when X lists them. */
  results: XaaDeleteResult[]
  /** X's partial failures: the subscriptions it did not delete, and why. */
  errors: XaaDeleteFailure[]
}

/**
 * An error object as X writes it: problem JSON (`type`, `title`, `detail`, `status`), the older `{ code, message }`,
 * or an item of a bulk answer's `errors`. Whatever else X adds (`resource_id`, `parameter`, `value`…) is kept.
 */
export interface XProblem {
  type?: string
  title?: string
  detail?: string
  status?: number
  reason?: string
  message?: string
  code?: number | string
  [field: string]: unknown
}

export interface RateLimit {
  limit: number | undefined
  remaining: number | undefined
  reset: Date | undefined
}

/** `client.webhooks`: register, list, re-validate, delete and replay webhooks (`/2/webhooks`). */
export interface WebhooksApi {
  create (url: string): Promise<Webhook>
  list (): Promise<Webhook[]>
  delete (id: string): Promise<{ deleted: boolean }>
  /** Asks X to run a CRC now (PUT); a webhook that passes is valid again. */
  validate (id: string): Promise<{ valid: boolean }>
  replay (options: ReplayOptions): Promise<ReplayJob>
}

/** `client.aaa`: Account Activity API subscriptions. `userAuth` defaults to the client's. */
export interface AaaApi {
  subscribe (webhookId: string, userAuth?: UserAuth): Promise<{ subscribed: boolean }>
  isSubscribed (webhookId: string, userAuth?: UserAuth): Promise<boolean>
  listSubscriptions (webhookId: string): Promise<AaaSubscriptionList>
  unsubscribe (webhookId: string, userId: string): Promise<{ subscribed: boolean }>
  countSubscriptions (): Promise<AaaSubscriptionCount>
}

/** `client.xaa`: X Activity API subscriptions. */
export interface XaaApi {
  createSubscription (input: XaaSubscriptionInput, userAuth?: OAuth2UserAuth): Promise<XaaSubscription>
  /** One page per iteration, following `pagination_token` until X has no more. */
  listSubscriptions (options?: { maxResults?: number }): AsyncIterable<XaaSubscription[]>
  updateSubscription (id: string, changes: { tag?: string, webhookId?: string }): Promise<XaaSubscription>
  deleteSubscription (id: string): Promise<{ deleted: boolean }>
  /** 1 to 100 ids at once. A partial failure resolves with `deleted: false` and X's reasons in `errors`. */
  deleteSubscriptions (ids: readonly string[]): Promise<XaaBulkDeleteResult>
}

/** `client.stream`: Filtered Stream webhook links. */
export interface StreamApi {
  link (webhookId: string, params?: StreamLinkParams): Promise<{ provisioned: boolean }>
  listLinks (): Promise<StreamLink[]>
  unlink (webhookId: string): Promise<{ deleted: boolean }>
}
