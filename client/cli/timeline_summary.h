/*
 * The one-line summary of a timeline event in the language of the CLI, from the code and
 * parameters the server sends (TimelineEvent.summary_code, docs/protocol.md), with the
 * labels of stages, categories and outcome kinds. The server's English summary when the
 * code is unknown (an older or newer server).
 */
#ifndef SPONA_CLI_TIMELINE_SUMMARY_H
#define SPONA_CLI_TIMELINE_SUMMARY_H

#include <stddef.h>

#include "envelope.h"

/* Writes the summary of event into out (size bytes, cut if longer). */
void timeline_summary(const Spona__V1__TimelineEvent *event, char *out, size_t size);

#endif
