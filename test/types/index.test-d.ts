// Type tests of the published ESM types (dist/esm, through the package's own `exports`): run `npm run build` first.
import Fastify, { type FastifyBaseLogger } from 'fastify'
import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd'
import xWebhooks, {
  xWebhooks as named,
  crcResponseToken,
  normalizeDelivery,
  signPayload,
  verifySignature,
  XEventRouter,
  XHandlersError,
  type AaaEvent,
  type AaaFollowItem,
  type AaaTweet,
  type AnyXEvent,
  type FastifyXWebhooksOptions,
  type PostV2,
  type ReplayJobStatus,
  type StreamEvent,
  type UnknownEvent,
  type XaaEvent,
  type XaaProfileUpdatePayload,
  type XaaSourceTargetPayload,
  type XaaUnrecognizedEvent,
  type XEventFor,
  type XProduct,
  type XRoutingKey,
  type XWebhooks,
  createMemoryStore,
  type ClaimResult,
  type DedupeStore,
  XWebhooksClient,
  type XApiError,
  type Webhook,
  type ReplayJob,
  type XaaSubscription,
  type RecoveryReport,
  type RecoveryOptions,
  type ReplayJobState,
  type Duration
} from 'fastify-x-webhooks'

const app = Fastify()

// Registration and options
app.register(xWebhooks, { consumerSecret: 's' })
app.register(named, { consumerSecret: ['new', 'old'], path: '/hook', bodyLimit: 1024, ack: 'immediate', handlerTimeout: 5000 })
app.register(xWebhooks, { consumerSecret: 's', prefix: '/x' })
expectType<typeof xWebhooks>(named)
expectError(app.register(xWebhooks, {}))
expectError(app.register(xWebhooks, { path: '/hook' }))
expectError(app.register(xWebhooks, { consumerSecret: 1 }))
expectError(app.register(xWebhooks, { consumerSecret: [1] }))
expectError(app.register(xWebhooks, { consumerSecret: 's', path: 1 }))
expectError(app.register(xWebhooks, { consumerSecret: 's', bodyLimit: '1mb' }))
expectError(app.register(xWebhooks, { consumerSecret: 's', ack: 'later' }))
expectError(app.register(xWebhooks, { consumerSecret: 's', handlerTimeout: '8s' }))
expectAssignable<FastifyXWebhooksOptions>({ consumerSecret: 's' })

// De-duplication: off, tuned, or a store
app.register(xWebhooks, { consumerSecret: 's', dedupe: false })
app.register(xWebhooks, { consumerSecret: 's', dedupe: { ttl: 3_600_000, max: 10_000 } })
app.register(xWebhooks, { consumerSecret: 's', dedupe: { store: createMemoryStore({ max: 10 }) } })
const customStore: DedupeStore = {
  claim: async (id: string, ttlMs: number): Promise<ClaimResult> => (id.length > ttlMs ? 'done' : 'claimed'),
  complete: async () => {},
  release: async () => {}
}
app.register(xWebhooks, { consumerSecret: 's', dedupe: { store: customStore } })
expectError(app.register(xWebhooks, { consumerSecret: 's', dedupe: true }))
expectError(app.register(xWebhooks, { consumerSecret: 's', dedupe: { store: { claim: async () => 'maybe' } } }))
expectNotAssignable<DedupeStore>({ claim: async () => 'claimed', complete: async () => {} })
expectNotAssignable<FastifyXWebhooksOptions>({ path: '/hook' })

// Declaration merging reached the consumer
expectType<XWebhooks>(app.x)
expectAssignable<XEventRouter>(app.x)
expectType<XWebhooksClient>(app.x.client)
app.register(xWebhooks, { consumerSecret: 's', bearerToken: 't', apiBaseUrl: 'http://127.0.0.1:8787' })
expectError(app.register(xWebhooks, { consumerSecret: 's', bearerToken: 1 }))
expectType<Promise<Webhook[]>>(app.x.client.webhooks.list())
expectType<Promise<ReplayJob>>(new XWebhooksClient({ bearerToken: 't' }).webhooks.replay({ webhookId: '1', from: new Date(), to: new Date() }))
expectError(new XWebhooksClient({ bearerToken: 't' }).webhooks.replay({ webhookId: '1', from: '202601010000', to: new Date() }))
expectAssignable<AsyncIterable<XaaSubscription[]>>(app.x.client.xaa.listSubscriptions())
expectType<number>(({} as XApiError).status)

// An exact, product-qualified key: only that product's payload
app.x.on('xaa:follow.follow', (e) => {
  expectType<'xaa'>(e.product)
  expectType<'follow.follow'>(e.type)
  expectType<XaaSourceTargetPayload>(e.payload)
  expectType<XaaEvent<'follow.follow'>>(e)
})
app.x.on('aaa:follow.follow', (e) => {
  expectType<AaaFollowItem>(e.payload)
})

