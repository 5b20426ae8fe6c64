/*
 * A case's timeline: every record of the case in time order — opening, stage
 * changes, assessments, plan versions, referrals and their answers,
 * conferences, notes, outcomes, follow-ups and the person's consents — each
 * event shown only when the caller may read its data category (docs/cases.md).
 * Only case metadata (opening, stage changes) carries no category and is shown
 * to the whole team; a consent event carries the consent's category (a consent
 * to share health data tells of health data). Summaries are one line and carry
 * only data of the event's own category. hidden_categories names every
 * category the caller may not read, whatever the case holds, so an event left
 * out leaves nothing behind. A closed case's story ends at its close: what is
 * recorded of the person afterwards is not told through it. One audit record
 * (the pipeline's) names the categories shown.
 *
 * Every answer to a referral is an event of its own, at its own time, by the
 * user who gave it: a referral accepted and then completed shows two answers.
 * A follow-up is placed when it was recorded (the date checked is in its summary). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "case_records_util.h"
#include "handlers.h"
#include "handlers_util.h"
#include "statements.h"
#include "views.h"

/* The categories a timeline event can carry (a consent's: any of a person's data). */
#define TIMELINE_CATEGORIES POLICY_PERSON_CATEGORIES

/* A text as one line of at most 80 characters ("…" when cut). */
#define TIMELINE_EXCERPT(text)                                                             \
    "left(regexp_replace(" text ", '\\s+', ' ', 'g'), 80) ||"                              \
    " CASE WHEN length(regexp_replace(" text ", '\\s+', ' ', 'g')) > 80 THEN '…' ELSE '' END"

/* The separator of summary_params: excerpts have no tab (TIMELINE_EXCERPT makes every
 * white space one blank), codes, dates and numbers neither. */
#define TIMELINE_TAB "chr(9)"

/* The end of case $1's story: its close, or none while it is open. What is recorded of
 * the person afterwards (consents) is not told through the closed case. */
#define TIMELINE_END                                                                       \
    "(SELECT COALESCE(closed_at, 'infinity') FROM cases WHERE id = $1::uuid)"

/*
 * Every event of case $1 (person $2): at (for order), at as text, kind,
 * category ('' for case metadata), institution code, username, summary,
 * record id. Rows come through row-level security, so only the team's; the
 * text of notes, conferences, outcomes and follow-ups through their
 * category-aware views (sql/025: NULL, and so a NULL summary, when the caller
 * may not read the category; the C filter leaves such an event out anyway).
 */
