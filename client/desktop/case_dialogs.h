/*
 * The case's writes as dialogs (docs/desktop.md, "Case actions"): add a note, refer to
 * an institution, record an outcome; and a referral's answers: decline with a reason,
 * complete with a result. Each sends its request off the main thread; on success the
 * dialog closes and written(data) is called (the page reloads), on a refusal the
 * dialog shows the server's message and keeps what was typed.
 */
#ifndef SPONA_DESKTOP_CASE_DIALOGS_H
#define SPONA_DESKTOP_CASE_DIALOGS_H

#include <stdint.h>

#include "desktop_context.h"

typedef void case_dialogs_written(gpointer data);

void case_dialogs_note(struct desktop_context *context, const char *case_id,
                       case_dialogs_written *written, gpointer data);

void case_dialogs_refer(struct desktop_context *context, const char *case_id,
                        case_dialogs_written *written, gpointer data);

void case_dialogs_outcome(struct desktop_context *context, const char *case_id,
                          case_dialogs_written *written, gpointer data);

/* complete 0: decline (asks the reason); 1: complete (asks the result). */
void case_dialogs_answer_referral(struct desktop_context *context, const char *referral_id,
                                  uint64_t version, int complete,
                                  case_dialogs_written *written, gpointer data);

#endif
