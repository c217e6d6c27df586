// Property-based tests of hostile input: fast-check generates requests (bodies, headers, methods, query strings)
// and every property below must hold for all of them. Everything goes through app.inject(), no port is opened.
//
// A failing property is reported with fast-check's counterexample (shrunk to a small one), printed by describe()
// below as one readable line, and the seed and path to replay it: FC_SEED=… FC_PATH=… npx tap test/property.test.ts
import { isUtf8 } from 'node:buffer'
import { STATUS_CODES } from 'node:http'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { crcResponseToken, normalizeDelivery, signPayload, type AnyXEvent } from '../lib/index.js'
import { build, fixtures, logCapture, PATH } from './helpers.js'

// Distinctive, so that finding one in an answer or a log line cannot be a coincidence.
const SECRET = 'PropTest-Alpha-9f2c1e7b5d3a'
const OLD_SECRET = 'PropTest-Bravo-71ad04c3e86f' // the second secret of a rotation: verifies, never signs CRC replies
const WRONG_SECRET = 'PropTest-Wrong-0000aaaa1111'
const HANDLER_DETAIL = 'handler detail that must not reach the client'
const SIGNATURE_HEADER = 'x-twitter-webhooks-signature'
// Small, so that the generated bodies cross it both ways and 413 is exercised; every fixture fits.
const BODY_LIMIT = 8192
// Independent of de-duplication (on by default): the same generated body may be sent many times.
const OPTIONS = { consumerSecret: [SECRET, OLD_SECRET], dedupe: false as const }

const FIXTURES = fixtures()
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const TOKEN_CHARS = `${BASE64}-_=`
// The contract's definition of a CRC token, written out again here rather than imported from lib/.
const TOKEN_SHAPE = /^[A-Za-z0-9+/\-_=]{8,256}$/
const VISIBLE_ASCII = [...Array(95).keys()].map((code) => String.fromCharCode(code + 32))

const replay = process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH }
// Generated inputs per property: the whole file runs in a few seconds on 2 cores. FC_SCALE=10 for a longer hunt.
const SCALE = Number(process.env.FC_SCALE ?? 1)
const RUNS = Object.fromEntries(Object.entries({
  anyRequest: 1000,
  unsigned: 500,
  no5xx: 400,
  failingHandler: 300,
  secrets: 400,
  crc: 1000,
  validDeliveries: 400
}).map(([name, runs]) => [name, Math.ceil(runs * SCALE)])) as Record<'anyRequest' | 'unsigned' | 'no5xx' | 'failingHandler' | 'secrets' | 'crc' | 'validDeliveries', number>

// ---------------------------------------------------------------------------------------------------------------
// The request model. A signature is a recipe applied to the body when the request is sent, so that the body and
// the signature shrink independently and the counterexample still says how the signature was made.

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS'

interface Body { label: string, bytes: Buffer }

/** `json`: application/json by the contract; `other`: anything else; `ambiguous`: what HTTP leaves open. */
interface ContentType { kind: 'json' | 'other' | 'absent' | 'ambiguous', value?: string | string[] }

type SignatureRecipe =
  | { how: 'absent' }
  | { how: 'valid', secret: 0 | 1 }
  | { how: 'wrong secret' }
  | { how: 'signs another body', extra: Buffer }
  | { how: 'signs the body with one byte changed', at: number, xor: number }
  | { how: 'truncated', drop: number }
  | { how: 'extended', suffix: string }
  | { how: 'one digest character changed', at: number, shift: number }
  | { how: 'other prefix', prefix: string }
  | { how: 'base64url' }
  | { how: 'hex' }
  | { how: 'repeated header', second: 'same' | 'random', random: string }
  | { how: 'comma-joined' }
  | { how: 'random', value: string }

interface HostileRequest {
  method: Method
  query: string | undefined
  contentType: ContentType
  signature: SignatureRecipe
  body: Body
  headers: Record<string, string>
}

function signatureValue (recipe: SignatureRecipe, body: Buffer): string | string[] | undefined {
  const valid = signPayload(body, SECRET)
  const digest = valid.slice('sha256='.length)
  switch (recipe.how) {
    case 'absent': return undefined
    case 'valid': return signPayload(body, recipe.secret === 0 ? SECRET : OLD_SECRET)
    case 'wrong secret': return signPayload(body, WRONG_SECRET)
    case 'signs another body': return signPayload(Buffer.concat([body, recipe.extra]), SECRET)
    case 'signs the body with one byte changed': {
      if (body.length === 0) return signPayload(' ', SECRET)
      const changed = Buffer.from(body)
      const at = recipe.at % changed.length
      changed[at] = (changed[at] as number) ^ recipe.xor
      return signPayload(changed, SECRET)
    }
    case 'truncated': return valid.slice(0, -recipe.drop)
    case 'extended': return valid + recipe.suffix
    case 'one digest character changed': {
      // Only the first 42 characters carry 6 bits each; the 43rd also carries 2 padding bits that base64 decoders
      // ignore, so changing it may not change the digest (see the report on signature malleability).
      const at = recipe.at % 42
      const replaced = BASE64[(BASE64.indexOf(digest[at] as string) + recipe.shift) % 64] as string
      return `sha256=${digest.slice(0, at)}${replaced}${digest.slice(at + 1)}`
    }
    case 'other prefix': return recipe.prefix + digest
    case 'base64url': return `sha256=${digest.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')}`
    case 'hex': return `sha256=${Buffer.from(digest, 'base64').toString('hex')}`
    case 'repeated header': return [valid, recipe.second === 'same' ? valid : recipe.random]
    case 'comma-joined': return `${valid},${valid}`
    case 'random': return recipe.value
  }
}

