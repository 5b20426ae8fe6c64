/*
 * Search as you type (see search_page.h).
 */
#include "search_page.h"

#include <string.h>

#include "desktop_call.h"
#include "desktop_text.h"
#include "i18n.h"
#include "register_dialog.h"
#include "ui_util.h"

#define SEARCH_DELAY_MS 250

struct search_page {
    struct desktop_context *context;
    GtkWidget *entry;
    GtkWidget *list;
    GtkWidget *status;
    guint timer;
    GCancellable *pending; /* the search in flight, if any (a ref) */
};

static void search_page_free(gpointer data)
{
    struct search_page *page = data;
    if (page->timer != 0)
        g_source_remove(page->timer);
    if (page->pending != NULL) {
        g_cancellable_cancel(page->pending);
        g_object_unref(page->pending);
    }
    g_free(page);
}

static void search_set_status(struct search_page *page, const char *text)
{
    gtk_label_set_text(GTK_LABEL(page->status), text);
    ui_set_accessible_name(page->status, text);
}

static void search_clear_list(struct search_page *page)
{
    GtkWidget *row;
    while ((row = gtk_widget_get_first_child(page->list)) != NULL)
        gtk_list_box_remove(GTK_LIST_BOX(page->list), row);
}

/* Opens the hit of a row (by Enter, a click on the row or its Open button). */
static void search_open_row(struct search_page *page, GtkWidget *row)
{
    const char *case_id = g_object_get_data(G_OBJECT(row), "case-id");
    const char *person_id = g_object_get_data(G_OBJECT(row), "person-id");
    page->context->open(page->context, case_id != NULL && case_id[0] ? case_id : NULL,
                        person_id);
}

static void search_on_open(GtkButton *button, gpointer data)
{
    struct search_page *page = data;
    search_open_row(page, gtk_widget_get_ancestor(GTK_WIDGET(button), GTK_TYPE_LIST_BOX_ROW));
}

/* A result row: the hit's text and an Open button named "Open: TEXT". */
static GtkWidget *search_row(struct search_page *page, const Spona__V1__PersonSearchHit *hit)
{
    char *text = desktop_text_search_hit(hit);
    GtkWidget *row = gtk_list_box_row_new();
    ui_set_accessible_name(row, text);
    g_object_set_data_full(G_OBJECT(row), "case-id", g_strdup(hit->case_id), g_free);
    g_object_set_data_full(G_OBJECT(row), "person-id", g_strdup(hit->person_id), g_free);
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
    gtk_widget_set_margin_start(box, 6);
    GtkWidget *label = ui_text(text);
    gtk_widget_set_hexpand(label, TRUE);
    GtkWidget *open = ui_button(_("Open"));
    char *name = g_strdup_printf(_("Open: %s"), text);
    ui_set_accessible_name(open, name);
    g_free(name);
    g_signal_connect(open, "clicked", G_CALLBACK(search_on_open), page);
    gtk_box_append(GTK_BOX(box), label);
    gtk_box_append(GTK_BOX(box), open);
    gtk_list_box_row_set_child(GTK_LIST_BOX_ROW(row), box);
    g_free(text);
    return row;
}

static void search_done(const spona_response *response, const char *error, int cancelled,
                        gpointer data)
{
    struct search_page *page = data;
    if (cancelled)
        return; /* a newer search replaced it, or the user cancelled */
    g_clear_object(&page->pending);
    search_clear_list(page);
    if (response == NULL || response->status != SPONA__V1__STATUS__OK ||
        response->person_search == NULL) {
        search_set_status(page, desktop_call_error_text(response, error));
        return;
    }
    const Spona__V1__PersonSearchResponse *answer = response->person_search;
    for (size_t i = 0; i < answer->n_hits; i++)
        gtk_list_box_append(GTK_LIST_BOX(page->list), search_row(page, answer->hits[i]));
    char *summary = g_strdup_printf(answer->n_hits == 1 ? _("%zu person found")
                                                         : _("%zu persons found"),
                                    answer->n_hits);
    search_set_status(page, summary);
    g_free(summary);
}

