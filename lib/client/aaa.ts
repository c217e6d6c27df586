// `client.aaa`: Account Activity API subscriptions (X-PLATFORM §6). Subscribe and check act for the user (their own
// token); list, unsubscribe and count take the app's bearer token.

import { bool, count, dataOf, isObject, required, str } from './answers.js'
import { XApiError } from './errors.js'
import { APP, encode, type Http } from './http.js'
import type { AaaApi, AaaSubscriptionCount, AaaSubscriptionList, UserAuth } from './types.js'
import { checkId, checkUserAuth } from './validate.js'

const path = (webhookId: string): string => `/2/account_activity/webhooks/${encode(checkId('webhookId', webhookId))}/subscriptions`

export class Aaa implements AaaApi {
  readonly #http: Http
  readonly #userAuth: UserAuth | undefined

  constructor (http: Http, userAuth: UserAuth | undefined) {
    this.#http = http
    this.#userAuth = userAuth
  }

  /** Subscribes the user whose token signs the request (`userAuth`, default the client's). */
  async subscribe (webhookId: string, userAuth?: UserAuth): Promise<{ subscribed: boolean }> {
    const user = checkUserAuth('userAuth', userAuth, this.#userAuth)
    const answer = await this.#http.request({ method: 'POST', path: `${path(webhookId)}/all`, body: {}, auth: { kind: 'user', user } })
    return { subscribed: required(answer, bool(dataOf(answer, 'subscribed').subscribed), 'subscribed') }
  }

  /** Whether that user is subscribed; X's `SubscriptionNotFound` is a plain `false`. */
  async isSubscribed (webhookId: string, userAuth?: UserAuth): Promise<boolean> {
    const user = checkUserAuth('userAuth', userAuth, this.#userAuth)
    try {
      const answer = await this.#http.request({ method: 'GET', path: `${path(webhookId)}/all`, auth: { kind: 'user', user } })
      return required(answer, bool(dataOf(answer, 'subscribed').subscribed), 'subscribed')
    } catch (error) {
      if (error instanceof XApiError && error.reason === 'SubscriptionNotFound') return false
      throw error
    }
  }

  async listSubscriptions (webhookId: string): Promise<AaaSubscriptionList> {
    const answer = await this.#http.request({ method: 'GET', path: `${path(webhookId)}/all/list`, auth: APP })
    const data = dataOf(answer, 'subscription list')
    const subscriptions = Array.isArray(data.subscriptions) ? data.subscriptions : []
    return {
      applicationId: str(data.application_id),
      webhookId: str(data.webhook_id) ?? webhookId,
      webhookUrl: str(data.webhook_url),
      userIds: subscriptions.map((item) => str(isObject(item) ? item.user_id : item)).filter((id) => id !== undefined)
    }
  }

  /** Removes `userId`'s subscription, with the app's token (no user token needed). */
  async unsubscribe (webhookId: string, userId: string): Promise<{ subscribed: boolean }> {
    const user = encode(checkId('userId', userId))
    const answer = await this.#http.request({ method: 'DELETE', path: `${path(webhookId)}/${user}/all`, auth: APP })
    return { subscribed: required(answer, bool(dataOf(answer, 'subscribed').subscribed), 'subscribed') }
  }

  async countSubscriptions (): Promise<AaaSubscriptionCount> {
    const answer = await this.#http.request({ method: 'GET', path: '/2/account_activity/subscriptions/count', auth: APP })
    const data = dataOf(answer, 'subscription count')
    return {
      subscriptionsCountAll: required(answer, count(data.subscriptions_count_all), 'subscriptions_count_all'),
      subscriptionsCountDirectMessages: count(data.subscriptions_count_direct_messages),
      provisionedCount: count(data.provisioned_count),
      applicationId: str(data.application_id),
      accountName: str(data.account_name)
    }
  }
}