function toInject (request: HostileRequest): InjectOptions {
  const headers: Record<string, string | string[]> = { ...request.headers }
  if (request.contentType.value !== undefined) headers['content-type'] = request.contentType.value
  const signature = signatureValue(request.signature, request.body.bytes)
  if (signature !== undefined) headers[SIGNATURE_HEADER] = signature
  return { method: request.method, url: urlOf(request.query), headers, payload: request.body.bytes }
}

function urlOf (query: string | undefined): string {
  return query === undefined ? PATH : `${PATH}?${query}`
}

function preview (bytes: Buffer): string {
  const text = JSON.stringify(bytes.subarray(0, 120).toString(isUtf8(bytes) ? 'utf8' : 'latin1'))
  return bytes.length > 120 ? `${text}…` : text
}

/** One line per request in fast-check's counterexample, instead of a dump of Buffers. */
function describe (request: HostileRequest): string {
  const { how, ...recipe } = request.signature
  const signature = Object.keys(recipe).length === 0 ? how : `${how} ${JSON.stringify(recipe)}`
  return `${request.method} ${urlOf(request.query)}` +
    ` | content-type (${request.contentType.kind}): ${JSON.stringify(request.contentType.value)}` +
    ` | signature: ${signature}` +
    ` | other headers: ${JSON.stringify(request.headers)}` +
    ` | body (${request.body.label}, ${request.body.bytes.length} B): ${preview(request.body.bytes)}`
}

function printable<T extends object> (value: T, toString: (value: T) => string): T {
  return Object.assign(value, { [fc.toStringMethod]: () => toString(value) })
}

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries

const visibleAscii = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...VISIBLE_ASCII), maxLength })

/** Nested `[`, `{"a":` or both, `depth` deep: bodies that a recursive walk over the parsed value cannot survive. */
const deepJson = (maxDepth: number): fc.Arbitrary<Body> => fc.record({
  depth: fc.integer({ min: 1, max: maxDepth }),
  shape: fc.constantFrom('array', 'object', 'mixed')
}).map(({ depth, shape }) => {
  const [open, close] = shape === 'array' ? ['[', ']'] : shape === 'object' ? ['{"a":', '}'] : ['{"a":[', ']}']
  return { label: `${shape} nested ${depth} deep`, bytes: Buffer.from(open.repeat(depth) + '1' + close.repeat(depth)) }
})

/** Keys Fastify's default parser refuses (own `__proto__`, `constructor.prototype`), and look-alikes it accepts. */
const prototypeKeys: fc.Arbitrary<Body> = fc.constantFrom(
  '{"__proto__":{"polluted":true}}',
  '{"data":[{"__proto__":1}]}',
  '{"\\u005f_proto__":{}}',
  '[{"__proto__" :[]}]',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"for_user_id":"1","follow_events":[{"constructor":{"prototype":null}}]}',
  '{"constructor":{"name":"not a prototype"}}',
  '{"constructor":"x","prototype":{},"__proto":1,"__proto__x":2}',
  '{"a":"\\"__proto__\\": 1"}'
).map((text) => ({ label: 'prototype keys', bytes: Buffer.from(text) }))

/** JSON edge cases and near-JSON. */
const oddJson: fc.Arbitrary<Body> = fc.constantFrom(
  '', ' ', '\n', 'null', 'true', '0', '-0', '1e999', '"string"', '[]', '{}', '\uFEFF{}', '\uFEFF', '{"a":1}{"b":2}', '{"a":1}\n\n',
  '{"a":NaN}', '{"a":Infinity}', "{'a':1}", '{"a":1,}', '{"a":"\\ud800"}', '{"a":1,"a":2}', '{"data":null}', '{"data":[]}',
  '{"for_user_id":1,"favorite_events":{}}', '{"replay_job_status":7}', `[${'1,'.repeat(400)}1]`, '"\u0000"', '{"a":"\u2028"}'
).map((text) => ({ label: 'odd JSON', bytes: Buffer.from(text) }))

const jsonBody = fc.jsonValue({ maxDepth: 6 }).map((value) => ({ label: 'JSON', bytes: Buffer.from(JSON.stringify(value)) }))
const fixtureBody = fc.constantFrom(...FIXTURES).map(({ name, raw }) => ({ label: `fixture ${name}`, bytes: raw }))

/** Bodies around the size limit: `{"p":"xx…"}` of exactly `size` bytes. */
const sizedBody: fc.Arbitrary<Body> = fc.integer({ min: BODY_LIMIT - 8, max: BODY_LIMIT * 3 })
  .map((size) => ({ label: `padded to ${size} B`, bytes: Buffer.from(`{"p":"${'x'.repeat(size - 8)}"}`) }))

