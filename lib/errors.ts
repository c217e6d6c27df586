import createError from '@fastify/error'

// Every error a user can see carries a stable `code`; assert on it, never on the message. Messages say what went
// wrong and how to fix it, and never include a secret, a token or a request body.

export const FST_XWH_INVALID_OPTION = createError<'FST_XWH_INVALID_OPTION', 500, [string, string]>(
  'FST_XWH_INVALID_OPTION',
  'fastify-x-webhooks: invalid option "%s": %s',
  500,
  TypeError
)

export const FST_XWH_MISSING_CRC_TOKEN = createError(
  'FST_XWH_MISSING_CRC_TOKEN',
  'A CRC request must carry a crc_token query parameter',
  400
)

export const FST_XWH_INVALID_CRC_TOKEN = createError(
  'FST_XWH_INVALID_CRC_TOKEN',
  'The crc_token is not shaped like an X CRC token (8 to 256 characters from A-Z a-z 0-9 + / - _ =); it was not signed',
  400
)

export const FST_XWH_MISSING_SIGNATURE = createError<'FST_XWH_MISSING_SIGNATURE', 401, [string]>(
  'FST_XWH_MISSING_SIGNATURE',
  'The request has no %s header; X signs every delivery',
  401
)

export const FST_XWH_INVALID_SIGNATURE = createError<'FST_XWH_INVALID_SIGNATURE', 401, [string]>(
  'FST_XWH_INVALID_SIGNATURE',
  'The %s header does not match the body for any configured consumer secret',
  401
)

export const FST_XWH_UNSUPPORTED_MEDIA_TYPE = createError(
  'FST_XWH_UNSUPPORTED_MEDIA_TYPE',
  'X deliveries are application/json',
  415
)

export const FST_XWH_INVALID_BODY = createError(
  'FST_XWH_INVALID_BODY',
  'The body is not valid UTF-8 JSON',
  400
)

export const FST_XWH_HANDLER_FAILED = createError(
  'FST_XWH_HANDLER_FAILED',
  'A handler failed; X will deliver the event again',
  500
)

export const FST_XWH_SHUTTING_DOWN = createError(
  'FST_XWH_SHUTTING_DOWN',
  'The server is shutting down; X will deliver the event again',
  503
)

export const FST_XWH_INVALID_ROUTING_KEY = createError<'FST_XWH_INVALID_ROUTING_KEY', 500, [unknown, string]>(
  'FST_XWH_INVALID_ROUTING_KEY',
  'Invalid routing key %j: %s',
  500,
  TypeError
)

export const FST_XWH_ALREADY_REGISTERED = createError(
  'FST_XWH_ALREADY_REGISTERED',
  'fastify-x-webhooks is already registered in this scope (app.x exists); register it once per scope, or wrap each registration in its own plugin to serve several X apps',
  500
)

// The management client (lib/client). Input it refuses is never sent; XApiError (lib/client/errors.ts) is X's answer.

export const FST_XWH_INVALID_REQUEST = createError<'FST_XWH_INVALID_REQUEST', 400, [string, string]>(
  'FST_XWH_INVALID_REQUEST',
  'fastify-x-webhooks: refused before sending, invalid %s: %s',
  400,
  TypeError
)

export const FST_XWH_REQUEST_TIMEOUT = createError<'FST_XWH_REQUEST_TIMEOUT', 504, [string, number]>(
  'FST_XWH_REQUEST_TIMEOUT',
  'fastify-x-webhooks: %s timed out: no complete answer from X within %d ms; try again, or raise the client\'s timeout option',
  504
)

export const FST_XWH_REQUEST_FAILED = createError<'FST_XWH_REQUEST_FAILED', 502, [string, string, { cause: unknown }?]>(
  'FST_XWH_REQUEST_FAILED',
  'fastify-x-webhooks: %s could not reach X (%s); check the client\'s baseUrl, DNS and the network',
  502
)

export const FST_XWH_UNEXPECTED_RESPONSE = createError<'FST_XWH_UNEXPECTED_RESPONSE', 502, [string, string]>(
  'FST_XWH_UNEXPECTED_RESPONSE',
  'fastify-x-webhooks: %s succeeded but the answer is not one X documents (%s); is baseUrl pointing at the X API?',
  502
)

export const FST_XWH_NO_CLIENT = createError(
  'FST_XWH_NO_CLIENT',
  'app.x.client needs the bearerToken option: register the plugin with { bearerToken: process.env.X_BEARER_TOKEN }',
  500
)

// Recovery (app.x.recover, the recovery option, x-webhooks recover).

export const FST_XWH_RECOVERY_FAILED = createError<'FST_XWH_RECOVERY_FAILED', 500, [string, string]>(
  'FST_XWH_RECOVERY_FAILED',
  'fastify-x-webhooks: recovery of webhook %s failed: %s',
  500
)
