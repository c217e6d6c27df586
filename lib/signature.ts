import { createHmac, timingSafeEqual } from 'node:crypto'
import { FST_XWH_INVALID_CRC_TOKEN } from './errors.js'

/** One consumer secret, or several during a rotation (the first one signs CRC replies). */
export type ConsumerSecret = string | readonly string[]

const SIGNATURE_PREFIX = 'sha256='
// Canonical base64 of a 32-byte SHA-256 digest: 43 characters and one '=' of padding. The last character carries
// two unused bits, which must be zero, so that one signature has exactly one accepted spelling.
const BASE64_DIGEST = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/
// The CRC route signs with the same key and construction as event bodies, so signing arbitrary strings would let
// anyone forge deliveries. X's tokens are base64-ish; its documented example `challenge_string` must pass.
const CRC_TOKEN = /^[A-Za-z0-9+/\-_=]{8,256}$/

function digest (message: Buffer | string, secret: string): Buffer {
  return createHmac('sha256', secret).update(message).digest()
}

/** True when `token` looks like a token X sends in a CRC, and so may be signed. */
export function isCrcToken (token: unknown): token is string {
  return typeof token === 'string' && CRC_TOKEN.test(token)
}

/**
 * The `response_token` X expects in answer to a CRC: `sha256=` + base64(HMAC-SHA256(secret, token)).
 * Throws `FST_XWH_INVALID_CRC_TOKEN` for anything not shaped like a CRC token: it is never signed.
 */
export function crcResponseToken (token: string, secret: string): string {
  if (!isCrcToken(token)) throw new FST_XWH_INVALID_CRC_TOKEN()
  return SIGNATURE_PREFIX + digest(token, secret).toString('base64')
}

/** The `x-twitter-webhooks-signature` value X sends with `rawBody`: for tests, emulators and forwarders. */
export function signPayload (rawBody: Buffer | string, secret: string): string {
  return SIGNATURE_PREFIX + digest(rawBody, secret).toString('base64')
}

/**
 * True when `header` is the signature of the exact bytes `rawBody` under one of the secrets. Never throws: a
 * missing, repeated (array), malformed or wrong-length header is simply not valid. Compares in constant time.
 */
export function verifySignature (rawBody: Buffer | string, header: unknown, secretOrSecrets: ConsumerSecret): boolean {
  if (typeof header !== 'string' || !header.startsWith(SIGNATURE_PREFIX)) return false
  const encoded = header.slice(SIGNATURE_PREFIX.length)
  if (!BASE64_DIGEST.test(encoded)) return false
  const received = Buffer.from(encoded, 'base64')
  const secrets = typeof secretOrSecrets === 'string' ? [secretOrSecrets] : secretOrSecrets
  let valid = false
  // Every secret is tried, so the time taken does not tell which one matched.
  for (const secret of secrets) {
    if (typeof secret === 'string' && secret.length > 0 && timingSafeEqual(received, digest(rawBody, secret))) valid = true
  }
  return valid
}