const anyBody: fc.Arbitrary<Body> = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ label: 'random bytes', bytes: Buffer.from(bytes) })),
  fc.string({ unit: 'binary', maxLength: 200 }).map((text) => ({ label: 'random text', bytes: Buffer.from(text) })),
  fc.string({ unit: 'grapheme', maxLength: 100 }).map((text) => ({ label: 'random text', bytes: Buffer.from(text) })),
  jsonBody,
  fixtureBody,
  prototypeKeys,
  oddJson,
  deepJson(3000),
  sizedBody
)

const contentTypeArb: fc.Arbitrary<ContentType> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<ContentType>({ kind: 'json', value: 'application/json' }) },
  {
    weight: 3,
    arbitrary: fc.tuple(
      fc.mixedCase(fc.constant('application/json')),
      fc.constantFrom('', ';', '; charset=utf-8', ';charset=UTF-8', '; charset=x', '; charset="utf-8"', ' ; charset=utf-8', '; foo')
    ).map(([type, parameters]): ContentType => ({ kind: 'json', value: type + parameters }))
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'application/json5', 'application/jsonx', 'application/json-seq', 'application/x-json', 'text/json', 'json', 'application',
      'application/', 'application/*', '*/*', 'text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x', 'application/vnd.api+json', 'application/ld+json', ''
    ).map((value): ContentType => ({ kind: 'other', value }))
  },
  { weight: 2, arbitrary: fc.constant<ContentType>({ kind: 'absent' }) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constantFrom<string | string[]>(
        ['application/json', 'application/json'], ['text/plain', 'application/json'], ['application/json', 'text/plain'],
        'application/json, text/plain', 'application/json;charset=utf-8;charset=latin1'
      ),
      visibleAscii(40)
    ).map((value): ContentType => ({ kind: 'ambiguous', value }))
  }
)

const validSignature = fc.constantFrom<0 | 1>(0, 1).map((secret): SignatureRecipe => ({ how: 'valid', secret }))

/** Every way of not carrying a valid signature. */
const invalidSignature: fc.Arbitrary<SignatureRecipe> = fc.oneof(
  fc.constant<SignatureRecipe>({ how: 'absent' }),
  fc.constant<SignatureRecipe>({ how: 'wrong secret' }),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map((extra): SignatureRecipe => ({ how: 'signs another body', extra: Buffer.from(extra) })),
  fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) })
    .map((change): SignatureRecipe => ({ how: 'signs the body with one byte changed', ...change })),
  fc.integer({ min: 1, max: 51 }).map((drop): SignatureRecipe => ({ how: 'truncated', drop })),
  fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 8 }).map((suffix): SignatureRecipe => ({ how: 'extended', suffix })),
  fc.record({ at: fc.nat(), shift: fc.integer({ min: 1, max: 63 }) }).map((change): SignatureRecipe => ({ how: 'one digest character changed', ...change })),
  fc.constantFrom('SHA256=', 'Sha256=', 'sha-256=', 'sha1=', 'sha512=', '', 'sha256:', 'sha256= ', 'sha256=sha256=')
    .map((prefix): SignatureRecipe => ({ how: 'other prefix', prefix })),
  fc.constant<SignatureRecipe>({ how: 'base64url' }),
  fc.constant<SignatureRecipe>({ how: 'hex' }),
  fc.record({ second: fc.constantFrom<'same' | 'random'>('same', 'random'), random: visibleAscii(50) })
    .map((repeat): SignatureRecipe => ({ how: 'repeated header', ...repeat })),
  fc.constant<SignatureRecipe>({ how: 'comma-joined' }),
  fc.oneof(visibleAscii(60), fc.base64String({ minLength: 44, maxLength: 44 }).map((digest) => `sha256=${digest}`))
    .map((value): SignatureRecipe => ({ how: 'random', value }))
)

const anySignature = fc.oneof({ weight: 1, arbitrary: validSignature }, { weight: 2, arbitrary: invalidSignature })

/** Headers that should change nothing, including a near-miss of the signature header's name. */
const otherHeaders: fc.Arbitrary<Record<string, string>> = fc.tuple(
  fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,12}$/), visibleAscii(40), { maxKeys: 3 }),
  fc.subarray([
    ['accept', '*/*'], ['accept-encoding', 'gzip, br'], ['content-encoding', 'gzip'], ['user-agent', 'Twitter-Webhooks/1.0'],
    ['x-forwarded-for', '203.0.113.9'], ['x-twitter-webhooks-signature-oauth2', 'sha256=AAAA'], ['expect', 'nothing']
  ] as Array<[string, string]>)
).map(([random, known]) => ({ ...random, ...Object.fromEntries(known) }))

// Query strings. Values are built from characters the URL parser passes through untouched, so that the plugin sees
// exactly the query generated here: token characters as they are, everything else percent-encoded.

const tokenShaped = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 8, maxLength: 256 })
const FOREIGN_CHARS = [' ', '%', '&', '.', '~', '!', '"', '{', '}', ':', ',', 'é', '\u0000', '\n', '😀', '?', '#']

