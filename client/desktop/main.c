/*
 * spona-desktop (docs/desktop.md): the application, its options (--config, --user),
 * the window with its busy bar and the pages it switches between (sign in, work,
 * person and case), the keyboard shortcuts, and the language menu that rebuilds the
 * pages in the language chosen.
 */
#include <adwaita.h>
#include <string.h>

#include "busy_bar.h"
#include "client_config.h"
#include "desktop_call.h"
#include "desktop_context.h"
#include "desktop_session.h"
#include "i18n.h"
#include "person_page.h"
#include "signin_page.h"
#include "ui_util.h"
#include "work_page.h"

struct desktop_app {
    struct desktop_context context;
    GtkWidget *stack;
    GtkWidget *signin;
    GtkWidget *work;
    GtkWidget *person;
    GtkWidget *language_button;
    char *open_case;   /* what the person page shows, to show it again in a new language */
    char *open_person;
    char *config_path;
    char *user;
};

static void set_owned(char **slot, const char *value)
{
    g_free(*slot);
    *slot = g_strdup(value != NULL ? value : "");
}

static void app_signed_in(struct desktop_context *context, const Spona__V1__WhoAmIResponse *who)
{
    struct desktop_app *app = (struct desktop_app *)context;
    if (who != NULL) {
        set_owned(&context->username, who->username);
        set_owned(&context->full_name, who->full_name);
        set_owned(&context->institution_code, who->institution_code);
        set_owned(&context->institution_name, who->institution_name);
        set_owned(&context->institution_role, who->institution_role);
    }
    work_page_signed_in(app->work);
    gtk_stack_set_visible_child(GTK_STACK(app->stack), app->work);
    work_page_focus_search(app->work);
}

static void app_session_ended(struct desktop_context *context, const char *reason)
{
    struct desktop_app *app = (struct desktop_app *)context;
    busy_bar_cancel_all(context->busy);
    signin_page_say(app->signin, reason != NULL ? reason : _("The session has ended."));
    gtk_stack_set_visible_child(GTK_STACK(app->stack), app->signin);
}

static void app_open(struct desktop_context *context, const char *case_id, const char *person_id)
{
    struct desktop_app *app = (struct desktop_app *)context;
    set_owned(&app->open_case, case_id);
    set_owned(&app->open_person, person_id);
    person_page_open(app->person, case_id, person_id);
    gtk_stack_set_visible_child(GTK_STACK(app->stack), app->person);
}

static void app_show_work(struct desktop_context *context)
{
    struct desktop_app *app = (struct desktop_app *)context;
    gtk_stack_set_visible_child(GTK_STACK(app->stack), app->work);
}

static void app_resumed(const spona_response *response, const char *error, int cancelled,
                        gpointer data)
{
    struct desktop_app *app = data;
    if (response != NULL && response->status == SPONA__V1__STATUS__OK)
        app_signed_in(&app->context, response->resume);
    else if (response != NULL || (error != NULL && error[0] != '\0'))
        signin_page_say(app->signin, desktop_call_error_text(response, error));
}

/* Keyboard: Escape cancels, Ctrl+F searches, Alt+Left goes back. */
static gboolean app_on_key(GtkEventControllerKey *controller, guint keyval, guint keycode,
                           GdkModifierType state, gpointer data)
{
    struct desktop_app *app = data;
    if (keyval == GDK_KEY_Escape && busy_bar_pending(app->context.busy) > 0) {
        busy_bar_cancel_all(app->context.busy);
        return TRUE;
    }
    if (keyval == GDK_KEY_f && (state & GDK_CONTROL_MASK) &&
        gtk_stack_get_visible_child(GTK_STACK(app->stack)) != app->signin) {
        gtk_stack_set_visible_child(GTK_STACK(app->stack), app->work);
        work_page_focus_search(app->work);
        return TRUE;
    }
    if (keyval == GDK_KEY_Left && (state & GDK_ALT_MASK) &&
        gtk_stack_get_visible_child(GTK_STACK(app->stack)) == app->person) {
        app_show_work(&app->context);
        return TRUE;
    }
    return FALSE;
}

