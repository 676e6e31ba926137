import { formatTimestamp } from './format.ts';
import type { WebSegment } from './messages.ts';

/** The elements of the task panel that show the transcript and its audio. */
export interface TranscriptElements {
  title: HTMLElement;
  list: HTMLOListElement;
  player: HTMLElement;
  audio: HTMLAudioElement;
  speakers: HTMLUListElement;
  copy: HTMLButtonElement;
}

/** A speaker's colour slot (0..7): SPEAKER_03 gets 3, so a speaker keeps its colour wherever it appears. */
export function speakerSlot(speaker: string, order: readonly string[]): number {
  const n = /(\d+)$/.exec(speaker)?.[1];
  return (n === undefined ? Math.max(0, order.indexOf(speaker)) : Number(n)) % 8;
}

/** The transcript as plain text, one line per segment, with speaker labels when there are any. */
export function transcriptText(segments: readonly WebSegment[]): string {
  return segments.map((s) => `${s.speaker ? `${s.speaker}: ` : ''}${s.text.trim()}`).join('\n');
}

/** Lists segments (live, then final) and plays the audio from a clicked segment. */
export interface TranscriptView {
  reset(): void;
  /** Appends a segment that just arrived. */
  addLive(segment: WebSegment): void;
  /** Replaces the list with the final transcript; `speakers` (with their speaking time) when it was diarized. */
  show(segments: WebSegment[], speakers?: ReadonlyArray<{ id: string; speaking_time?: number | null }> | null): void;
  /** Sets the audio to play from; null when no media is available (segments are then plain text). */
  setAudio(src: string | null): void;
}

/** Creates the view over the given elements. */
export function createTranscriptView(els: TranscriptElements): TranscriptView {
  let segments: WebSegment[] = [];
  let playable = false;
  let playing: HTMLElement | null = null;
  let order: string[] = []; // speakers in order of first appearance
  const slotOf = (speaker: string) => {
    if (!order.includes(speaker)) order.push(speaker);
    return speakerSlot(speaker, order);
  };

  const item = (s: WebSegment): HTMLLIElement => {
    const li = document.createElement('li');
    const row = document.createElement(playable ? 'button' : 'div');
    row.className = 'segment';
    row.dataset.start = String(s.start);
    if (s.speaker) {
      row.dataset.speaker = s.speaker;
      row.classList.add(`speaker-${slotOf(s.speaker)}`);
    }
    const time = document.createElement('span');
    time.className = 'segment-time';
    time.textContent = `${formatTimestamp(s.start)} – ${formatTimestamp(s.end)}`;
    const text = document.createElement('span');
    text.className = 'segment-text';
    if (s.speaker) {
      const who = document.createElement('span');
      who.className = 'segment-speaker';
      who.textContent = `${s.speaker}:`;
      text.append(who);
    }
    text.append(s.text.trim());
    row.append(time, text);
    if (row instanceof HTMLButtonElement) {
      row.type = 'button';
      row.setAttribute('aria-label', `Play from ${formatTimestamp(s.start)}: ${s.speaker ? `${s.speaker}: ` : ''}${s.text.trim()}`);
      row.addEventListener('click', () => {
        els.audio.currentTime = s.start;
        els.audio.play().catch((error: unknown) => console.warn('audio did not start:', error));
      });
    }
    li.append(row);
    return li;
  };
  const render = () => {
    els.list.replaceChildren(...segments.map(item));
    els.title.hidden = segments.length === 0;
    els.copy.hidden = segments.length === 0;
    playing = null;
  };
  const renderSpeakers = (speakers: ReadonlyArray<{ id: string; speaking_time?: number | null }>) => {
    els.speakers.replaceChildren(...speakers.map((sp) => {
      const li = document.createElement('li');
      const chip = document.createElement('span');
      chip.className = `speaker-chip speaker-${slotOf(sp.id)}`;
      const time = typeof sp.speaking_time === 'number' ? ` · ${formatTimestamp(sp.speaking_time).replace(/\.\d$/, '')}` : '';
      chip.textContent = `${sp.id}${time}`;
      li.append(chip);
      return li;
    }));
    els.speakers.hidden = speakers.length === 0;
  };

  els.copy.addEventListener('click', () => {
    const text = transcriptText(segments);
    const done = (ok: boolean) => {
      els.copy.textContent = ok ? 'Copied' : 'Copy failed';
      setTimeout(() => { els.copy.textContent = 'Copy text'; }, 2000);
    };
    navigator.clipboard.writeText(text).then(() => done(true), (error: unknown) => {
      console.warn('clipboard refused:', error);
      done(false);
    });
  });

  // Marks the segment being heard, so a listener can follow along.
  els.audio.addEventListener('timeupdate', () => {
    const t = els.audio.currentTime;
    const index = segments.findIndex((s) => t >= s.start && t < s.end);
    const row = index >= 0 ? (els.list.children[index]?.firstElementChild as HTMLElement | null) : null;
    if (row === playing) return;
    playing?.classList.remove('playing');
    row?.classList.add('playing');
    playing = row ?? null;
  });

  return {
    reset() {
      segments = [];
      order = [];
      playable = false;
      els.speakers.hidden = true;
      els.speakers.replaceChildren();
      els.audio.removeAttribute('src');
      els.audio.load();
      els.player.hidden = true;
      render();
    },
    addLive(segment) {
      // Partial segments from GET /tasks/:id and live frames can overlap by a segment or two.
      if (segment.id !== undefined && segments.some((s) => s.id === segment.id)) return;
      segments.push(segment);
      els.list.append(item(segment));
      els.title.hidden = false;
    },
    show(final, speakers) {
      segments = [...final];
      order = [];
      // The summary first, so its order (first appearance) fixes the colours.
      const listed = speakers && speakers.length > 0 ? speakers : [...new Set(final.flatMap((s) => (s.speaker ? [s.speaker] : [])))].map((id) => ({ id }));
      renderSpeakers(listed);
      render();
    },
    setAudio(src) {
      playable = src !== null;
      if (src) els.audio.src = src;
      els.player.hidden = !playable;
      render();
    },
  };
}