#define TIMELINE_EVENTS                                                                    \
    "SELECT c.opened_at, 'case_opened', '', i.code, u.username,"                           \
    "       'case opened by ' || i.code, c.id::text, 'case_opened', i.code"                \
    "  FROM cases c JOIN institutions i ON i.id = c.lead_institution_id"                   \
    "  JOIN users u ON u.id = c.lead_user_id WHERE c.id = $1::uuid"                        \
    " UNION ALL "                                                                          \
    "SELECT s.changed_at,"                                                                 \
    "       CASE WHEN s.to_stage = 'closed' THEN 'case_closed'"                            \
    "            WHEN s.from_stage = 'closed' THEN 'case_reopened' ELSE 'stage_changed' END," \
    "       '', i.code, u.username, 'stage ' || s.from_stage || ' → ' || s.to_stage,"     \
    "       s.id::text, 'stage_changed', s.from_stage || " TIMELINE_TAB " || s.to_stage"    \
    "  FROM case_stage_changes s JOIN users u ON u.id = s.changed_by"                      \
    "  JOIN institutions i ON i.id = u.institution_id WHERE s.case_id = $1::uuid"          \
    " UNION ALL "                                                                          \
    "SELECT a.created_at, 'assessment', 'plan_measures', i.code, u.username,"              \
    "       'needs assessment v' || a.version || ' of ' || to_char(a.assessed_on, 'YYYY-MM-DD'),"\
    "       a.id::text, 'assessment',"                                                     \
    "       a.version || " TIMELINE_TAB " || to_char(a.assessed_on, 'YYYY-MM-DD')"         \
    "  FROM assessments a JOIN users u ON u.id = a.assessor"                               \
    "  JOIN institutions i ON i.id = u.institution_id WHERE a.case_id = $1::uuid"          \
    " UNION ALL "                                                                          \
    "SELECT p.created_at, 'plan_version', 'plan_measures', i.code, u.username,"            \
    "       'plan version ' || p.version || ': '"                                          \
    "       || (SELECT count(*) FROM plan_goals g WHERE g.plan_id = p.id) || ' goals, '"   \
    "       || (SELECT count(*) FROM plan_measures m WHERE m.plan_id = p.id) || ' measures',"\
    "       p.id::text, 'plan_version', p.version || " TIMELINE_TAB ""                     \
    "       || (SELECT count(*) FROM plan_goals g WHERE g.plan_id = p.id) || " TIMELINE_TAB ""\
    "       || (SELECT count(*) FROM plan_measures m WHERE m.plan_id = p.id)"              \
    "  FROM plans p JOIN users u ON u.id = p.created_by"                                   \
    "  JOIN institutions i ON i.id = u.institution_id WHERE p.case_id = $1::uuid"          \
    " UNION ALL "                                                                          \
    "SELECT r.created_at, 'referral', 'plan_measures', i.code, u.username,"                \
    "       'referral to ' || t.code || ': ' || " TIMELINE_EXCERPT("r.measure")            \
    "       || COALESCE(' (due ' || to_char(r.due_date, 'YYYY-MM-DD') || ')', ''),"        \
    "       r.id::text,"                                                                   \
    "       CASE WHEN r.due_date IS NULL THEN 'referral' ELSE 'referral_due' END,"         \
    "       t.code || " TIMELINE_TAB " || " TIMELINE_EXCERPT("r.measure")                  \
    "       || COALESCE(" TIMELINE_TAB " || to_char(r.due_date, 'YYYY-MM-DD'), '')"        \
    "  FROM referrals_for_caller r JOIN institutions t ON t.id = r.institution_id"         \
    "  JOIN users u ON u.id = r.created_by JOIN institutions i ON i.id = u.institution_id"  \
    " WHERE r.case_id = $1::uuid"                                                          \
    " UNION ALL "                                                                          \
    "SELECT a.at, 'referral_answer', 'plan_measures', t.code, COALESCE(u.username, ''),"   \
    "       t.code || ' ' || a.answer || ' the referral'"                                  \
    "       || CASE a.answer WHEN 'declined' THEN ': ' || " TIMELINE_EXCERPT(              \
        "COALESCE(r.decline_reason, '')")                                                  \
    "                        WHEN 'completed' THEN ': ' || " TIMELINE_EXCERPT(             \
        "COALESCE(r.result, '')") " ELSE '' END,"                                          \
    "       r.id::text, 'referral_' || a.answer,"                                          \
    "       t.code || CASE a.answer WHEN 'declined' THEN " TIMELINE_TAB " || " TIMELINE_EXCERPT(\
        "COALESCE(r.decline_reason, '')")                                                  \
    "                        WHEN 'completed' THEN " TIMELINE_TAB " || " TIMELINE_EXCERPT(\
        "COALESCE(r.result, '')") " ELSE '' END"                                           \
    "  FROM referrals_for_caller r JOIN institutions t ON t.id = r.institution_id"         \
    "  CROSS JOIN LATERAL (VALUES ('accepted', r.accepted_at, r.accepted_by),"             \
    "                             ('declined', r.declined_at, r.answered_by),"             \
    "                             ('completed', r.completed_at, r.answered_by))"           \
    "       AS a (answer, at, user_id)"                                                    \
    "  LEFT JOIN users u ON u.id = a.user_id"                                              \
    " WHERE r.case_id = $1::uuid AND a.at IS NOT NULL"                                     \
    " UNION ALL "                                                                          \
    "SELECT f.created_at, 'conference', 'case_notes', i.code, u.username,"                 \
    "       'conference held on ' || to_char(f.held_on, 'YYYY-MM-DD')"                     \
    "       || CASE WHEN f.decisions <> '' THEN ': ' || " TIMELINE_EXCERPT("f.decisions")  \
    "          ELSE '' END,"                                                               \
    "       f.id::text,"                                                                   \
    "       CASE WHEN f.decisions <> '' THEN 'conference_decisions' ELSE 'conference' END,"\
    "       to_char(f.held_on, 'YYYY-MM-DD') || CASE WHEN f.decisions <> '' THEN "          \
    TIMELINE_TAB " || " TIMELINE_EXCERPT("f.decisions") " ELSE '' END"                     \
    "  FROM case_conferences_for_caller f JOIN users u ON u.id = f.created_by"             \
    "  JOIN institutions i ON i.id = u.institution_id WHERE f.case_id = $1::uuid"          \
    " UNION ALL "                                                                          \
    "SELECT n.created_at, 'note', 'case_notes', i.code, u.username,"                       \
    "       'note by ' || i.code || ': ' || " TIMELINE_EXCERPT("n.text") ", n.id::text,"   \
    "       'note', i.code || " TIMELINE_TAB " || " TIMELINE_EXCERPT("n.text")              \
    "  FROM case_notes_for_caller n JOIN users u ON u.id = n.author"                       \
    "  JOIN institutions i ON i.id = n.institution_id WHERE n.case_id = $1::uuid"          \
    " UNION ALL "                                                                          \
    "SELECT o.created_at, 'outcome', 'outcomes', i.code, u.username,"                      \
    "       'outcome ' || o.kind || ' on ' || to_char(o.occurred_on, 'YYYY-MM-DD')"        \
    "       || CASE WHEN o.pathway <> '' THEN ' (' || o.pathway || ')' ELSE '' END,"       \
    "       o.id::text,"                                                                   \
    "       CASE WHEN o.pathway <> '' THEN 'outcome_pathway' ELSE 'outcome' END,"          \
    "       o.kind || " TIMELINE_TAB " || to_char(o.occurred_on, 'YYYY-MM-DD')"            \
    "       || CASE WHEN o.pathway <> '' THEN " TIMELINE_TAB " || o.pathway ELSE '' END"   \
    "  FROM outcomes_for_caller o JOIN users u ON u.id = o.recorded_by"                    \
    "  JOIN institutions i ON i.id = o.institution_id WHERE o.case_id = $1::uuid"          \
    " UNION ALL "                                                                          \
    "SELECT f.recorded_at, 'follow_up', 'outcomes', i.code, u.username,"                   \
    "       f.months || '-month follow-up of ' || o.kind || ' on '"                        \
    "       || to_char(f.checked_on, 'YYYY-MM-DD') || ': '"                                \
    "       || CASE WHEN f.still_employed THEN 'still employed' ELSE 'not employed' END,"  \
    "       o.id::text,"                                                                   \
    "       CASE WHEN f.still_employed THEN 'follow_up_employed'"                         \
    "            ELSE 'follow_up_not_employed' END,"                                      \
    "       f.months || " TIMELINE_TAB " || o.kind || " TIMELINE_TAB ""                    \
    "       || to_char(f.checked_on, 'YYYY-MM-DD')"                                        \
    "  FROM outcome_follow_ups_for_caller f JOIN outcomes_for_caller o ON o.id = f.outcome_id"\
    "  JOIN users u ON u.id = f.recorded_by JOIN institutions i ON i.id = u.institution_id"\
    " WHERE o.case_id = $1::uuid AND f.case_id = $1::uuid"                                 \
    " UNION ALL "                                                                          \
    "SELECT k.recorded_at, 'consent', k.category, i.code, u.username,"                    \
    "       'consent to ' || w.code || ' for ' || k.category || ' given on '"              \
    "       || to_char(k.given_on, 'YYYY-MM-DD'), k.id::text, 'consent_given',"            \
    "       w.code || " TIMELINE_TAB " || k.category || " TIMELINE_TAB ""                  \
    "       || to_char(k.given_on, 'YYYY-MM-DD')"                                          \
    "  FROM consents k JOIN institutions w ON w.id = k.institution_id"                     \
    "  JOIN users u ON u.id = k.recorded_by JOIN institutions i ON i.id = u.institution_id"\
    " WHERE k.person_id = $2::uuid AND k.recorded_at <= " TIMELINE_END                      \
    " UNION ALL "                                                                          \
    "SELECT k.withdrawn_at, 'consent', k.category, '', '',"                                \
    "       'consent to ' || w.code || ' for ' || k.category || ' withdrawn', k.id::text," \
    "       'consent_withdrawn', w.code || " TIMELINE_TAB " || k.category"                 \
    "  FROM consents k JOIN institutions w ON w.id = k.institution_id"                     \
    " WHERE k.person_id = $2::uuid AND k.withdrawn_at <= " TIMELINE_END