/** Strings a CRC route might be asked to sign: tokens, near-tokens, JSON bodies (the forgery), anything. */
const crcCandidate: fc.Arbitrary<string> = fc.oneof(
  tokenShaped,
  fc.constantFrom('challenge_string', 'short', ''),
  fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), maxLength: 7 }),
  fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 257, maxLength: 300 }),
  fc.tuple(tokenShaped, fc.constantFrom(...FOREIGN_CHARS), fc.nat()).map(([token, char, at]) => {
    const position = at % (token.length + 1)
    return token.slice(0, position) + char + token.slice(position)
  }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fixtureBody.map(({ bytes }) => bytes.toString('utf8')),
  fc.string({ unit: 'grapheme', maxLength: 40 })
)

function percentEncodeEveryByte (text: string, lowerCase: boolean): string {
  const hex = Buffer.from(text).toString('hex')
  const encoded = hex.replace(/../g, '%$&')
  return lowerCase ? encoded : encoded.toUpperCase()
}

/** A query value exactly as sent (not decoded). */
const queryValue: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(crcCandidate, fc.constantFrom('component', 'raw if possible', 'every byte', 'every byte, lower case'))
    .map(([candidate, encoding]) => {
      if (encoding === 'component') return encodeURIComponent(candidate)
      if (encoding === 'raw if possible') return [...candidate].every((char) => TOKEN_CHARS.includes(char)) ? candidate : encodeURIComponent(candidate)
      return percentEncodeEveryByte(candidate, encoding === 'every byte, lower case')
    }),
  // Escapes that do not decode: truncated, not hex, invalid UTF-8, an encoded lone surrogate.
  fc.array(fc.oneof(
    fc.constantFrom('%', '%G1', '%2', '%E0%A4', '%FF', '%C3', '%ED%A0%80', '%00'),
    fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), maxLength: 12 })
  ), { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''))
)

const queryName = fc.oneof(
  { weight: 2, arbitrary: fc.constant('crc_token') },
  { weight: 3, arbitrary: fc.constantFrom('CRC_TOKEN', 'crc_token_x', 'xcrc_token', 'crc%5Ftoken', 'crc_token%20', 'nonce', '') },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z_]{1,10}$/) }
)

const queryParam: fc.Arbitrary<string> = fc.tuple(queryName, fc.option(queryValue, { nil: undefined }))
  .map(([name, value]) => value === undefined ? name : `${name}=${value}`)

/** Mostly a token as X sends one (as is, or percent-encoded), else any value above. */
const crcTokenValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(tokenShaped, fc.boolean()).map(([token, encode]) => encode ? encodeURIComponent(token) : token) },
  { weight: 2, arbitrary: queryValue }
)

/** A query that names crc_token at least once, among other parameters (crc_token again, now and then). */
const crcQuery: fc.Arbitrary<string> = fc.tuple(
  fc.array(queryParam, { maxLength: 2 }), crcTokenValue, fc.array(queryParam, { maxLength: 2 })
).map(([before, value, after]) => [...before, `crc_token=${value}`, ...after].join('&'))

/** Characters the URL parser leaves alone in a query (no '#', no space, no quote, nothing non-ASCII). */
const RAW_QUERY_CHARS = [...`${TOKEN_CHARS}&=%.~!$()*,;:@/?|^{}[]\`\\`]

const queryArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: crcQuery },
  { weight: 1, arbitrary: fc.array(queryParam, { maxLength: 4 }).map((params) => params.join('&')) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...RAW_QUERY_CHARS), maxLength: 80 }) }
)

const methodArb = fc.oneof(
  { weight: 5, arbitrary: fc.constant<Method>('POST') },
  { weight: 2, arbitrary: fc.constantFrom<Method>('GET', 'HEAD') },
  { weight: 2, arbitrary: fc.constantFrom<Method>('PUT', 'DELETE', 'OPTIONS') }
)

function requestArb (parts: {
  method?: fc.Arbitrary<Method>
  contentType?: fc.Arbitrary<ContentType>
  signature?: fc.Arbitrary<SignatureRecipe>
  body?: fc.Arbitrary<Body>
} = {}): fc.Arbitrary<HostileRequest> {
  return fc.record({
    method: parts.method ?? methodArb,
    query: queryArb,
    contentType: parts.contentType ?? contentTypeArb,
    signature: parts.signature ?? anySignature,
    body: parts.body ?? anyBody,
    headers: otherHeaders
  }).map((request) => printable(request, describe))
}

// ---------------------------------------------------------------------------------------------------------------
// Oracles: what the contract says the answer must be, computed without the plugin's code.

/** Fastify's default JSON parser as the plugin runs it: UTF-8 only, BOM skipped, `__proto__` and constructor.prototype refused. */
function parseAsDelivered (bytes: Buffer): { ok: true, value: unknown } | { ok: false } {
  if (bytes.length === 0 || !isUtf8(bytes)) return { ok: false }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { ok: false }
  }
  return hasPrototypeKeys(value) ? { ok: false } : { ok: true, value }
}

/**
 * The rule of secure-json-parse with protoAction and constructorAction 'error' (Fastify's defaults, which the plugin
 * passes to getDefaultJsonParser): some object has an own `__proto__` key, or an own `constructor` key whose value is
 * an object with an own `prototype` key. Iterative: the bodies can be nested thousands deep.
 */