// An exact key: the union of every product's shape, discriminated by `product`
app.x.on('follow.follow', (e) => {
  expectType<'aaa' | 'xaa'>(e.product)
  expectType<'follow.follow'>(e.type)
  expectType<AaaEvent<'follow.follow'> | XaaEvent<'follow.follow'>>(e)
  if (e.product === 'aaa') {
    expectType<AaaFollowItem>(e.payload)
  } else {
    expectType<XaaSourceTargetPayload>(e.payload)
  }
})

// A prefix key: every known type under it
app.x.on('follow', (e) => {
  expectType<'follow.follow' | 'follow.unfollow'>(e.type)
  expectType<AaaEvent<'follow.follow' | 'follow.unfollow'> | XaaEvent<'follow.follow' | 'follow.unfollow'>>(e)
})
app.x.on('profile.update', (e) => {
  expectType<'xaa'>(e.product)
  expectAssignable<XaaProfileUpdatePayload<unknown>>(e.payload)
  expectType<unknown>(e.payload.after) // badge updates are not strings
  if (e.type === 'profile.update.bio') expectType<string>(e.payload.after)
})
app.x.on('xaa:profile.update.bio', (e) => {
  expectType<string>(e.payload.after)
})
app.x.on('post', (e) => {
  expectAssignable<'post.create' | 'post.delete' | 'post.reply.create' | 'post.mention.create' | 'post.quote.create' | 'post.repost.create'>(e.type)
  expectNotAssignable<'stream.post'>(e.type)
})
app.x.on('aaa:post', (e) => {
  expectType<'aaa'>(e.product)
})
app.x.on('stream', (e) => {
  expectType<StreamEvent>(e)
  expectType<PostV2>(e.payload)
})
app.x.on('replay', (e) => {
  expectType<'webhook'>(e.product)
  expectType<ReplayJobStatus>(e.payload)
})

// Arrays of keys: the union of what each selects
app.x.on(['post.reply.create', 'post.mention.create'], (e) => {
  expectType<'post.reply.create' | 'post.mention.create'>(e.type)
  expectType<AaaTweet | PostV2>(e.payload)
})
app.x.on(['xaa:follow.follow', 'aaa:like.create'] as const, (e) => {
  expectType<XaaEvent<'follow.follow'> | AaaEvent<'like.create'>>(e)
})

// Every event of a product, including XAA types this version does not know and unrecognised items
app.x.on('xaa:*', (e) => {
  expectType<'xaa'>(e.product)
  expectType<XaaEvent | XaaUnrecognizedEvent | UnknownEvent<'xaa'>>(e)
  expectAssignable<typeof e>({} as XaaUnrecognizedEvent)
  expectAssignable<typeof e>({} as XaaEvent<'spaces.start'>)
  expectAssignable<typeof e>({} as UnknownEvent<'xaa'>)
})
app.x.on('aaa:*', (e) => {
  expectType<'aaa'>(e.product)
  expectAssignable<typeof e>({} as AaaEvent)
  expectAssignable<typeof e>({} as UnknownEvent<'aaa'>)
})
// Unrecognised deliveries, by product or from any
app.x.on('unknown', (e) => {
  expectType<UnknownEvent>(e)
  expectType<unknown>(e.payload)
})
app.x.on('webhook:unknown', (e) => {
  expectType<'webhook'>(e.product)
  expectType<'unknown'>(e.type)
  expectType<unknown>(e.payload)
})
app.x.on('stream:*', (e) => {
  expectType<'stream'>(e.product)
  expectType<StreamEvent | UnknownEvent<'stream'>>(e)
})
app.x.on('aaa:unknown', (e) => {
  expectType<UnknownEvent<'aaa'>>(e)
})

// Handlers may be async; they may also be declared for a wider event type
app.x.on('like', async (e) => { expectType<'like.create'>(e.type) })
const wide = (e: AnyXEvent): void => { expectType<XProduct>(e.product) }
app.x.on('follow', wide).on(['post', 'xaa:*'], wide).off('follow', wide).off(['post', 'xaa:*'], wide)
expectType<XWebhooks>(app.x.on('follow', wide))

