// `x-webhooks subscriptions aaa|xaa …`: one group per product.
import { aaa } from './aaa.js'
import type { Group } from './command.js'
import { xaa } from './xaa.js'

export const subscriptions: Group = {
  name: 'subscriptions',
  summary: 'subscriptions of the Account Activity API (aaa) and the X Activity API (xaa)',
  children: [aaa, xaa]
}
