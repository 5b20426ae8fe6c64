/*
 * Input as the CLI's users write it (docs/cli.md, "Local input"): dates as
 * dd.mm.yyyy, d.m.yyyy (a trailing dot allowed) or ISO yyyy-mm-dd, each checked to
 * be a real calendar date; sex as Ž/Z/F or M (Latin or Cyrillic Ж/М, either case);
 * yes/no as da/ne, yes/no, true/false (and Cyrillic да/не). Each is turned into
 * what the server takes: YYYY-MM-DD, F or M, true or false. Pure: no I/O.
 */
#ifndef SPONA_LOCAL_INPUT_H
#define SPONA_LOCAL_INPUT_H

#include <stddef.h>

/* text as a date into out (YYYY-MM-DD); 0, or -1 when it is not a real date 1900-2199. */
int local_date(const char *text, char out[11]);

/* text as sex into out ("F" or "M"); 0, or -1 when it is neither. */
int local_sex(const char *text, char out[2]);

/* text as yes (1) or no (0) into *out; 0, or -1 when it is neither. */
int local_bool(const char *text, int *out);

/*
 * A person field's value as the server takes it: birth_date by local_date, sex by
 * local_sex, the yes/no fields (rural, work_capable, safety_flag) by local_bool,
 * language as a tag (bs, hr, sr-Latn, sr-Cyrl, en; a locale name such as sr_RS
 * too, docs/i18n.md); other fields unchanged. Returns value itself, or out (out_size bytes) holding the
 * converted text, or NULL with err naming the field and the forms accepted.
 */
const char *local_person_field(const char *name, const char *value, char *out, size_t out_size,
                               char *err, size_t err_size);

#endif