/* The languages of the menu, each named in itself (docs/i18n.md). */
static const struct {
    const char *tag;
    const char *name;
} app_languages[] = {
    { "bs", "Bosanski" },
    { "hr", "Hrvatski" },
    { "sr-Latn", "Srpski (latinica)" },
    { "sr-Cyrl", "Српски (ћирилица)" },
    { "en", "English" },
};

/* Makes the pages (again) and shows the one that was visible, as it was. */
static void app_build_pages(struct desktop_app *app)
{
    GtkStack *stack = GTK_STACK(app->stack);
    GtkWidget *visible = gtk_stack_get_visible_child(stack);
    int which = visible == NULL || visible == app->signin ? 0 : visible == app->work ? 1 : 2;
    if (app->signin != NULL) {
        gtk_stack_remove(stack, app->signin);
        gtk_stack_remove(stack, app->work);
        gtk_stack_remove(stack, app->person);
    }
    app->signin = signin_page_new(&app->context);
    app->work = work_page_new(&app->context);
    app->person = person_page_new(&app->context);
    gtk_stack_add_child(stack, app->signin);
    gtk_stack_add_child(stack, app->work);
    gtk_stack_add_child(stack, app->person);
    gtk_menu_button_set_label(GTK_MENU_BUTTON(app->language_button), _("_Language"));
    char *plain = ui_plain(_("_Language"));
    ui_set_accessible_name(app->language_button, plain);
    g_free(plain);
    if (which == 0)
        return;
    work_page_signed_in(app->work);
    gtk_stack_set_visible_child(stack, app->work);
    if (which == 2 && (app->open_case[0] != '\0' || app->open_person[0] != '\0'))
        app_open(&app->context, app->open_case[0] ? app->open_case : NULL,
                 app->open_person[0] ? app->open_person : NULL);
}

/* The language menu's choice: the catalog of tag, then every page made again in it
   (pending calls are cancelled first: no answer lands on a page that is gone). */
static void app_on_language(GSimpleAction *action, GVariant *value, gpointer data)
{
    struct desktop_app *app = data;
    enum i18n_language parsed;
    if (i18n_parse_language(g_variant_get_string(value, NULL), &parsed) != 0)
        return;
    const enum i18n_language language = parsed; /* a value: gcc -O2 saw a dangling pointer */
    const char *tag = i18n_language_tag(language);
    g_simple_action_set_state(action, value);
    if (language == i18n_current())
        return;
    busy_bar_cancel_all(app->context.busy);
    if (i18n_select(language, NULL) != 0)
        g_printerr("spona-desktop: no catalog for %s: English\n", tag);
    busy_bar_relabel(app->context.busy);
    app_build_pages(app);
}

/* The header's language menu (F10 opens it) and its action app.language. */
static GtkWidget *app_language_menu(struct desktop_app *app, GtkApplication *application)
{
    GVariant *state = g_variant_new_string(i18n_language_tag(i18n_current()));
    GSimpleAction *action = g_simple_action_new_stateful("language", G_VARIANT_TYPE_STRING,
                                                         state);
    g_signal_connect(action, "change-state", G_CALLBACK(app_on_language), app);
    g_action_map_add_action(G_ACTION_MAP(application), G_ACTION(action));
    g_object_unref(action);
    GMenu *menu = g_menu_new();
    for (size_t i = 0; i < G_N_ELEMENTS(app_languages); i++) {
        char *detailed = g_strdup_printf("app.language::%s", app_languages[i].tag);
        g_menu_append(menu, app_languages[i].name, detailed);
        g_free(detailed);
    }
    app->language_button = gtk_menu_button_new();
    gtk_menu_button_set_use_underline(GTK_MENU_BUTTON(app->language_button), TRUE);
    gtk_menu_button_set_primary(GTK_MENU_BUTTON(app->language_button), TRUE);
    gtk_menu_button_set_menu_model(GTK_MENU_BUTTON(app->language_button), G_MENU_MODEL(menu));
    g_object_unref(menu);
    return app->language_button;
}

