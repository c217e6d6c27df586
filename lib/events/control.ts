import { Type } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { createEvent, unknownEvent, type DeliveryContext } from './event.js'
import type { AnyXEvent } from './types.js'

const isReplayJobStatus = TypeCompiler.Compile(Type.Object({
  webhook_id: Type.String(),
  job_id: Type.String(),
  job_state: Type.Union([Type.Literal('Complete'), Type.Literal('Incomplete')])
}))

/** True for the message X sends to the webhook itself when a replay job ends. */
export function isControlDelivery (body: Record<string, unknown>): boolean {
  return 'replay_job_status' in body
}

/** `replay.complete` or `replay.incomplete`, from X's webhook service rather than from a product. */
export function normalizeControl (context: DeliveryContext): AnyXEvent[] {
  const status = context.body.replay_job_status
  if (!isReplayJobStatus.Check(status)) return [unknownEvent(context, 'webhook', status)]
  const type = status.job_state === 'Complete' ? 'replay.complete' : 'replay.incomplete'
  return [createEvent(context, 'webhook', type, `replay:${status.webhook_id}:${status.job_id}:${status.job_state}`, undefined, status)]
}