const struct db_statement timeline_statements[] = {
    {"timeline_events",
     "SELECT " CASE_RECORDS_TIMESTAMP("e.at") ", e.kind, e.category, e.institution_code,"
     "       e.username, e.summary, e.record_id, e.summary_code, e.summary_params"
     "  FROM (" TIMELINE_EVENTS ") AS e (at, kind, category, institution_code, username,"
     "                                   summary, record_id, summary_code, summary_params)"
     " ORDER BY e.at, e.record_id, e.kind"},
    {NULL, NULL},
};

/* The summary's parameters, tab-separated in text, into event's summary_params. */
static int timeline_params(const char *text, Spona__V1__TimelineEvent *event)
{
    if (text[0] == '\0')
        return 0;
    for (;;) {
        size_t length = strcspn(text, "\t");
        char *param = strndup(text, length);
        if (param == NULL ||
            views_append((void ***)&event->summary_params, &event->n_summary_params, param) != 0) {
            free(param);
            return -1;
        }
        if (text[length] == '\0')
            return 0;
        text += length + 1;
    }
}

/* One row of timeline_events as a TimelineEvent; NULL when out of memory. */
static Spona__V1__TimelineEvent *timeline_event_from_row(const PGresult *result, int row)
{
    Spona__V1__TimelineEvent *event = malloc(sizeof(*event));
    if (event == NULL)
        return NULL;
    spona__v1__timeline_event__init(event);
    char **texts[] = {&event->at,       &event->kind,    &event->category, &event->institution_code,
                      &event->username, &event->summary, &event->record_id,
                      &event->summary_code};
    int failed = case_records_row_texts(result, row, texts,
                                        (int)(sizeof(texts) / sizeof(texts[0]))) != 0 ||
                 timeline_params(PQgetvalue(result, row, 8), event) != 0;
    if (failed) {
        spona__v1__timeline_event__free_unpacked(event, NULL);
        return NULL;
    }
    return event;
}