function hasPrototypeKeys (value: unknown): boolean {
  const pending = [value]
  while (pending.length > 0) {
    const node = pending.pop()
    if (typeof node !== 'object' || node === null) continue
    if (Object.hasOwn(node, '__proto__')) return true
    const constructor: unknown = Object.hasOwn(node, 'constructor') ? (node as { constructor: unknown }).constructor : undefined
    if (typeof constructor === 'object' && constructor !== null && Object.hasOwn(constructor, 'prototype')) return true
    pending.push(...Object.values(node))
  }
  return false
}

/**
 * What the CRC route may sign for this query. X's token is the one `crc_token` parameter, percent-decoded and
 * nothing else (a `+` stays a `+`). With several, answering 400 or signing one of the token-shaped values are both
 * acceptable. Anything not token-shaped is never signed.
 */
function crcTokens (query: string | undefined): { signable: string[], required: boolean } {
  const values = (query ?? '').split('&').filter((part) => part.startsWith('crc_token=')).map((part) => part.slice('crc_token='.length))
  const signable = values.map(decodeOrUndefined).filter((token): token is string => token !== undefined && TOKEN_SHAPE.test(token))
  return { signable, required: values.length === 1 && signable.length === 1 }
}

function decodeOrUndefined (value: string): string | undefined {
  try {
    return decodeURIComponent(value)
  } catch {
    return undefined
  }
}

/**
 * The statuses the contract allows for this request. Fixed by DESIGN.md §2 for the plugin's GET and POST, checked
 * in the order content type (415), size (413), signature (401), JSON (400). Other methods are not the plugin's:
 * Fastify answers 404 (never 405), unless the host app's own body parsers refuse the body first (400, 415).
 */
