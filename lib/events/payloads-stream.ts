/**
 * Filtered Stream webhook deliveries, and the replay-job status X sends to the webhook itself.
 */
import type { PostV2, UserV2 } from './payloads-xaa.js'

export interface StreamMatchingRule {
  id: string
  tag?: string
}

/** One matching Post; edited posts arrive again with a longer `edit_history_tweet_ids`. */
export interface StreamDelivery {
  data: PostV2
  /** Expansions requested when the stream was linked; a bag, since X adds kinds (media, polls…). */
  includes?: {
    users?: UserV2[]
    tweets?: PostV2[]
    [k: string]: unknown
  }
  matching_rules: StreamMatchingRule[]
  meta?: { replay?: boolean }
}

export interface ReplayJobStatus {
  webhook_id: string
  job_state: 'Complete' | 'Incomplete'
  job_state_description?: string
  job_id: string
}

/** Sent when a replay job ends, possibly before the last replayed events arrive. */
export interface ReplayJobStatusDelivery {
  replay_job_status: ReplayJobStatus
}
