import type { Generated } from 'kysely';
import type { IdempotencyKeyRow, TaskWebhookRow, WebhookAttemptRow, WebhookDeliveryRow } from './webhook-tables.ts';

/** A row of `tasks`; JSON columns hold text, times hold ISO 8601 UTC strings. */
export interface TaskRow {
  id: string;
  status: string;
  progress_stage: string;
  progress_percentage: number;
  progress_message: string;
  file_name: string;
  media_path: string | null;
  media_duration: number | null;
  params: string; // JSON TaskParams
  language: string | null;
  language_probability: number | null;
  result: string | null; // JSON TranscriptResult
  error_code: string | null;
  error_user_message: string | null;
  error_technical_detail: string | null;
  attempts: Generated<number>;
  owner: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  updated_at: string;
  /** The node running the task (ROLE=worker), and until when its lease holds (ms since the epoch). */
  lease_owner: Generated<string | null>;
  lease_expires_ms: Generated<number | null>;
  /** 1 once any node has asked the running task to stop. */
  cancel_requested: Generated<number>;
}

/** A row of `segments`: one transcript segment of a running task, saved as it arrives. */
export interface SegmentRow {
  task_id: string;
  idx: number;
  json: string; // JSON Segment
}

/** A row of `cluster_nodes`: a worker node's last heartbeat. */
export interface ClusterNodeRow {
  node_id: string;
  ready_workers: number;
  state: string; // JSON NodeState (src/cluster/roster.ts)
  seen_ms: number;
}

/** The schema Kysely checks queries against. */
export interface Database {
  cluster_nodes: ClusterNodeRow;
  tasks: TaskRow;
  segments: SegmentRow;
  task_webhooks: TaskWebhookRow;
  webhook_deliveries: WebhookDeliveryRow;
  webhook_attempts: WebhookAttemptRow;
  idempotency_keys: IdempotencyKeyRow;
}