function allowedStatuses (request: HostileRequest, limit: number, accepted = 200): Set<number> {
  switch (request.method) {
    case 'GET':
    case 'HEAD': {
      const { signable, required } = crcTokens(request.query)
      return new Set(required ? [200] : signable.length > 0 ? [200, 400] : [400])
    }
    case 'POST': {
      const afterContentType = (): number => {
        if (request.body.bytes.length > limit) return 413
        if (request.signature.how !== 'valid') return 401
        return parseAsDelivered(request.body.bytes).ok ? accepted : 400
      }
      switch (request.contentType.kind) {
        case 'absent':
        case 'other': return new Set([415])
        case 'json': return new Set([afterContentType()])
        case 'ambiguous': return new Set([415, afterContentType()])
      }
      break
    }
    default: return new Set(request.contentType.value === undefined ? [404] : [404, 400, 415])
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Checks, throwing with the request and the answer in the message.

class PropertyViolation extends Error {
  constructor (what: string, request: HostileRequest | string, res?: LightMyRequestResponse) {
    const answer = res === undefined ? '' : `\n  answer: ${res.statusCode} ${JSON.stringify(res.headers)} ${res.body.slice(0, 300)}`
    super(`${what}\n  request: ${typeof request === 'string' ? request : describe(request)}${answer}`)
  }
}

function check (condition: boolean, what: string, request: HostileRequest | string, res?: LightMyRequestResponse): asserts condition {
  if (!condition) throw new PropertyViolation(what, request, res)
}

/** Error answers are JSON `{ statusCode, code, error, message }`; Fastify's own 404 has no code. */
function checkAnswerShape (request: HostileRequest, res: LightMyRequestResponse): void {
  if (request.method === 'HEAD') return check(res.body === '', 'a HEAD answer has no body', request, res)
  if (res.statusCode < 400) return
  check(/^application\/json/.test(String(res.headers['content-type'])), 'an error answer is JSON', request, res)
  const body = JSON.parse(res.body) as Record<string, unknown>
  const keys = Object.keys(body).sort().join()
  if (res.statusCode === 404) {
    check(keys === 'error,message,statusCode' && body.statusCode === 404, 'Fastify\'s not-found answer', request, res)
    return
  }
  check(keys === 'code,error,message,statusCode', 'an error answer has exactly statusCode, code, error, message', request, res)
  check(body.statusCode === res.statusCode && body.error === STATUS_CODES[res.statusCode], 'statusCode and error match the status', request, res)
  check(typeof body.code === 'string' && /^FST_/.test(body.code) && typeof body.message === 'string', 'a stable code and a message', request, res)
}

/** A 200 from the CRC route is exactly the response_token of an allowed token, signed with the first secret. */
function checkCrcAnswer (query: string | undefined, res: LightMyRequestResponse, request: HostileRequest | string): void {
  if (res.statusCode !== 200) return
  const { signable } = crcTokens(query)
  const body = res.json() as Record<string, unknown>
  check(Object.keys(body).join() === 'response_token', 'a CRC answer is { response_token }', request, res)
  check(signable.some((token) => body.response_token === crcResponseToken(token, SECRET)), 'the response_token signs the crc_token with the first secret', request, res)
}

async function holds<T> (t: Test, property: fc.IAsyncProperty<[T]>, numRuns: number): Promise<void> {
  const details = await fc.check(property, { numRuns, ...replay })
  if (!details.failed) {
    t.pass(`held for ${details.numRuns} generated inputs`)
    return
  }
  const { errorInstance } = details
  const violation = errorInstance instanceof Error ? errorInstance.message : String(errorInstance)
  t.fail(`counterexample: ${violation.split('\n')[0]}`, { diagnostic: true, violation, report: fc.defaultReportMessage(details) })
}

function counting (): { count: number, handler: () => void } {
  const counter = { count: 0, handler: () => { counter.count++ } }
  return counter
}

// ---------------------------------------------------------------------------------------------------------------
// Properties

/** DESIGN.md §2 for the plugin's routes; for other methods, what Fastify answers (see allowedStatuses). */
const DOCUMENTED: Record<Method, number[]> = {
  GET: [200, 400],
  HEAD: [200, 400],
  POST: [200, 400, 401, 413, 415],
  PUT: [404, 400, 415],
  DELETE: [404, 400, 415],
  OPTIONS: [404, 400, 415]
}

t.test('any request gets a documented answer, never a crash', async (t) => {
  const app = await build(t, { ...OPTIONS, bodyLimit: BODY_LIMIT })
  app.x.onAny(() => {})
  app.x.on('follow', async () => {})

  await holds(t, fc.asyncProperty(requestArb(), async (request) => {
    const res = await app.inject(toInject(request))
    const documented = DOCUMENTED[request.method]
    check(documented.includes(res.statusCode), `status ${res.statusCode} is not documented for ${request.method}`, request, res)
    const allowed = allowedStatuses(request, BODY_LIMIT)
    check(allowed.has(res.statusCode), `status ${res.statusCode}, expected ${[...allowed].join(' or ')}`, request, res)
    checkAnswerShape(request, res)
    if (request.method === 'GET') checkCrcAnswer(request.query, res, request)
    if (request.method === 'POST' && res.statusCode === 200) check(res.body === '', 'an accepted delivery has an empty answer', request, res)
  }), RUNS.anyRequest)

  // Still serving after all that.
  const follow = FIXTURES.find(({ name }) => name === 'xaa/follow.follow')?.raw
  t.ok(follow !== undefined && follow.length <= BODY_LIMIT, 'the xaa/follow.follow fixture fits in the limit')
  const res = await app.inject({ method: 'POST', url: PATH, payload: follow, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signPayload(follow ?? '', SECRET) } })
  t.equal(res.statusCode, 200, 'a valid delivery is still accepted afterwards')
})

t.test('without a valid signature no handler ever runs', async (t) => {
  const app = await build(t, { ...OPTIONS, bodyLimit: BODY_LIMIT })
  const ran = counting()
  app.x.onAny(ran.handler)
  for (const key of ['follow', 'post', 'xaa:*', 'aaa:*', 'stream:*', 'webhook:*', 'unknown', 'replay'] as const) app.x.on(key as never, ran.handler)
  app.x.onError(ran.handler)

  // Real deliveries are most of the bodies: those are the ones that would dispatch events if verification let them.
  const body = fc.oneof({ weight: 3, arbitrary: fixtureBody }, { weight: 2, arbitrary: anyBody })
  await holds(t, fc.asyncProperty(requestArb({ signature: invalidSignature, body }), async (request) => {
    const res = await app.inject(toInject(request))
    await nextTurn() // handlers that would run after the answer ('immediate' mode is not on, but be sure)
    check(ran.count === 0, `${ran.count} handler call(s) without a valid signature`, request, res)
    if (request.method === 'POST') check([401, 413, 415].includes(res.statusCode), 'an unsigned POST is refused (401, 413, 415)', request, res)
    const allowed = allowedStatuses(request, BODY_LIMIT)
    check(allowed.has(res.statusCode), `status ${res.statusCode}, expected ${[...allowed].join(' or ')}`, request, res)
  }), RUNS.unsigned)
})

t.test('never a 5xx while no handler fails', async (t) => {
  const app = await build(t, OPTIONS) // the default 1 MiB limit, so deeply nested bodies get through
  app.x.onAny(() => {})
  app.x.onAny(async () => 'a value nobody reads')
  app.x.on('follow', () => undefined)
  app.x.onError(() => { throw new Error('no handler fails, so onError is never called') })

  // Mostly validly signed JSON: the path that reaches normalisation and dispatch.
  const body = fc.oneof(fixtureBody, jsonBody, prototypeKeys, oddJson, deepJson(20_000), anyBody)
  const signature = fc.oneof({ weight: 4, arbitrary: validSignature }, { weight: 1, arbitrary: invalidSignature })
  await holds(t, fc.asyncProperty(requestArb({ body, signature }), async (request) => {
    const res = await app.inject(toInject(request))
    check(res.statusCode < 500, `status ${res.statusCode} although no handler failed`, request, res)
  }), RUNS.no5xx)
})

t.test('a failing handler answers exactly 500, and only when an event it matches was delivered', async (t) => {
  const app = await build(t, OPTIONS) // ack: 'after-handlers', the default
  // What the failing handler throws, and which handler fails, change per generated input.
  const failures: Record<string, () => unknown> = {
    'throws an Error': () => { throw new Error(HANDLER_DETAIL) },
    'rejects with an Error': async () => { throw new Error(HANDLER_DETAIL) },
    // Handlers are user code: they can throw anything, and nothing they throw may become a 2xx or leak.
    'throws a string': () => { throw HANDLER_DETAIL },
    // eslint-disable-next-line no-throw-literal
    'throws undefined': () => { throw undefined },
    // eslint-disable-next-line prefer-promise-reject-errors
    'rejects with null': () => Promise.reject(null),
    // eslint-disable-next-line no-throw-literal
    'throws an object': () => { throw { message: HANDLER_DETAIL } }
  }
  const targets = {
    any: () => true,
    follow: (event: AnyXEvent) => event.type === 'follow' || event.type.startsWith('follow.'),
    'xaa:profile.update': (event: AnyXEvent) => event.product === 'xaa' && (event.type === 'profile.update' || event.type.startsWith('profile.update.'))
  }
  let failing: { target: keyof typeof targets, failure: string } = { target: 'any', failure: 'throws an Error' }
  const fail = (target: keyof typeof targets) => () => failing.target === target ? (failures[failing.failure] as () => unknown)() : undefined
  app.x.onAny(fail('any'))
  app.x.on('follow', fail('follow'))
  app.x.on('xaa:profile.update', fail('xaa:profile.update'))
  const others = counting() // every matching handler runs, failures or not
  app.x.onAny(others.handler)

  const input = fc.record({
    target: fc.constantFrom(...Object.keys(targets) as Array<keyof typeof targets>),
    failure: fc.constantFrom(...Object.keys(failures)),
    request: requestArb({
      method: fc.constant('POST'),
      contentType: fc.constant({ kind: 'json', value: 'application/json' }),
      signature: validSignature,
      body: fc.oneof(fixtureBody, jsonBody, prototypeKeys)
    })
  }).map((value) => printable(value, ({ target, failure, request }) => `handler on ${target} ${failure}; ${describe(request)}`))

  await holds(t, fc.asyncProperty(input, async ({ target, failure, request }) => {
    failing = { target, failure }
    others.count = 0
    const res = await app.inject(toInject(request))
    const parsed = parseAsDelivered(request.body.bytes)
    if (!parsed.ok) return check(res.statusCode === 400, 'a body Fastify refuses is a 400', request, res)
    const events = normalizeDelivery(parsed.value)
    const expected = events.some(targets[target]) ? 500 : 200
    const what = `handler on ${target} ${failure}`
    check(res.statusCode === expected, `${what}: status ${res.statusCode}, expected ${expected} (events: ${events.map((e) => e.type).join()})`, request, res)
    check(others.count === events.length, `${what}: the other onAny handler ran ${others.count} times for ${events.length} events`, request, res)
    if (expected === 500) {
      check((res.json() as { code?: string }).code === 'FST_XWH_HANDLER_FAILED', `${what}: code FST_XWH_HANDLER_FAILED`, request, res)
      check(!res.body.includes(HANDLER_DETAIL), `${what}: the handler's words stay out of the answer`, request, res)
    }
  }), RUNS.failingHandler)
})

t.test('no answer and no log line ever contains a secret; no CRC token is logged at info or above', async (t) => {
  const logs = logCapture()
  const app = await build(t, { ...OPTIONS, bodyLimit: BODY_LIMIT }, { logger: { level: 'trace', stream: logs.stream } })
  // Failing handlers and a failing onError handler, so that the error paths log too.
  app.x.onAny(() => {})
  app.x.on('follow', () => { throw new Error('follow handler failed') })
  app.x.on('xaa:profile', async () => { throw new Error('profile handler failed') })
  app.x.onError(() => { throw new Error('onError failed too') })

  const body = fc.oneof(fixtureBody, anyBody)
  await holds(t, fc.asyncProperty(requestArb({ body }), async (request) => {
    const before = logs.lines.length
    const res = await app.inject(toInject(request))
    await nextTurn() // 'request completed' may be written after inject resolves
    const answer = JSON.stringify(res.headers) + res.body
    const lines = logs.lines.slice(before)
    for (const secret of [SECRET, OLD_SECRET]) {
      check(!answer.includes(secret), 'a secret in the answer', request, res)
      const leak = lines.find((line) => line.includes(secret))
      check(leak === undefined || (JSON.parse(leak) as { level: number }).level < 30, `a secret in a log line at info or above: ${leak}`, request, res)
      check(leak === undefined, `a secret in a log line (below info): ${leak}`, request, res)
    }
    // X's CRC tokens reach the plugin's routes in the query string. Long ones only, and only those the rest of the
    // query does not repeat (`nonce=T&crc_token=T` may log T as the nonce), so that a match is no coincidence.
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'POST') {
      const parts = (request.query ?? '').split('&')
      const rest = parts.filter((part) => !part.startsWith('crc_token=')).join('&')
      const tokens = parts.filter((part) => part.startsWith('crc_token=')).map((part) => part.slice('crc_token='.length))
        .flatMap((raw) => [raw, decodeOrUndefined(raw) ?? raw])
        .filter((token) => token.length >= 16 && !rest.includes(token) && !(decodeOrUndefined(rest) ?? rest).includes(token))
      const logged = lines.filter((line) => (JSON.parse(line) as { level: number }).level >= 30)
        .find((line) => tokens.some((token) => line.includes(token)))
      check(logged === undefined, `a crc_token in a log line at info or above: ${logged}`, request, res)
    }
  }), RUNS.secrets)

  await nextTurn()
  t.notOk(logs.lines.some((line) => line.includes(SECRET) || line.includes(OLD_SECRET)), 'no secret in any log line, late ones included')
  t.ok(logs.records().some((record) => record.level === 50), 'the error paths were exercised')
})

