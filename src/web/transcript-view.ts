import { formatTimestamp } from './format.ts';
import type { WebSegment } from './messages.ts';

/** The elements of the task panel that show the transcript and its audio. */
export interface TranscriptElements {
  title: HTMLElement;
  list: HTMLOListElement;
  player: HTMLElement;
  audio: HTMLAudioElement;
}

/** Lists segments (live, then final) and plays the audio from a clicked segment. */
export interface TranscriptView {
  reset(): void;
  /** Appends a segment that just arrived. */
  addLive(segment: WebSegment): void;
  /** Replaces the list with the final transcript. */
  show(segments: WebSegment[]): void;
  /** Sets the audio to play from; null when no media is available (segments are then plain text). */
  setAudio(src: string | null): void;
}

/** Creates the view over the given elements. */
export function createTranscriptView(els: TranscriptElements): TranscriptView {
  let segments: WebSegment[] = [];
  let playable = false;
  let playing: HTMLElement | null = null;

  const item = (s: WebSegment): HTMLLIElement => {
    const li = document.createElement('li');
    const row = document.createElement(playable ? 'button' : 'div');
    row.className = 'segment';
    row.dataset.start = String(s.start);
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
    playing = null;
  };

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
      playable = false;
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
    show(final) {
      segments = [...final];
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
