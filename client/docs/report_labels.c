/*
 * The indicator report's words (see report_labels.h): indicator names and fixed
 * breakdowns are codes of the catalogs (kinds "indicator" and "breakdown"); a
 * breakdown with a number or a code in it is one sentence of the catalogs with
 * that part filled in.
 */
#include "report_labels.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "i18n_codes.h"

const char *report_label_indicator(const char *code)
{
    return i18n_code_label("indicator", code);
}

/* The part of breakdown after "prefix:", or NULL when it starts otherwise. */
static const char *report_label_after(const char *breakdown, const char *prefix)
{
    size_t length = strlen(prefix);
    return strncmp(breakdown, prefix, length) == 0 && breakdown[length] == ':'
               ? breakdown + length + 1
               : NULL;
}

const char *report_label_breakdown(struct doc_labels *labels, const char *breakdown, char *out,
                                   size_t out_size)
{
    const char *fixed = i18n_code_label("breakdown", breakdown);
    const char *rest;
    if (fixed != breakdown && strcmp(fixed, breakdown) != 0)
        return fixed;
    if ((rest = report_label_after(breakdown, "age")) != NULL)
        snprintf(out, out_size, _("aged %s"), rest);
    else if ((rest = report_label_after(breakdown, "months")) != NULL)
        snprintf(out, out_size, _("after %s months"), rest);
    else if ((rest = report_label_after(breakdown, "year")) != NULL)
        snprintf(out, out_size, _("year %s"), rest);
    else if ((rest = report_label_after(breakdown, "pathway")) != NULL)
        snprintf(out, out_size, "%s", i18n_code_label("pathway", rest));
    else if ((rest = report_label_after(breakdown, "group")) != NULL)
        snprintf(out, out_size, "%s", labels != NULL ? doc_labels_group(labels, rest) : rest);
    else if ((rest = report_label_after(breakdown, "institution")) != NULL)
        snprintf(out, out_size, "%s",
                 labels != NULL ? doc_labels_institution(labels, rest) : rest);
    else
        return breakdown;
    return out;
}

const char *report_label_value(const char *value)
{
    return strcmp(value, "n/a") == 0 ? _("not available") : value;
}
