// whisper_full's abort and encoder-begin callbacks, reading a stop flag in native memory that the
// worker's JS thread sets. whisper.cpp asks before every encoder and decoder pass; a JS callback would
// park the compute thread until the JS thread is free to answer (koffi relays calls from other threads).
// The flag lives in C-allocated memory, never in memory a JS garbage collector could move or free.
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

void * whisper_tasks_flag_new(void) {
    atomic_int * flag = malloc(sizeof(atomic_int));
    if (flag) atomic_init(flag, 0);
    return flag;
}

void whisper_tasks_flag_set(void * flag, int value) {
    atomic_store_explicit((atomic_int *) flag, value, memory_order_relaxed);
}

bool whisper_tasks_should_abort(void * flag) {
    return atomic_load_explicit((atomic_int *) flag, memory_order_relaxed) != 0;
}

bool whisper_tasks_encoder_begin(void * ctx, void * state, void * flag) {
    (void) ctx;
    (void) state;
    return !whisper_tasks_should_abort(flag);
}
