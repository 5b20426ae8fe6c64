/*
 * The functions of each stream in the engine's table (sync_streams.c); each stream
 * is its own file: stream_crl.c (down), stream_audit_heads.c and stream_sync_status.c (up).
 */
#ifndef SPONA_SYNC_STREAMS_H
#define SPONA_SYNC_STREAMS_H

#include "stream_audit_heads.h"
#include "stream_crl.h"
#include "stream_sync_status.h"

#endif
