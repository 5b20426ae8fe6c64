/*
 * The sign-in page (see signin_page.h).
 */
#include "signin_page.h"

#include <string.h>

#include "client_config.h"
#include "desktop_call.h"
#include "desktop_session.h"
#include "i18n.h"
#include "ui_util.h"

struct signin_page {
    struct desktop_context *context;
    GtkWidget *user;
    GtkWidget *password;
    GtkWidget *button;
    GtkWidget *message;
    GtkWidget *box;
};

static void signin_done(const spona_response *response, const char *error, int cancelled,
                        gpointer data)
{
    struct signin_page *page = data;
    gtk_widget_set_sensitive(page->button, TRUE);
    gtk_editable_set_text(GTK_EDITABLE(page->password), "");
    if (response != NULL && response->status == SPONA__V1__STATUS__OK &&
        response->login != NULL) {
        gtk_label_set_text(GTK_LABEL(page->message), "");
        page->context->signed_in(page->context, response->login->identity);
        return;
    }
    signin_page_say(page->box,
                    cancelled ? _("Sign-in cancelled.") : desktop_call_error_text(response, error));
}

static void signin_submit(struct signin_page *page)
{
    const char *user = gtk_editable_get_text(GTK_EDITABLE(page->user));
    const char *password = gtk_editable_get_text(GTK_EDITABLE(page->password));
    if (user[0] == '\0' || password[0] == '\0') {
        gtk_label_set_text(GTK_LABEL(page->message), _("Enter your user name and password."));
        return;
    }
    Spona__V1__LoginRequest login = SPONA__V1__LOGIN_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    login.username = (char *)(uintptr_t)user;
    login.password = (char *)(uintptr_t)password;
    request.body_case = SPONA__V1__REQUEST__BODY_LOGIN;
    request.login = &login;
    gtk_widget_set_sensitive(page->button, FALSE);
    gtk_label_set_text(GTK_LABEL(page->message), "");
    desktop_call_start(page->context, _("Signing in"), &request, DESKTOP_CALL_READ, NULL,
                       signin_done, page);
}

static void signin_on_clicked(GtkButton *button, gpointer data)
{
    signin_submit(data);
}

static void signin_on_activate(GtkWidget *widget, gpointer data)
{
    signin_submit(data);
}

/* One "what: value" line of the installation's settings. */
static void signin_setting(GtkGrid *grid, int row, const char *what, const char *value)
{
    GtkWidget *name = gtk_label_new(what);
    gtk_label_set_xalign(GTK_LABEL(name), 1);
    GtkWidget *text = ui_text(value != NULL ? value : _("(not set)"));
    char *accessible = g_strdup_printf("%s %s", what, value != NULL ? value : _("(not set)"));
    ui_set_accessible_name(text, accessible);
    g_free(accessible);
    gtk_grid_attach(grid, name, 0, row, 1, 1);
    gtk_grid_attach(grid, text, 1, row, 1, 1);
}

GtkWidget *signin_page_new(struct desktop_context *context)
{
    struct signin_page *page = g_new0(struct signin_page, 1);
    page->context = context;
    const struct spona_config *config = desktop_session_config(context->session);
    GtkWidget *box = ui_page_box();
    gtk_widget_set_halign(box, GTK_ALIGN_CENTER);
    gtk_widget_set_valign(box, GTK_ALIGN_CENTER);
    page->box = box;
    g_object_set_data_full(G_OBJECT(box), "signin-page", page, g_free);
    gtk_box_append(GTK_BOX(box), ui_heading(_("Sign in to Spona")));
    GtkWidget *grid = gtk_grid_new();
    gtk_grid_set_row_spacing(GTK_GRID(grid), 6);
    gtk_grid_set_column_spacing(GTK_GRID(grid), 12);
    signin_setting(GTK_GRID(grid), 0, _("Server"), config->server);
    signin_setting(GTK_GRID(grid), 1, _("Certificate"), config->cert_file);
    signin_setting(GTK_GRID(grid), 2, _("Key"), config->key_file != NULL ? config->key_file
                                                                         : config->cert_file);
    page->user = ui_grid_entry(GTK_GRID(grid), 3, _("_User name"), config->user);
    GtkWidget *password_label = gtk_label_new_with_mnemonic(_("_Password"));
    gtk_label_set_xalign(GTK_LABEL(password_label), 1);
    page->password = gtk_password_entry_new();
    gtk_password_entry_set_show_peek_icon(GTK_PASSWORD_ENTRY(page->password), TRUE);
    gtk_label_set_mnemonic_widget(GTK_LABEL(password_label), page->password);
    gtk_grid_attach(GTK_GRID(grid), password_label, 0, 4, 1, 1);
    gtk_grid_attach(GTK_GRID(grid), page->password, 1, 4, 1, 1);
    gtk_box_append(GTK_BOX(box), grid);
    page->button = ui_button(_("_Sign in"));
    gtk_widget_add_css_class(page->button, "suggested-action");
    gtk_box_append(GTK_BOX(box), page->button);
    page->message = ui_text("");
    gtk_widget_add_css_class(page->message, "error");
    gtk_box_append(GTK_BOX(box), page->message);
    g_signal_connect(page->button, "clicked", G_CALLBACK(signin_on_clicked), page);
    g_signal_connect(page->password, "activate", G_CALLBACK(signin_on_activate), page);
    g_signal_connect(page->user, "activate", G_CALLBACK(signin_on_activate), page);
    return box;
}

void signin_page_say(GtkWidget *widget, const char *message)
{
    struct signin_page *page = g_object_get_data(G_OBJECT(widget), "signin-page");
    if (page == NULL)
        return;
    gtk_label_set_text(GTK_LABEL(page->message), message);
    ui_set_accessible_name(page->message, message);
    gtk_editable_set_text(GTK_EDITABLE(page->password), "");
}