// Keys no event can have are errors
expectError(app.x.on('nope', () => {}))
expectError(app.x.on('posts', () => {}))
expectError(app.x.on('follow.', () => {}))
expectError(app.x.on('follow.follows', () => {}))
expectError(app.x.on('aaa:spaces.start', () => {})) // AAA has no Spaces events
expectError(app.x.on('stream:follow', () => {}))
expectError(app.x.on('nope:follow', () => {}))
expectError(app.x.on('*', () => {}))
expectError(app.x.on('error', () => {}))
expectError(app.x.on(['follow', 'nope'], () => {}))
expectError(app.x.on('follow'))
// A handler for another event type is an error
expectError(app.x.on('follow', (e: XaaEvent<'spaces.start'>) => e))
expectError(app.x.on('xaa:follow.follow', (e: AaaEvent<'follow.follow'>) => e))

// onAny, onError
app.x.onAny((e) => { expectType<AnyXEvent>(e) })
app.x.onError((error) => {
  expectType<XHandlersError>(error)
  expectType<AnyXEvent>(error.event)
  expectAssignable<unknown[]>(error.errors)
  expectAssignable<AggregateError>(error)
})
expectError(app.x.onError((error: string) => error))
expectType<XWebhooks>(app.x.onAny(() => {}).onError(() => {}))

// The routing-key types
expectAssignable<XRoutingKey>('profile.update')
expectAssignable<XRoutingKey>('webhook:replay.complete')
expectNotAssignable<XRoutingKey>('aaa:news.new')
expectType<XaaEvent<'news.new'>>({} as XEventFor<'news'>)

// The router, standalone
const router = new XEventRouter(app.log)
expectType<Promise<XHandlersError | undefined>>(router.dispatch(normalizeDelivery({}).at(0) as AnyXEvent))
expectError(new XEventRouter())
expectAssignable<(log: FastifyBaseLogger) => XEventRouter>((log) => new XEventRouter(log))

// Helpers
expectType<string>(crcResponseToken('challenge_string', 'secret'))
expectError(crcResponseToken(1, 'secret'))
expectType<string>(signPayload(Buffer.from('{}'), 'secret'))
expectType<string>(signPayload('{}', 'secret'))
expectError(signPayload({}, 'secret'))
expectType<boolean>(verifySignature(Buffer.from('{}'), undefined, 'secret'))
expectType<boolean>(verifySignature('{}', ['a', 'b'], ['new', 'old']))
expectError(verifySignature('{}', 'sha256=', 1))
expectType<AnyXEvent[]>(normalizeDelivery(JSON.parse('{}')))
expectType<(body: unknown) => AnyXEvent[]>(normalizeDelivery)

// Recovery: app.x.recover and the `recovery` option
expectType<Promise<RecoveryReport>>(app.x.recover({ webhookId: '1146654567674912769' }))
expectType<Promise<RecoveryReport>>(app.x.recover({ webhookId: '1146654567674912769', since: new Date() }))
expectError(app.x.recover({}))
expectError(app.x.recover({ webhookId: 1 }))
expectError(app.x.recover({ webhookId: '1', since: '2026-01-01' }))
declare const report: RecoveryReport
expectType<'since' | 'checkpoint' | 'none'>(report.origin)
expectType<{ from: Date, to: Date } | undefined>(report.window)
expectType<ReplayJobState>(report.jobs[0]!.state)
expectType<{ received: number, handled: number, duplicates: number, failed: number }>(report.events)
app.register(xWebhooks, { consumerSecret: 's', bearerToken: 't', recovery: { webhookId: '1' } })
app.register(xWebhooks, { consumerSecret: 's', bearerToken: 't', recovery: { webhookId: '1', onStartup: false, checkEvery: '15m', lookback: '1.5h', jobTimeout: 60_000 } })
app.register(xWebhooks, { consumerSecret: 's', bearerToken: 't', recovery: { webhookId: '1', checkEvery: false } })
expectError(app.register(xWebhooks, { consumerSecret: 's', bearerToken: 't', recovery: {} }))
expectError(app.register(xWebhooks, { consumerSecret: 's', bearerToken: 't', recovery: { webhookId: '1', checkEvery: '15 minutes' } }))
expectError(app.register(xWebhooks, { consumerSecret: 's', bearerToken: 't', recovery: { webhookId: '1', onStartup: 'yes' } }))
expectAssignable<Duration>('30s')
expectNotAssignable<Duration>('30 seconds')
expectAssignable<RecoveryOptions>({ webhookId: '1', checkEvery: 900_000 })
// A store may keep checkpoints; the three methods are enough without them.
expectAssignable<DedupeStore>({ claim: async () => 'claimed' as const, complete: async () => {}, release: async () => {} })
expectAssignable<DedupeStore>({
  claim: async () => 'claimed' as const,
  complete: async () => {},
  release: async () => {},
  saveCheckpoint: async (_key: string, _time: number) => {},
  loadCheckpoint: async (_key: string) => 1_700_000_000_000
})
