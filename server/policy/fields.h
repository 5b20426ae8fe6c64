/*
 * The map of every stored personal field to its data category, with its type
 * and validation. The policy decides per category; this table says which
 * category a field is in. A test compares it with the columns of `persons`, so
 * a column added without a category fails the suite.
 */
#ifndef SPONA_FIELDS_H
#define SPONA_FIELDS_H

#include <stddef.h>

#include "policy.h"

enum field_type {
    FIELD_TEXT,
    FIELD_DATE,    /* YYYY-MM-DD */
    FIELD_BOOL,    /* "true" / "false" */
    FIELD_INT,
    FIELD_JMBG,    /* 13 digits, checksum, date and region checked (jmbg.c) */
    FIELD_SEX,     /* "F" / "M" */
    FIELD_LANGUAGE, /* a client language tag: bs, hr, sr-Latn, sr-Cyrl, en (docs/i18n.md) */
};

struct field_def {
    const char *name;              /* column of persons and wire name */
    enum policy_category category;
    enum field_type type;
    int required;                  /* must be given at creation */
    int address;                   /* withheld from all but the lead when the person is at risk */
};

extern const struct field_def person_fields[];
extern const size_t person_field_count;

/* Columns of persons that are bookkeeping, not personal data. NULL-terminated. */
extern const char *const person_system_columns[];

/* The field called name, or NULL. */
const struct field_def *fields_find(const char *name);

/*
 * Checks a value for a field (length at most 2000 bytes; type format). Returns
 * 0, or -1 with a message naming the field in err.
 */
int fields_validate(const struct field_def *field, const char *value, char *err,
                    size_t err_size);

#endif
