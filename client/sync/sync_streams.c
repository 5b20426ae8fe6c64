/*
 * The streams spona-sync exchanges (docs/region.md, "Streams"): the engine's table.
 * A new stream is a row here and a file of its own (stream_<name>.c).
 */
#include "sync_engine.h"
#include "sync_streams.h"

const struct sync_stream sync_streams[] = {
    {"crl", SYNC_DOWN, stream_crl_apply, stream_crl_after, NULL},
    {"audit_heads", SYNC_UP, NULL, NULL, stream_audit_heads_produce},
    {"sync_status", SYNC_UP, NULL, NULL, stream_sync_status_produce},
    {NULL, SYNC_DOWN, NULL, NULL, NULL},
};