/*
 * Appends the events of result whose category the caller may read (decisions
 * per category) to answer; ctx->record gets the categories shown and their clauses.
 */
static spona_status timeline_add_events(struct request_context *ctx, const PGresult *result,
                                        const struct policy_decision *decisions,
                                        Spona__V1__TimelineResponse *answer)
{
    for (int row = 0; row < PQntuples(result); row++) {
        const char *name = PQgetvalue(result, row, 2);
        int category = name[0] != '\0' ? policy_category_from_name(name) : -1;
        if (name[0] != '\0' && (category < 0 || !decisions[category].allowed))
            continue; /* a category this server no longer knows: shown to nobody */
        if (category >= 0) {
            ctx->record.disclosed |= POLICY_BIT(category);
            audit_add_clause(&ctx->record, decisions[category].clause_number);
        }
        Spona__V1__TimelineEvent *event = timeline_event_from_row(result, row);
        if (event == NULL ||
            views_append((void ***)&answer->events, &answer->n_events, event) != 0) {
            if (event != NULL)
                spona__v1__timeline_event__free_unpacked(event, NULL);
            return SPONA__V1__STATUS__INTERNAL;
        }
    }
    return SPONA__V1__STATUS__OK;
}

/*
 * Names in answer every category of events the caller may not read, whether the
 * case has such events or not: the list says what the caller may not see, never
 * what the person's case holds. ctx->record's denied gets them.
 */
static spona_status timeline_hidden(struct request_context *ctx,
                                    const struct policy_decision *decisions,
                                    Spona__V1__TimelineResponse *answer)
{
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++) {
        if (!(TIMELINE_CATEGORIES & POLICY_BIT(category)) || decisions[category].allowed)
            continue;
        ctx->record.denied |= POLICY_BIT(category);
        char *name = views_strdup(policy_category_name((enum policy_category)category));
        if (name == NULL || views_append((void ***)&answer->hidden_categories,
                                         &answer->n_hidden_categories, name) != 0) {
            free(name);
            return SPONA__V1__STATUS__INTERNAL;
        }
    }
    return SPONA__V1__STATUS__OK;
}

spona_status handle_timeline(struct request_context *ctx, const spona_request *request,
                             spona_response *response)
{
    (void)request;
    struct policy_decision decisions[POLICY_CATEGORY_COUNT];
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++)
        access_decide(ctx->policy, &ctx->subject, (enum policy_category)category,
                      POLICY_ACTION_READ, &decisions[category]);
    const char *params[] = {ctx->subject.case_id, ctx->subject.person_id};
    spona_status status;
    PGresult *result = request_query(ctx, "timeline_events", 2, params, &status);
    if (result == NULL)
        return status;
    Spona__V1__TimelineResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL) {
        PQclear(result);
        return SPONA__V1__STATUS__INTERNAL;
    }
    spona__v1__timeline_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_TIMELINE;
    response->timeline = answer; /* freed with the response, whatever the status */
    answer->case_id = views_strdup(ctx->subject.case_id);
    status = answer->case_id != NULL ? timeline_add_events(ctx, result, decisions, answer)
                                     : SPONA__V1__STATUS__INTERNAL;
    PQclear(result);
    if (status == SPONA__V1__STATUS__OK)
        status = timeline_hidden(ctx, decisions, answer);
    return status;
}
