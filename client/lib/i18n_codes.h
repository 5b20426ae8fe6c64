/*
 * The protocol's codes that the clients show by their label (docs/i18n.md, "Codes and
 * their labels"): every stage, status, category, measure kind, outcome kind, relation,
 * benefit kind and role, with its English label; the catalogs translate each in the
 * context of its kind (msgctxt "stage", "goal_status", ...).
 */
#ifndef SPONA_I18N_CODES_H
#define SPONA_I18N_CODES_H

struct i18n_code {
    const char *kind; /* the msgctxt: "stage", "measure_kind", ... */
    const char *code; /* "planning", "job_search_support", ... */
};

/* Every code, ended by a row of NULLs. */
extern const struct i18n_code i18n_codes[];

#endif