static gboolean search_run(gpointer data)
{
    struct search_page *page = data;
    page->timer = 0;
    const char *query = gtk_editable_get_text(GTK_EDITABLE(page->entry));
    if (page->pending != NULL) {
        g_cancellable_cancel(page->pending);
        g_clear_object(&page->pending);
    }
    if (g_utf8_strlen(query, -1) < 2) {
        search_clear_list(page);
        search_set_status(page, _("Type at least two letters of a name, or a JMBG."));
        return G_SOURCE_REMOVE;
    }
    Spona__V1__PersonSearchRequest body = SPONA__V1__PERSON_SEARCH_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    body.query = (char *)(uintptr_t)query;
    request.body_case = SPONA__V1__REQUEST__BODY_PERSON_SEARCH;
    request.person_search = &body;
    GCancellable *cancellable = desktop_call_start(page->context, _("Searching"), &request,
                                                   DESKTOP_CALL_READ, NULL, search_done, page);
    page->pending = g_object_ref(cancellable);
    return G_SOURCE_REMOVE;
}

static void search_on_register(GtkButton *button, gpointer data)
{
    struct search_page *page = data;
    register_dialog_open(page->context);
}

static void search_on_changed(GtkEditable *editable, gpointer data)
{
    struct search_page *page = data;
    if (page->timer != 0)
        g_source_remove(page->timer);
    page->timer = g_timeout_add(SEARCH_DELAY_MS, search_run, page);
}

static void search_on_row(GtkListBox *list, GtkListBoxRow *row, gpointer data)
{
    search_open_row(data, GTK_WIDGET(row));
}

GtkWidget *search_page_new(struct desktop_context *context)
{
    struct search_page *page = g_new0(struct search_page, 1);
    page->context = context;
    GtkWidget *box = ui_page_box();
    g_object_set_data_full(G_OBJECT(box), "search-page", page, search_page_free);
    GtkWidget *label = gtk_label_new_with_mnemonic(_("_Find a person (name or JMBG)"));
    gtk_label_set_xalign(GTK_LABEL(label), 0);
    page->entry = gtk_entry_new();
    gtk_label_set_mnemonic_widget(GTK_LABEL(label), page->entry);
    page->status = ui_text(_("Type at least two letters of a name, or a JMBG."));
    gtk_widget_add_css_class(page->status, "dim-label");
    page->list = gtk_list_box_new();
    gtk_list_box_set_activate_on_single_click(GTK_LIST_BOX(page->list), TRUE);
    ui_set_accessible_name(page->list, _("Persons found"));
    gtk_widget_add_css_class(page->list, "boxed-list");
    GtkWidget *scroll = gtk_scrolled_window_new();
    gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), page->list);
    gtk_widget_set_vexpand(scroll, TRUE);
    GtkWidget *top = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
    gtk_widget_set_hexpand(label, TRUE);
    GtkWidget *add = ui_button(_("Re_gister a person"));
    g_signal_connect(add, "clicked", G_CALLBACK(search_on_register), page);
    gtk_box_append(GTK_BOX(top), label);
    gtk_box_append(GTK_BOX(top), add);
    gtk_box_append(GTK_BOX(box), top);
    gtk_box_append(GTK_BOX(box), page->entry);
    gtk_box_append(GTK_BOX(box), page->status);
    gtk_box_append(GTK_BOX(box), scroll);
    g_signal_connect(page->entry, "changed", G_CALLBACK(search_on_changed), page);
    g_signal_connect(page->list, "row-activated", G_CALLBACK(search_on_row), page);
    return box;
}

void search_page_focus(GtkWidget *widget)
{
    struct search_page *page = g_object_get_data(G_OBJECT(widget), "search-page");
    if (page != NULL)
        gtk_widget_grab_focus(page->entry);
}
