/** The --help text: every option, the exit statuses and an example. */
export const USAGE = `usage: whisper-tasks transcribe [options] FILE
       (also: npm run -s transcribe -- [options] FILE)

Transcribes one audio or video file on this machine. The transcript goes to stdout (or --output);
a progress bar with the time left goes to stderr when it is a terminal.

options:
  -m, --model PATH         whisper.cpp model file or name (default: WHISPER_MODEL, ggml-base.en.bin in DATA_DIR/models)
  -f, --format FORMAT      json (default) | text | srt | vtt | verbose_json | tsv
  -o, --output FILE        write the transcript to FILE; the format follows its extension (.json .txt .srt .vtt .tsv)
  -l, --language CODE      spoken language, e.g. en, de, fr; auto (default) detects it
      --task TASK          transcribe (default) | translate (into English; needs a multilingual model)
      --word-timestamps    add word timings (json, verbose_json)
      --prompt TEXT        initial prompt: names, spellings or style to prime the model with
      --vad                skip silence with the Silero VAD model (WHISPER_VAD_MODEL)
      --threads N          CPU threads (default: WHISPER_THREADS, or up to 4)
      --verbose            print worker logs and full error details to stderr
  -h, --help               show this text

exit status: 0 done, 1 failed (one line on stderr), 2 usage error, 130 interrupted (Ctrl-C)

example: whisper-tasks transcribe --language de -o talk.srt talk.mp3`;