t.test('the CRC route signs exactly the token-shaped crc_token, with the first secret, and nothing else', async (t) => {
  const app = await build(t, OPTIONS)
  const input = fc.oneof({ weight: 4, arbitrary: crcQuery }, { weight: 1, arbitrary: queryArb })
    .map((query) => printable({ query }, ({ query }) => `GET ${urlOf(query)}`))

  await holds(t, fc.asyncProperty(input, async ({ query }) => {
    const request = `GET ${urlOf(query)}`
    const res = await app.inject({ method: 'GET', url: urlOf(query) })
    const { signable, required } = crcTokens(query)
    check(res.statusCode === 200 || res.statusCode === 400, `status ${res.statusCode}`, request, res)
    if (required) check(res.statusCode === 200, 'one token-shaped crc_token is answered 200', request, res)
    if (signable.length === 0) check(res.statusCode === 400, 'nothing token-shaped to sign: 400', request, res)
    checkCrcAnswer(query, res, request)
    // Not a signing oracle: no value of the query that is not token-shaped is ever signed, with either secret.
    if (res.statusCode === 200) {
      const token = (res.json() as { response_token: string }).response_token
      const values = (query ?? '').split(/[&=]/).flatMap((raw) => [raw, decodeOrUndefined(raw) ?? raw]).filter((value) => !TOKEN_SHAPE.test(value))
      for (const value of values) {
        check(token !== signPayload(value, SECRET) && token !== signPayload(value, OLD_SECRET), `signed ${JSON.stringify(value)}`, request, res)
      }
    } else {
      check((res.json() as { code?: string }).code?.startsWith('FST_XWH_') === true, 'a 400 of the plugin', request, res)
    }
  }), RUNS.crc)
})

