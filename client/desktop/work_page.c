/*
 * The work page (see work_page.h).
 */
#include "work_page.h"

#include "caseload_page.h"
#include "desktop_call.h"
#include "i18n.h"
#include "inbox_page.h"
#include "reports_page.h"
#include "search_page.h"
#include "ui_util.h"

struct work_page {
    struct desktop_context *context;
    GtkWidget *who;
    GtkWidget *notebook;
    GtkWidget *search;
    GtkWidget *inbox;
    GtkWidget *caseload;
};

static void signed_out(const spona_response *response, const char *error, int cancelled,
                       gpointer data)
{
    struct work_page *page = data;
    if (!cancelled)
        page->context->session_ended(page->context, _("Signed out."));
}

static void on_sign_out(GtkButton *button, gpointer data)
{
    struct work_page *page = data;
    Spona__V1__LogoutRequest body = SPONA__V1__LOGOUT_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_LOGOUT;
    request.logout = &body;
    desktop_call_start(page->context, _("Signing out"), &request, DESKTOP_CALL_READ, NULL,
                       signed_out, page);
}

GtkWidget *work_page_new(struct desktop_context *context)
{
    struct work_page *page = g_new0(struct work_page, 1);
    page->context = context;
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
    g_object_set_data_full(G_OBJECT(box), "work-page", page, g_free);
    GtkWidget *top = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
    gtk_widget_set_margin_start(top, 12);
    gtk_widget_set_margin_end(top, 12);
    gtk_widget_set_margin_top(top, 6);
    page->who = ui_text("");
    gtk_widget_set_hexpand(page->who, TRUE);
    GtkWidget *sign_out = ui_button(_("Sign _out"));
    g_signal_connect(sign_out, "clicked", G_CALLBACK(on_sign_out), page);
    gtk_box_append(GTK_BOX(top), page->who);
    gtk_box_append(GTK_BOX(top), sign_out);
    page->notebook = gtk_notebook_new();
    gtk_widget_set_vexpand(page->notebook, TRUE);
    page->search = search_page_new(context);
    page->inbox = inbox_page_new(context);
    ui_notebook_page(GTK_NOTEBOOK(page->notebook), page->search, _("_Search"));
    ui_notebook_page(GTK_NOTEBOOK(page->notebook), page->inbox, _("In_box"));
    page->caseload = caseload_page_new(context);
    ui_notebook_page(GTK_NOTEBOOK(page->notebook), page->caseload, _("_My cases"));
    ui_notebook_page(GTK_NOTEBOOK(page->notebook), reports_page_new(context), _("_Reports"));
    gtk_box_append(GTK_BOX(box), top);
    gtk_box_append(GTK_BOX(box), page->notebook);
    return box;
}

void work_page_signed_in(GtkWidget *widget)
{
    struct work_page *page = g_object_get_data(G_OBJECT(widget), "work-page");
    struct desktop_context *context = page->context;
    char *who = g_strdup_printf(_("Signed in as %s (%s), %s"), context->full_name,
                                context->username, context->institution_name);
    gtk_label_set_text(GTK_LABEL(page->who), who);
    ui_set_accessible_name(page->who, who);
    g_free(who);
    inbox_page_reload(page->inbox);
    caseload_page_reload(page->caseload);
}

void work_page_focus_search(GtkWidget *widget)
{
    struct work_page *page = g_object_get_data(G_OBJECT(widget), "work-page");
    gtk_notebook_set_current_page(GTK_NOTEBOOK(page->notebook), 0);
    search_page_focus(page->search);
}
