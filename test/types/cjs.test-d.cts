// Type tests of the published CommonJS types (dist/cjs, the `require` condition of `exports`): run `npm run build`
// first. A .cts file is CommonJS whatever package.json says, so `'fastify-x-webhooks'` resolves to dist/cjs here.
import Fastify = require('fastify')
import xWebhooksModule = require('fastify-x-webhooks')
import xWebhooks, { xWebhooks as named, type XaaSourceTargetPayload, type XEventRouter, type XWebhooks } from 'fastify-x-webhooks'
import { expectAssignable, expectError, expectType } from 'tsd'

const app = Fastify()

app.register(xWebhooks, { consumerSecret: 's' })
app.register(named, { consumerSecret: ['new', 'old'] })
// `const xWebhooks = require('fastify-x-webhooks')` is the plugin itself, as with every Fastify plugin.
app.register(xWebhooksModule, { consumerSecret: 's' })
app.register(xWebhooksModule.default, { consumerSecret: 's' })
app.register(xWebhooksModule.xWebhooks, { consumerSecret: 's' })
expectError(app.register(xWebhooksModule, { consumerSecret: 1 }))
expectType<xWebhooksModule.XaaSourceTargetPayload>({} as XaaSourceTargetPayload)
expectType<typeof named>(xWebhooks)
expectError(app.register(xWebhooks, {}))
expectError(app.register(xWebhooks, { consumerSecret: 1 }))

expectType<XWebhooks>(app.x)
expectAssignable<XEventRouter>(app.x)
app.x.on('xaa:follow.follow', (e) => {
  expectType<'xaa'>(e.product)
  expectType<XaaSourceTargetPayload>(e.payload)
})
expectError(app.x.on('nope', () => {}))

expectType<string>(xWebhooksModule.crcResponseToken('challenge_string', 'secret'))
expectType<boolean>(xWebhooksModule.verifySignature('{}', undefined, 'secret'))

expectType<Promise<xWebhooksModule.RecoveryReport>>(app.x.recover({ webhookId: '1146654567674912769' }))
app.register(xWebhooks, { consumerSecret: 's', bearerToken: 't', recovery: { webhookId: '1', checkEvery: '15m' } })