t.test('every validly signed JSON value is accepted and its events carry it as the envelope', async (t) => {
  const app = await build(t, OPTIONS)
  let seen: AnyXEvent[] = []
  app.x.onAny((event) => { seen.push(event) })

  // Random JSON is almost always of no product's shape (an `unknown` event whose payload is the body itself), so real
  // deliveries with random fields added are generated too: their events' payloads are items, not the body.
  const fixtureWithExtras = fc.tuple(fixtureBody, fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }))
    .map(([{ bytes }, extras]) => ({ ...JSON.parse(bytes.toString('utf8')), ...extras }) as fc.JsonValue)
  // And `__proto__` / `constructor` keys, which fc.jsonValue() produces too rarely to rely on.
  const prototypeKeyed = fc.tuple(
    fc.constantFrom('__proto__', 'constructor'), fc.boolean(), fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 3 }), fc.boolean()
  ).map(([key, wrapInPrototype, inner, around, inArray]) => {
    const keyed = `{"around":${JSON.stringify(around)},${JSON.stringify(key)}:${wrapInPrototype ? `{"prototype":${JSON.stringify(inner)}}` : JSON.stringify(inner)}}`
    return JSON.parse(inArray ? `[${keyed}]` : keyed) as fc.JsonValue
  })
  const input = fc.record({
    value: fc.oneof({ weight: 3, arbitrary: fc.jsonValue() }, { weight: 1, arbitrary: fixtureWithExtras }, { weight: 1, arbitrary: prototypeKeyed }),
    secret: fc.constantFrom<0 | 1>(0, 1),
    contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8')
  }).map((value) => printable(value, ({ value, secret, contentType }) =>
    `POST ${contentType}, signed with secret #${secret}: ${JSON.stringify(value)}`))

  await holds(t, fc.asyncProperty(input, async ({ value, secret, contentType }) => {
    seen = []
    const raw = JSON.stringify(value)
    const request = `POST ${contentType}, signed with secret #${secret}: ${raw.slice(0, 300)}`
    const res = await app.inject({
      method: 'POST', url: PATH, payload: raw, headers: { 'content-type': contentType, [SIGNATURE_HEADER]: signPayload(raw, secret === 0 ? SECRET : OLD_SECRET) }
    })
    // JSON.parse of the exact text, not `value`: that is what a receiver gets (-0 is serialised as 0, for one).
    const parsed: unknown = JSON.parse(raw)
    if (hasPrototypeKeys(parsed)) {
      check(res.statusCode === 400, 'a prototype key is refused by Fastify\'s default parser: 400', request, res)
      check(seen.length === 0, 'and no handler runs', request, res)
      return
    }
    check(res.statusCode === 200, `status ${res.statusCode}, expected 200`, request, res)
    check(seen.length > 0, 'at least one event', request, res)
    const other = seen.find((event) => !isDeepStrictEqual(event.envelope, parsed))
    check(other === undefined, `every event's envelope is the parsed body (${other?.type} is not)`, request, res)
  }), RUNS.validDeliveries)
})
