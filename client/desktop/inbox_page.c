/*
 * The inbox (see inbox_page.h).
 */
#include "inbox_page.h"

#include <string.h>

#include "case_dialogs.h"
#include "desktop_call.h"
#include "desktop_text.h"
#include "i18n.h"
#include "ui_util.h"

struct inbox_page {
    struct desktop_context *context;
    GtkWidget *box;
    GtkWidget *list;
    GtkWidget *status;
};

/* What a row's buttons need. Freed with the row. */
struct inbox_item {
    struct inbox_page *page;
    char *referral_id;
    char *case_id;
    uint64_t version;
};

static void inbox_item_free(gpointer data)
{
    struct inbox_item *item = data;
    g_free(item->referral_id);
    g_free(item->case_id);
    g_free(item);
}

static void inbox_say(struct inbox_page *page, const char *text)
{
    gtk_label_set_text(GTK_LABEL(page->status), text);
    ui_set_accessible_name(page->status, text[0] != '\0' ? text : " ");
}

static void inbox_written(gpointer data)
{
    struct inbox_page *page = data;
    inbox_page_reload(page->box);
}

static void inbox_accepted(const spona_response *response, const char *error, int cancelled,
                           gpointer data)
{
    struct inbox_page *page = data;
    if (response != NULL && response->status == SPONA__V1__STATUS__OK) {
        inbox_say(page, _("Referral accepted."));
        inbox_page_reload(page->box);
    } else {
        inbox_say(page, cancelled ? _("Cancelled.") : desktop_call_error_text(response, error));
    }
}

static void inbox_on_accept(GtkButton *button, gpointer data)
{
    struct inbox_item *item = data;
    Spona__V1__ReferralAcceptRequest body = SPONA__V1__REFERRAL_ACCEPT_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    body.referral_id = item->referral_id;
    request.body_case = SPONA__V1__REQUEST__BODY_REFERRAL_ACCEPT;
    request.referral_accept = &body;
    desktop_call_start(item->page->context, _("Accepting the referral"), &request,
                       DESKTOP_CALL_WRITE, NULL, inbox_accepted, item->page);
}

static void inbox_on_decline(GtkButton *button, gpointer data)
{
    struct inbox_item *item = data;
    case_dialogs_answer_referral(item->page->context, item->referral_id, item->version, 0,
                                 inbox_written, item->page);
}

static void inbox_on_complete(GtkButton *button, gpointer data)
{
    struct inbox_item *item = data;
    case_dialogs_answer_referral(item->page->context, item->referral_id, item->version, 1,
                                 inbox_written, item->page);
}

static void inbox_on_open(GtkButton *button, gpointer data)
{
    struct inbox_item *item = data;
    item->page->context->open(item->page->context, item->case_id, NULL);
}

/* A button for a row, named "LABEL: ROW TEXT" for assistive technology. */
static GtkWidget *inbox_button(GtkWidget *box, const char *mnemonic, const char *name,
                               const char *row_text, gboolean sensitive, GCallback handler,
                               struct inbox_item *item)
{
    GtkWidget *button = ui_button(mnemonic);
    char *accessible = g_strdup_printf("%s: %s", name, row_text);
    ui_set_accessible_name(button, accessible);
    g_free(accessible);
    gtk_widget_set_sensitive(button, sensitive);
    g_signal_connect(button, "clicked", handler, item);
    gtk_box_append(GTK_BOX(box), button);
    return button;
}

