// `client.xaa`: X Activity API subscriptions (X-PLATFORM §6), with the app's bearer token; a private event type's
// subscription is created with the user's OAuth 2.0 token.

import { bool, dataOf, date, isObject, listOf, required, str, type Fields } from './answers.js'
import { problemsOf } from './errors.js'
import { APP, encode, type Http, type XAnswer } from './http.js'
import type { OAuth2UserAuth, XaaApi, XaaBulkDeleteResult, XaaFilter, XaaSubscription, XaaSubscriptionInput } from './types.js'
import { checkChanges, checkId, checkIds, checkMaxResults, checkSubscriptionInput, checkUserAuth, refuse } from './validate.js'

const PATH = '/2/activity/subscriptions'

function subscriptionOf (answer: XAnswer, item: Fields): XaaSubscription {
  return {
    subscriptionId: required(answer, str(item.subscription_id) ?? str(item.id), 'subscription_id'),
    eventType: required(answer, str(item.event_type), 'event_type'),
    filter: (isObject(item.filter) ? { ...item.filter } : {}) as XaaFilter,
    tag: str(item.tag),
    webhookId: str(item.webhook_id),
    createdAt: date(item.created_at),
    updatedAt: date(item.updated_at)
  }
}

/** `{"data": {"subscription": {...}}}` or `{"data": {...}}` (then with `meta.total_subscriptions`). */
function oneSubscription (answer: XAnswer): XaaSubscription {
  const data = dataOf(answer, 'subscription')
  return subscriptionOf(answer, isObject(data.subscription) ? data.subscription : data)
}

export class Xaa implements XaaApi {
  readonly #http: Http

  constructor (http: Http) {
    this.#http = http
  }

  /** Public event types work with the app's token; private ones need `userAuth`, the user's OAuth 2.0 token. */
  async createSubscription (input: XaaSubscriptionInput, userAuth?: OAuth2UserAuth): Promise<XaaSubscription> {
    const { eventType, filter, tag, webhookId } = checkSubscriptionInput(input)
    let auth = APP
    if (userAuth !== undefined) {
      const user = checkUserAuth('userAuth', userAuth, undefined)
      if (!('userAccessToken' in user)) refuse('userAuth', 'X Activity subscriptions take an OAuth 2.0 user token: pass { userAccessToken }')
      auth = { kind: 'user', user }
    }
    const answer = await this.#http.request({
      method: 'POST',
      path: PATH,
      body: { event_type: eventType, filter, tag, webhook_id: webhookId },
      auth
    })
    return oneSubscription(answer)
  }

  /**
   * One page per step, following `meta.next_token` as `pagination_token` until X gives none. Bad options reject the
   * first step, before anything is sent.
   */
  async * listSubscriptions (options?: { maxResults?: number }): AsyncGenerator<XaaSubscription[]> {
    const maxResults = checkMaxResults(options?.maxResults)
    let token: string | undefined
    do {
      const answer = await this.#http.request({
        method: 'GET',
        path: PATH,
        query: { max_results: maxResults === undefined ? undefined : String(maxResults), pagination_token: token },
        auth: APP
      })
      yield listOf(answer, 'subscription list').map((item) => subscriptionOf(answer, isObject(item) ? item : {}))
      const meta = isObject(answer.body) && isObject(answer.body.meta) ? answer.body.meta : {}
      const next = str(meta.next_token)
      // A token X repeats would loop for ever.
      token = next === token ? undefined : next
    } while (token !== undefined)
  }

  async updateSubscription (id: string, changes: { tag?: string, webhookId?: string }): Promise<XaaSubscription> {
    const path = `${PATH}/${encode(checkId('id', id))}`
    const { tag, webhookId } = checkChanges(changes)
    const answer = await this.#http.request({ method: 'PUT', path, body: { tag, webhook_id: webhookId }, auth: APP })
    return oneSubscription(answer)
  }

  async deleteSubscription (id: string): Promise<{ deleted: boolean }> {
    const answer = await this.#http.request({ method: 'DELETE', path: `${PATH}/${encode(checkId('id', id))}`, auth: APP })
    return { deleted: required(answer, bool(dataOf(answer, 'deleted').deleted), 'deleted') }
  }

  /**
   * X answers a list (`data: [{ subscription_id, deleted }]`, with `errors: [{ subscription_id, reason, message }]`
   * for the ones it did not delete), or one `{ deleted }` for all.
   */
  async deleteSubscriptions (ids: readonly string[]): Promise<XaaBulkDeleteResult> {
    const checked = checkIds(ids)
    const answer = await this.#http.request({ method: 'DELETE', path: PATH, query: { ids: checked.join(',') }, auth: APP })
    const body = isObject(answer.body) ? answer.body : {}
    const errors = (problemsOf(body) ?? []).map((problem) => ({
      subscriptionId: str(problem.subscription_id),
      reason: str(problem.reason),
      message: str(problem.message) ?? str(problem.detail)
    }))
    if (isObject(body.data)) {
      return { deleted: required(answer, bool(body.data.deleted), 'deleted') && errors.length === 0, results: [], errors }
    }
    // Only `errors` on a 200: nothing was deleted, and X says why per subscription.
    if (body.data === undefined && errors.length > 0) return { deleted: false, results: [], errors }
    const results = listOf(answer, 'deleted').map((item) => {
      const fields = isObject(item) ? item : {}
      return { subscriptionId: required(answer, str(fields.subscription_id), 'subscription_id'), deleted: bool(fields.deleted) ?? false }
    })
    return { deleted: results.length > 0 && errors.length === 0 && results.every((result) => result.deleted), results, errors }
  }
}