/* The window: header, busy bar, the stack of pages. */
static void app_build_window(struct desktop_app *app, GtkApplication *application)
{
    GtkWidget *window = adw_application_window_new(application);
    gtk_window_set_title(GTK_WINDOW(window), "Spona");
    gtk_window_set_default_size(GTK_WINDOW(window), 1000, 700);
    app->context.window = GTK_WINDOW(window);
    app->context.busy = busy_bar_new();
    GtkWidget *content = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
    GtkWidget *header = adw_header_bar_new();
    adw_header_bar_pack_end(ADW_HEADER_BAR(header), app_language_menu(app, application));
    gtk_box_append(GTK_BOX(content), header);
    gtk_box_append(GTK_BOX(content), busy_bar_widget(app->context.busy));
    app->stack = gtk_stack_new();
    gtk_widget_set_vexpand(app->stack, TRUE);
    app_build_pages(app);
    gtk_box_append(GTK_BOX(content), app->stack);
    adw_application_window_set_content(ADW_APPLICATION_WINDOW(window), content);
    GtkEventController *keys = gtk_event_controller_key_new();
    gtk_event_controller_set_propagation_phase(keys, GTK_PHASE_CAPTURE);
    g_signal_connect(keys, "key-pressed", G_CALLBACK(app_on_key), app);
    gtk_widget_add_controller(window, keys);
    gtk_window_present(GTK_WINDOW(window));
}

static void app_activate(GApplication *application, gpointer data)
{
    struct desktop_app *app = data;
    if (app->context.window != NULL) {
        gtk_window_present(app->context.window);
        return;
    }
    app_build_window(app, GTK_APPLICATION(application));
    desktop_call_resume_stored(&app->context, app_resumed, app);
}

/* Reads the settings; -1 (with the reason on stderr) when they cannot be read. */
static int app_load_settings(struct desktop_app *app)
{
    char err[512];
    struct spona_config config;
    const struct spona_config_given given = { .config_file = app->config_path,
                                              .user = app->user };
    if (spona_config_load(&config, &given, err, sizeof(err)) != 0) {
        g_printerr("spona-desktop: %s\n", err);
        spona_config_free(&config);
        return -1;
    }
    /* the language: lang of the config file or SPONA_LANG, else the desktop's locale
       (before any thread: i18n_select is not thread-safe) */
    enum i18n_language language = i18n_language_from_locale();
    if (config.lang != NULL && i18n_parse_language(config.lang, &language) != 0)
        g_printerr("spona-desktop: unknown language '%s': using the locale's\n", config.lang);
    i18n_select(language, NULL); /* English too: its catalog labels the codes; a missing
                                    catalog: the source strings */
    app->context.session = desktop_session_new(&config);
    spona_config_free(&config);
    return 0;
}

int main(int argc, char **argv)
{
    static struct desktop_app app;
    app.open_case = g_strdup("");
    app.open_person = g_strdup("");
    app.context.session_ended = app_session_ended;
    app.context.signed_in = app_signed_in;
    app.context.open = app_open;
    app.context.show_work = app_show_work;
    GOptionEntry options[] = {
        { "config", 0, 0, G_OPTION_ARG_FILENAME, &app.config_path,
          "the client config file (as the spona CLI's)", "FILE" },
        { "user", 0, 0, G_OPTION_ARG_STRING, &app.user, "the user name to sign in with",
          "NAME" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *parser = g_option_context_new("- the Spona desktop client");
    g_option_context_add_main_entries(parser, options, NULL);
    GError *error = NULL;
    if (!g_option_context_parse(parser, &argc, &argv, &error)) {
        g_printerr("spona-desktop: %s\n", error->message);
        g_error_free(error);
        g_option_context_free(parser);
        return 2;
    }
    g_option_context_free(parser);
    if (app_load_settings(&app) != 0)
        return 1;
    AdwApplication *application = adw_application_new("org.spona.Desktop",
                                                      G_APPLICATION_NON_UNIQUE);
    g_signal_connect(application, "activate", G_CALLBACK(app_activate), &app);
    int status = g_application_run(G_APPLICATION(application), 1, argv);
    g_object_unref(application);
    desktop_session_free(app.context.session);
    return status;
}
