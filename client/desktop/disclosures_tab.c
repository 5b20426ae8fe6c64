/*
 * The Disclosures tab (see disclosures_tab.h).
 */
#include "disclosures_tab.h"

#include "i18n.h"
#include "ui_util.h"
#include "work_call.h"

struct disclosures_tab {
    struct desktop_context *context;
    GtkWidget *box;
    GtkWidget *list;
    char *person_id;
    int loaded; /* the list is the current person's */
};

static void disclosures_tab_free(gpointer data)
{
    struct disclosures_tab *tab = data;
    g_free(tab->person_id);
    g_free(tab);
}

static void disclosures_clear(struct disclosures_tab *tab)
{
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child(tab->list)) != NULL)
        gtk_list_box_remove(GTK_LIST_BOX(tab->list), child);
}

/* "2026-12-03 10:15 · testgrad.zzz · zana · inbox · identity, plan and measures · clause 3 ·
   protocol version 2" */
static char *disclosures_line(const Spona__V1__Disclosure *disclosure)
{
    GString *line = g_string_new(NULL);
    char at[17];
    g_strlcpy(at, disclosure->at, sizeof(at));
    g_strdelimit(at, "T", ' ');
    g_string_append_printf(line, "%s · %s · %s · %s%s · ", at,
                           disclosure->institution_code, disclosure->username,
                           disclosure->action, disclosure->emergency ? _(" (emergency)") : "");
    for (size_t i = 0; i < disclosure->n_categories; i++)
        g_string_append_printf(line, "%s%s", i > 0 ? ", " : "",
                               i18n_code_label("category", disclosure->categories[i]));
    if (disclosure->n_categories == 0)
        g_string_append(line, "-");
    for (size_t i = 0; i < disclosure->n_clauses; i++)
        g_string_append_printf(line, i == 0 ? _(" · clause %u") : ", %u",
                               disclosure->clauses[i]);
    if (disclosure->protocol_version != 0)
        g_string_append_printf(line, _(" · protocol version %u"), disclosure->protocol_version);
    return g_string_free(line, FALSE);
}

static void disclosures_loaded(GtkWidget *list, const spona_response *response,
                               const char *error, int cancelled)
{
    struct disclosures_tab *tab = g_object_get_data(G_OBJECT(list), "disclosures-tab");
    disclosures_clear(tab);
    if (!work_call_ok(response) || response->disclosures == NULL) {
        tab->loaded = 0;
        gtk_list_box_append(GTK_LIST_BOX(list),
                            ui_list_row(cancelled ? _("Cancelled.")
                                                  : desktop_call_error_text(response, error)));
        return;
    }
    const Spona__V1__DisclosuresResponse *answer = response->disclosures;
    for (size_t i = 0; i < answer->n_disclosures; i++) {
        char *line = disclosures_line(answer->disclosures[i]);
        gtk_list_box_append(GTK_LIST_BOX(list), ui_list_row(line));
        g_free(line);
    }
    if (answer->n_disclosures == 0)
        gtk_list_box_append(GTK_LIST_BOX(list),
                            ui_list_row(_("No disclosure of this person's data is recorded")));
}

static void disclosures_load(struct disclosures_tab *tab)
{
    if (tab->person_id == NULL)
        return;
    tab->loaded = 1;
    disclosures_clear(tab);
    gtk_list_box_append(GTK_LIST_BOX(tab->list), ui_list_row(_("Loading the disclosures…")));
    Spona__V1__DisclosuresRequest body = SPONA__V1__DISCLOSURES_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    body.person_id = tab->person_id;
    request.body_case = SPONA__V1__REQUEST__BODY_DISCLOSURES;
    request.disclosures = &body;
    work_call_load(tab->context, _("Loading who saw the data"), &request, DESKTOP_CALL_READ,
                   tab->list, disclosures_loaded);
}

/* The tab is shown: load once per person. */
static void disclosures_on_map(GtkWidget *widget, gpointer data)
{
    struct disclosures_tab *tab = data;
    if (!tab->loaded)
        disclosures_load(tab);
}

static void disclosures_on_refresh(GtkButton *button, gpointer data)
{
    disclosures_load(data);
}

GtkWidget *disclosures_tab_new(struct desktop_context *context)
{
    struct disclosures_tab *tab = g_new0(struct disclosures_tab, 1);
    tab->context = context;
    tab->box = ui_page_box();
    g_object_set_data_full(G_OBJECT(tab->box), "disclosures-tab", tab, disclosures_tab_free);
    gtk_box_append(GTK_BOX(tab->box), ui_heading(_("Who saw this person's data")));
    GtkWidget *refresh = ui_button(_("Load the disclosures a_gain"));
    gtk_widget_set_halign(refresh, GTK_ALIGN_START);
    g_signal_connect(refresh, "clicked", G_CALLBACK(disclosures_on_refresh), tab);
    gtk_box_append(GTK_BOX(tab->box), refresh);
    tab->list = gtk_list_box_new();
    gtk_list_box_set_selection_mode(GTK_LIST_BOX(tab->list), GTK_SELECTION_NONE);
    ui_set_accessible_name(tab->list, _("Disclosures"));
    g_object_set_data(G_OBJECT(tab->list), "disclosures-tab", tab);
    GtkWidget *scroll = gtk_scrolled_window_new();
    gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), tab->list);
    gtk_widget_set_vexpand(scroll, TRUE);
    gtk_box_append(GTK_BOX(tab->box), scroll);
    g_signal_connect(tab->box, "map", G_CALLBACK(disclosures_on_map), tab);
    return tab->box;
}

void disclosures_tab_set_person(GtkWidget *widget, const char *person_id)
{
    struct disclosures_tab *tab = g_object_get_data(G_OBJECT(widget), "disclosures-tab");
    g_free(tab->person_id);
    tab->person_id = g_strdup(person_id);
    tab->loaded = 0;
    disclosures_clear(tab);
    gtk_widget_set_visible(widget, g_strcmp0(tab->context->institution_role, "lead_agency") == 0);
    if (gtk_widget_get_mapped(widget))
        disclosures_load(tab);
}