static GtkWidget *inbox_row(struct inbox_page *page, const Spona__V1__ReferralView *referral)
{
    struct inbox_item *item = g_new0(struct inbox_item, 1);
    item->page = page;
    item->referral_id = g_strdup(referral->referral_id);
    item->case_id = g_strdup(referral->case_id);
    item->version = referral->version;
    char *text = desktop_text_referral(referral);
    GtkWidget *row = gtk_list_box_row_new();
    gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), FALSE);
    ui_set_accessible_name(row, text);
    g_object_set_data_full(G_OBJECT(row), "inbox-item", item, inbox_item_free);
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
    gtk_widget_set_margin_start(box, 6);
    GtkWidget *label = ui_text(text);
    gtk_widget_set_hexpand(label, TRUE);
    gtk_box_append(GTK_BOX(box), label);
    int sent = strcmp(referral->status, "sent") == 0;
    int accepted = strcmp(referral->status, "accepted") == 0;
    inbox_button(box, _("_Accept"), _("Accept"), text, sent, G_CALLBACK(inbox_on_accept), item);
    inbox_button(box, _("_Decline"), _("Decline"), text, sent || accepted,
                 G_CALLBACK(inbox_on_decline), item);
    inbox_button(box, _("C_omplete"), _("Complete"), text, accepted,
                 G_CALLBACK(inbox_on_complete), item);
    inbox_button(box, _("Open _case"), _("Open case"), text, TRUE, G_CALLBACK(inbox_on_open),
                 item);
    gtk_list_box_row_set_child(GTK_LIST_BOX_ROW(row), box);
    g_free(text);
    return row;
}

static void inbox_loaded(const spona_response *response, const char *error, int cancelled,
                         gpointer data)
{
    struct inbox_page *page = data;
    GtkWidget *row;
    if (response == NULL || response->status != SPONA__V1__STATUS__OK ||
        response->inbox == NULL) {
        inbox_say(page, cancelled ? _("Cancelled.") : desktop_call_error_text(response, error));
        return;
    }
    while ((row = gtk_widget_get_first_child(page->list)) != NULL)
        gtk_list_box_remove(GTK_LIST_BOX(page->list), row);
    for (size_t i = 0; i < response->inbox->n_referrals; i++)
        gtk_list_box_append(GTK_LIST_BOX(page->list),
                            inbox_row(page, response->inbox->referrals[i]));
    char *summary = g_strdup_printf(_("%zu referrals"), response->inbox->n_referrals);
    inbox_say(page, summary);
    g_free(summary);
}

void inbox_page_reload(GtkWidget *widget)
{
    struct inbox_page *page = g_object_get_data(G_OBJECT(widget), "inbox-page");
    Spona__V1__InboxRequest body = SPONA__V1__INBOX_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_INBOX;
    request.inbox = &body;
    desktop_call_start(page->context, _("Loading the inbox"), &request, DESKTOP_CALL_READ, NULL,
                       inbox_loaded, page);
}

static void inbox_on_refresh(GtkButton *button, gpointer data)
{
    struct inbox_page *page = data;
    inbox_page_reload(page->box);
}

GtkWidget *inbox_page_new(struct desktop_context *context)
{
    struct inbox_page *page = g_new0(struct inbox_page, 1);
    page->context = context;
    page->box = ui_page_box();
    g_object_set_data_full(G_OBJECT(page->box), "inbox-page", page, g_free);
    GtkWidget *top = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
    page->status = ui_text("");
    gtk_widget_set_hexpand(page->status, TRUE);
    GtkWidget *refresh = ui_button(_("_Refresh inbox"));
    g_signal_connect(refresh, "clicked", G_CALLBACK(inbox_on_refresh), page);
    gtk_box_append(GTK_BOX(top), page->status);
    gtk_box_append(GTK_BOX(top), refresh);
    page->list = gtk_list_box_new();
    gtk_list_box_set_selection_mode(GTK_LIST_BOX(page->list), GTK_SELECTION_NONE);
    ui_set_accessible_name(page->list, _("Referrals to my institution"));
    gtk_widget_add_css_class(page->list, "boxed-list");
    GtkWidget *scroll = gtk_scrolled_window_new();
    gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), page->list);
    gtk_widget_set_vexpand(scroll, TRUE);
    gtk_box_append(GTK_BOX(page->box), top);
    gtk_box_append(GTK_BOX(page->box), scroll);
    return page->box;
}
