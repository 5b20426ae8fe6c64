/*
 * The `crl` stream (down): the region's CRLs, numbered, each batch the whole PEM
 * (SyncCrl). Applied into sync_crl; after the batches (every run) the file the
 * municipal server reads ([sync] crl_file) is written from the database when it
 * differs (temporary file, fsync, rename) and the server is sent SIGHUP through its
 * pid file ([sync] server_pid_file), so a crash between the commit and the file heals
 * on the next run.
 */
#ifndef SPONA_STREAM_CRL_H
#define SPONA_STREAM_CRL_H

#include "sync_engine.h"

int stream_crl_apply(struct sync_run *run, uint64_t seq, const uint8_t *payload, size_t length,
                     char *why, size_t why_size);

int stream_crl_after(struct sync_run *run);

#endif
