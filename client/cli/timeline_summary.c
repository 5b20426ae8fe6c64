/*
 * Timeline summaries in the language of the CLI (see timeline_summary.h): one whole
 * sentence per summary code, the parameters in the order docs/protocol.md lists them.
 */
#include "timeline_summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "view.h"

/* Parameter i of event, or "" when the server sent fewer. */
static const char *param(const Spona__V1__TimelineEvent *event, size_t i)
{
    return i < event->n_summary_params ? event->summary_params[i] : "";
}

/* Summaries of the case itself, its assessments and plans; 0 when code is none of them. */
static int summary_case(const Spona__V1__TimelineEvent *event, const char *code, char *out,
                        size_t size)
{
    if (strcmp(code, "case_opened") == 0)
        snprintf(out, size, _("case opened by %s"), param(event, 0));
    else if (strcmp(code, "stage_changed") == 0)
        snprintf(out, size, _("stage %1$s → %2$s"), i18n_code_label("stage", param(event, 0)),
                 i18n_code_label("stage", param(event, 1)));
    else if (strcmp(code, "assessment") == 0)
        snprintf(out, size, _("needs assessment, version %1$s, of %2$s"), param(event, 0),
                 param(event, 1));
    else if (strcmp(code, "plan_version") == 0)
        snprintf(out, size, _("plan version %1$s (goals: %2$s, measures: %3$s)"),
                 param(event, 0), param(event, 1), param(event, 2));
    else if (strcmp(code, "conference") == 0)
        snprintf(out, size, _("conference held on %s"), param(event, 0));
    else if (strcmp(code, "conference_decisions") == 0)
        snprintf(out, size, _("conference held on %1$s: %2$s"), param(event, 0), param(event, 1));
    else if (strcmp(code, "note") == 0)
        snprintf(out, size, _("note by %1$s: %2$s"), param(event, 0), param(event, 1));
    else
        return 0;
    return 1;
}

/* Summaries of referrals and their answers; 0 when code is none of them. */
static int summary_referral(const Spona__V1__TimelineEvent *event, const char *code,
                            char *out, size_t size)
{
    char words[512]; /* a plan measure's "KIND: ..." with the kind's label */
    const char *measure = view_measure_words(param(event, 1), words, sizeof(words));
    if (strcmp(code, "referral") == 0)
        snprintf(out, size, _("referral to %1$s: %2$s"), param(event, 0), measure);
    else if (strcmp(code, "referral_due") == 0)
        snprintf(out, size, _("referral to %1$s: %2$s (due %3$s)"), param(event, 0), measure,
                 param(event, 2));
    else if (strcmp(code, "referral_accepted") == 0)
        snprintf(out, size, _("%s accepted the referral"), param(event, 0));
    else if (strcmp(code, "referral_declined") == 0)
        snprintf(out, size, _("%1$s declined the referral: %2$s"), param(event, 0),
                 param(event, 1));
    else if (strcmp(code, "referral_completed") == 0)
        snprintf(out, size, _("%1$s completed the referral: %2$s"), param(event, 0),
                 param(event, 1));
    else
        return 0;
    return 1;
}

/* Summaries of outcomes, follow-ups and consents; 0 when code is none of them. */
static int summary_outcome(const Spona__V1__TimelineEvent *event, const char *code,
                           char *out, size_t size)
{
    const char *kind = i18n_code_label("outcome_kind", param(event, 1));
    unsigned long months = strtoul(param(event, 0), NULL, 10);
    if (strcmp(code, "outcome") == 0)
        snprintf(out, size, _("outcome %1$s on %2$s"),
                 i18n_code_label("outcome_kind", param(event, 0)), param(event, 1));
    else if (strcmp(code, "outcome_pathway") == 0)
        snprintf(out, size, _("outcome %1$s on %2$s (%3$s)"),
                 i18n_code_label("outcome_kind", param(event, 0)), param(event, 1),
                 i18n_code_label("pathway", param(event, 2)));
    else if (strcmp(code, "follow_up_employed") == 0)
        snprintf(out, size,
                 i18n_n("follow-up %1$s month after %2$s, on %3$s: still employed",
                        "follow-up %1$s months after %2$s, on %3$s: still employed", months),
                 param(event, 0), kind, param(event, 2));
    else if (strcmp(code, "follow_up_not_employed") == 0)
        snprintf(out, size,
                 i18n_n("follow-up %1$s month after %2$s, on %3$s: not employed",
                        "follow-up %1$s months after %2$s, on %3$s: not employed", months),
                 param(event, 0), kind, param(event, 2));
    else if (strcmp(code, "consent_given") == 0)
        snprintf(out, size, _("consent to %1$s for %2$s given on %3$s"), param(event, 0),
                 i18n_code_label("category", param(event, 1)), param(event, 2));
    else if (strcmp(code, "consent_withdrawn") == 0)
        snprintf(out, size, _("consent to %1$s for %2$s withdrawn"), param(event, 0),
                 i18n_code_label("category", param(event, 1)));
    else
        return 0;
    return 1;
}

void timeline_summary(const Spona__V1__TimelineEvent *event, char *out, size_t size)
{
    const char *code = event->summary_code != NULL ? event->summary_code : "";
    if (!summary_case(event, code, out, size) && !summary_referral(event, code, out, size) &&
        !summary_outcome(event, code, out, size))
        snprintf(out, size, "%s", event->summary);
}
