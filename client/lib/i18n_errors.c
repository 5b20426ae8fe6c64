/*
 * Refusals from error codes (see i18n_errors.h). Each known code has a message with up
 * to three %s, filled with parameters by name; parameters that are codes (a category, a
 * field, a record) are shown by their labels.
 */
#include "i18n_errors.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"

struct i18n_error {
    const char *code;
    const char *message;   /* N_(): translated when used */
    const char *params[3]; /* names of the parameters for the %s, in order */
    const char *kinds[3];  /* code kind of each for its label, or NULL: as given */
};

static const struct i18n_error i18n_errors[] = {
    { "case_closed", N_("the case is closed: it takes no more records (reopen it first)"),
      { NULL, NULL }, { NULL, NULL } },
    { "session_required", N_("this request needs a session: log in first"), { NULL, NULL },
      { NULL, NULL } },
    { "session_expired", N_("session expired or ended: log in again"), { NULL, NULL },
      { NULL, NULL } },
    { "database_unavailable", N_("the database is unavailable; try again"), { NULL, NULL },
      { NULL, NULL } },
    { "consent_required",
      N_("the person's consent is needed to share %s (clause %s of the protocol)"),
      { "category", "clause" }, { "category", NULL } },
    { "not_on_team", N_("only the case team may access %s (clause %s of the protocol)"),
      { "category", "clause" }, { "category", NULL } },
    { "no_clause", N_("no clause of the protocol allows your institution access to %s"),
      { "category", NULL }, { "category", NULL } },
    { "excluded", N_("you are excluded from this case"), { NULL, NULL }, { NULL, NULL } },
    { "protected_address", N_("the address is protected: only the lead agency sees it"),
      { NULL, NULL }, { NULL, NULL } },
    { "no_protocol", N_("no protocol is in force in this municipality"), { NULL, NULL },
      { NULL, NULL } },
    { "coordinator_only", N_("only the protocol coordinator may access %s"),
      { "category", NULL }, { "category", NULL } },
    { "not_visible", N_("no such record that you may see (%s)"), { "record", NULL },
      { "record", NULL } },
    { "version_conflict",
      N_("%s was changed meanwhile: the current version is %s (show it again, then retry)"),
      { "record", "version" }, { "record", NULL } },
    { "stage_move_invalid", N_("the case cannot move from stage %s to stage %s"),
      { "from", "to" }, { "stage", "stage" } },
    { "referral_state", N_("the referral is %s: this needs a referral that is %s"),
      { "state", "needed" }, { "referral_status", "referral_status" } },
    { "referral_not_yours",
      N_("the referral is addressed to another institution: only it may answer"),
      { NULL, NULL }, { NULL, NULL } },
    { "open_case_exists", N_("the person already has an open case"), { NULL, NULL },
      { NULL, NULL } },
    { "institution_unknown", N_("no such institution in this municipality"), { NULL, NULL },
      { NULL, NULL } },
    { "lead_agency_only", N_("only the lead agency may do this"), { NULL, NULL },
      { NULL, NULL } },
    { "field_required", N_("%s: required"), { "field", NULL }, { "field", NULL } },
    { "field_invalid", N_("%s: invalid value (see spona --help of the command)"),
      { "field", NULL }, { "field", NULL } },
    { "unauthenticated", N_("not logged in or the login was refused"), { NULL, NULL },
      { NULL, NULL } },
    { "unavailable", N_("the server is unavailable; try again"), { NULL, NULL },
      { NULL, NULL } },
    { "resource_exhausted", N_("the server is busy or the request is too large"),
      { NULL, NULL }, { NULL, NULL } },
    { "internal", N_("internal error of the server"), { NULL, NULL }, { NULL, NULL } },
    { "no_plan_yet", N_("the case has no plan yet: add a goal or a measure first"),
      { NULL, NULL }, { NULL, NULL } },
    { "priority_group_unknown",
      N_("priority groups: entry %s is not a priority group of the protocol in force (%s)"),
      { "entry", "groups" }, { NULL, NULL } },
    { "priority_group_repeated",
      N_("priority groups: entry %s repeats an earlier one (the protocol's groups: %s)"),
      { "entry", "groups" }, { NULL, NULL } },
    { "follow_up_window",
      N_("follow-up date: a %s-month follow-up is dated from %s to %s (that many months "
         "after the outcome, 14 days early or 3 months late at most)"),
      { "months", "first", "last" }, { NULL, NULL, NULL } },
    { "follow_up_outside",
      N_("follow-up date: outside the window of a %s-month follow-up (that many months "
         "after the outcome, 14 days early or 3 months late at most)"),
      { "months", NULL }, { NULL, NULL } },
    { "follow_up_future", N_("follow-up date: a follow-up is not dated in the future"),
      { NULL, NULL }, { NULL, NULL } },
};

const char *i18n_error_param(const spona_response *response, const char *name)
{
    for (size_t i = 0; i < response->n_error_params; i++)
        if (response->error_params[i]->name != NULL &&
            strcmp(response->error_params[i]->name, name) == 0)
            return response->error_params[i]->value != NULL ? response->error_params[i]->value
                                                            : "";
    return "";
}

/*
 * Writes format with its %s (or %1$s, %2$s) replaced by values and %% by '%' (not
 * printf: a catalog's message cannot ask for an argument that is not there).
 */
static void i18n_error_fill(const char *format, const char *const values[3], char *out,
                            size_t out_size)
{
    size_t used = 0, next = 0;
    for (const char *p = format; *p != '\0' && used + 1 < out_size; p++) {
        const char *value = NULL;
        if (p[0] == '%' && p[1] == '%') {
            value = "%";
            p++;
        } else if (p[0] == '%' && p[1] == 's') {
            value = next < 3 ? values[next++] : "";
            p++;
        } else if (p[0] == '%' && p[1] >= '1' && p[1] <= '3' && p[2] == '$' && p[3] == 's') {
            value = values[p[1] - '1'];
            p += 3;
        }
        if (value == NULL) {
            out[used++] = *p;
            continue;
        }
        int written = snprintf(out + used, out_size - used, "%s", value);
        used += written > 0 ? (size_t)written : 0;
        if (used >= out_size)
            used = out_size - 1;
    }
    out[used] = '\0';
}

int i18n_error_message(const spona_response *response, char *out, size_t out_size)
{
    const char *code = response->error_code;
    for (size_t i = 0; code != NULL && i < sizeof(i18n_errors) / sizeof(i18n_errors[0]); i++) {
        const struct i18n_error *error = &i18n_errors[i];
        if (strcmp(error->code, code) != 0)
            continue;
        const char *values[3] = { "", "", "" };
        for (size_t k = 0; k < 3 && error->params[k] != NULL; k++) {
            values[k] = i18n_error_param(response, error->params[k]);
            if (error->kinds[k] != NULL)
                values[k] = i18n_code_label(error->kinds[k], values[k]);
        }
        i18n_error_fill(i18n_gettext(error->message), values, out, out_size);
        return 1;
    }
    const char *message = response->message != NULL && response->message[0] != '\0'
                              ? response->message
                              : envelope_status_name(response->status);
    snprintf(out, out_size, "%s", message);
    return 0;
}
