import { describe, expect, it } from 'vitest';
import { webhookPayload, type WebhookTaskState } from '../../src/webhooks/webhook-events.ts';

describe('webhookPayload', () => {
  const failed: WebhookTaskState = {
    id: 'abc', status: 'failed', stage: 'decoding', percentage: 5, errorCode: 'MEDIA_UNREADABLE', errorUserMessage: 'The file could not be read.',
    errorTechnicalDetail: 'ffmpeg version 5.1.6 Copyright\n/srv/data/uploads/0f1e2d3c-aaaa-bbbb-cccc-123456789abc/media.mp3: Invalid data found when processing input',
  };

  it('sends the technical detail as polling does: no server paths, no ffmpeg banner', () => {
    const { data } = JSON.parse(webhookPayload('task.failed', failed, 'https://stt.example', '2026-12-02T00:00:00Z'));
    expect(data.error).toMatchObject({ error_code: 'MEDIA_UNREADABLE', user_message: 'The file could not be read.' });
    expect(data.error.technical_detail).toContain('Invalid data found when processing input');
    expect(data.error.technical_detail).not.toContain('/srv/data');
    expect(data.error.technical_detail).not.toContain('ffmpeg version');
    expect(data.links.self).toBe('https://stt.example/tasks/abc');
  });

  it('has no error object while the task has none', () => {
    const { data } = JSON.parse(webhookPayload('task.progress', { ...failed, status: 'processing', errorCode: null }, null, '2026-12-02T00:00:00Z'));
    expect(data.error).toBeNull();
  });
});
