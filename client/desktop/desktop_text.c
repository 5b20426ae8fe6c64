/*
 * Texts from the server's answers (see desktop_text.h).
 */
#include "desktop_text.h"

#include <glib.h>
#include <string.h>

#include "i18n.h"

const char *desktop_text_field(Spona__V1__PersonField *const *fields, size_t count,
                               const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (fields[i]->name != NULL && strcmp(fields[i]->name, name) == 0)
            return fields[i]->value;
    return NULL;
}

char *desktop_text_person_name(Spona__V1__PersonField *const *fields, size_t count)
{
    const char *first = desktop_text_field(fields, count, "first_name");
    const char *last = desktop_text_field(fields, count, "last_name");
    if (first == NULL && last == NULL)
        return g_strdup(_("(name hidden)"));
    return g_strdup_printf("%s %s", first != NULL ? first : "", last != NULL ? last : "");
}

char *desktop_text_search_hit(const Spona__V1__PersonSearchHit *hit)
{
    char *name = desktop_text_person_name(hit->fields, hit->n_fields);
    const char *jmbg = desktop_text_field(hit->fields, hit->n_fields, "jmbg");
    const char *birth = desktop_text_field(hit->fields, hit->n_fields, "birth_date");
    GString *line = g_string_new(name);
    if (jmbg != NULL && jmbg[0] != '\0')
        g_string_append_printf(line, ", JMBG %s", jmbg);
    if (birth != NULL && birth[0] != '\0')
        g_string_append_printf(line, _(", born %s"), birth);
    if (hit->case_id != NULL && hit->case_id[0] != '\0')
        g_string_append_printf(line, _(" (case, stage %s)"),
                               i18n_code_label("stage", hit->stage));
    else
        g_string_append(line, _(" (no open case)"));
    g_free(name);
    return g_string_free(line, FALSE);
}

char *desktop_text_referral(const Spona__V1__ReferralView *referral)
{
    /* the measure is plan_measures data: a partner without it sees the referral only */
    const char *measure = referral->measure != NULL && referral->measure[0] != '\0'
                              ? referral->measure
                              : _("(measure hidden from you)");
    return g_strdup_printf(_("%s to %s: %s%s, due %s, case %.8s"), measure,
                           referral->institution_code,
                           i18n_code_label("referral_status", referral->status),
                           referral->overdue ? _(" (overdue)") : "",
                           referral->due_date != NULL && referral->due_date[0]
                               ? referral->due_date
                               : _("(no date)"),
                           referral->case_id);
}

char *desktop_text_event(const Spona__V1__TimelineEvent *event)
{
    char date[11] = "";
    g_strlcpy(date, event->at != NULL ? event->at : "", sizeof(date));
    return g_strdup_printf("%s  %s  %s (%s): %s", date, i18n_code_label("event", event->kind),
                           event->username,
                           event->institution_code, event->summary);
}
