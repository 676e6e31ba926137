/* Prints sizeof/offsetof of the whisper.h structs the koffi bindings mirror, as "key value" lines. */
#include <stddef.h>
#include <stdio.h>
#include "whisper.h"

#define SIZE(T, name) printf("%s.sizeof %zu\n", name, sizeof(T))
#define OFF(T, name, m) printf("%s.%s %zu\n", name, #m, offsetof(T, m))

int main(void) {
    SIZE(struct whisper_context_params, "context_params");
    OFF(struct whisper_context_params, "context_params", use_gpu);
    OFF(struct whisper_context_params, "context_params", flash_attn);
    OFF(struct whisper_context_params, "context_params", gpu_device);
    OFF(struct whisper_context_params, "context_params", dtw_token_timestamps);
    OFF(struct whisper_context_params, "context_params", dtw_aheads_preset);
    OFF(struct whisper_context_params, "context_params", dtw_n_top);
    OFF(struct whisper_context_params, "context_params", dtw_aheads);
    OFF(struct whisper_context_params, "context_params", dtw_mem_size);

    SIZE(struct whisper_aheads, "aheads");
    OFF(struct whisper_aheads, "aheads", n_heads);
    OFF(struct whisper_aheads, "aheads", heads);
    SIZE(struct whisper_ahead, "ahead");
    OFF(struct whisper_ahead, "ahead", n_text_layer);
    OFF(struct whisper_ahead, "ahead", n_head);

    SIZE(whisper_token_data, "token_data");
    OFF(whisper_token_data, "token_data", id);
    OFF(whisper_token_data, "token_data", tid);
    OFF(whisper_token_data, "token_data", p);
    OFF(whisper_token_data, "token_data", plog);
    OFF(whisper_token_data, "token_data", pt);
    OFF(whisper_token_data, "token_data", ptsum);
    OFF(whisper_token_data, "token_data", t0);
    OFF(whisper_token_data, "token_data", t1);
    OFF(whisper_token_data, "token_data", t_dtw);
    OFF(whisper_token_data, "token_data", vlen);

    SIZE(whisper_vad_params, "vad_params");
    OFF(whisper_vad_params, "vad_params", threshold);
    OFF(whisper_vad_params, "vad_params", min_speech_duration_ms);
    OFF(whisper_vad_params, "vad_params", min_silence_duration_ms);
    OFF(whisper_vad_params, "vad_params", max_speech_duration_s);
    OFF(whisper_vad_params, "vad_params", speech_pad_ms);
    OFF(whisper_vad_params, "vad_params", samples_overlap);

    SIZE(struct whisper_vad_context_params, "vad_context_params");
    OFF(struct whisper_vad_context_params, "vad_context_params", n_threads);
    OFF(struct whisper_vad_context_params, "vad_context_params", use_gpu);
    OFF(struct whisper_vad_context_params, "vad_context_params", gpu_device);

    SIZE(struct whisper_full_params, "full_params");
#define FP(m) OFF(struct whisper_full_params, "full_params", m)
    FP(strategy); FP(n_threads); FP(n_max_text_ctx); FP(offset_ms); FP(duration_ms);
    FP(translate); FP(no_context); FP(no_timestamps); FP(single_segment); FP(print_special);
    FP(print_progress); FP(print_realtime); FP(print_timestamps); FP(token_timestamps);
    FP(thold_pt); FP(thold_ptsum); FP(max_len); FP(split_on_word); FP(max_tokens);
    FP(debug_mode); FP(audio_ctx); FP(tdrz_enable); FP(suppress_regex); FP(initial_prompt);
    FP(carry_initial_prompt); FP(prompt_tokens); FP(prompt_n_tokens); FP(language);
    FP(detect_language); FP(suppress_blank); FP(suppress_nst); FP(temperature);
    FP(max_initial_ts); FP(length_penalty); FP(temperature_inc); FP(entropy_thold);
    FP(logprob_thold); FP(no_speech_thold); FP(greedy); FP(beam_search);
    FP(new_segment_callback); FP(new_segment_callback_user_data);
    FP(progress_callback); FP(progress_callback_user_data);
    FP(encoder_begin_callback); FP(encoder_begin_callback_user_data);
    FP(abort_callback); FP(abort_callback_user_data);
    FP(logits_filter_callback); FP(logits_filter_callback_user_data);
    FP(grammar_rules); FP(n_grammar_rules); FP(i_start_rule); FP(grammar_penalty);
    FP(vad); FP(vad_model_path); FP(vad_params);
    printf("full_params.beam_search.patience %zu\n",
           offsetof(struct whisper_full_params, beam_search) + offsetof(__typeof__(((struct whisper_full_params *)0)->beam_search), patience));
    return 0;
}
