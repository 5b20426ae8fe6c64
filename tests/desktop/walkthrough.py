#!/usr/bin/python3
"""The desktop walkthrough (docs/desktop.md, "Tests"), run by walkthrough-session.sh.

Drives spona-desktop only through AT-SPI (dogtail): sets texts through EditableText,
presses buttons through their Action, and asserts on the accessible tree: the texts on
screen, the rows of lists, the sensitivity of buttons. One step uses the keyboard alone
(key events through AT-SPI: mnemonics, Ctrl+F, Escape, F10), and a second pass runs in
Serbian Cyrillic. The server's state is checked with the CLI. A screenshot of each step
goes to $SPONA_SHOTS.
"""
import json
import os
import socket
import subprocess
import sys
import threading
import time
import traceback

from dogtail import config, rawinput, tree

config.searchCutoffCount = 40     # tries of 0.5 s: up to 20 s for an answer to show
config.searchBackoffDuration = 0.5
config.logDebugToFile = False
config.logDebugToStdOut = False

WORK = os.environ["SPONA_WORK"]
DESKTOP = os.environ["SPONA_DESKTOP"]
CLI = os.environ["SPONA_CLI"]
SHOTS = os.environ["SPONA_SHOTS"]
CASE = os.environ["SPONA_CASE"]
FIRST = os.environ["SPONA_FIRST"]
LAST = os.environ["SPONA_LAST"]
RUNNING = []  # the desktop processes this script started
NOTE = "Dogovoren sastanak u Zavodu " + LAST

LATIN_TO_CYRILLIC = dict(zip("abvgdeziklmnoprstufhcVZ", "абвгдезиклмнопрстуфхцВЗ"))


def cyrillic(text):
    return "".join(LATIN_TO_CYRILLIC[c] for c in text)


def step(message):
    print("walkthrough: " + message, flush=True)


def shot(name):
    """Writes the screen as SHOTS/name.png (Gdk 3 on the X root window); returns the pixbuf."""
    import gi
    gi.require_version("Gdk", "3.0")
    from gi.repository import Gdk
    root = Gdk.get_default_root_window()
    pixbuf = Gdk.pixbuf_get_from_window(root, 0, 0, root.get_width(), root.get_height())
    if pixbuf is not None:
        pixbuf.savev(os.path.join(SHOTS, name + ".png"), "png", [], [])
    return pixbuf


def assert_not_blank(pixbuf, what):
    """A loose comparison: the screen's size, and more than a few colours, none of them
    covering almost all of it (a blank or crashed window fails)."""
    assert pixbuf is not None, what + ": no screenshot"
    assert (pixbuf.get_width(), pixbuf.get_height()) == (1280, 900), what
    pixels = pixbuf.get_pixels()
    stride, channels = pixbuf.get_rowstride(), pixbuf.get_n_channels()
    counts = {}
    for y in range(0, pixbuf.get_height(), 9):
        for x in range(0, pixbuf.get_width(), 9):
            at = y * stride + x * channels
            colour = bytes(pixels[at:at + 3])
            counts[colour] = counts.get(colour, 0) + 1
    total = sum(counts.values())
    top = max(counts.values())
    assert len(counts) >= 8 and top < 0.97 * total, (what, len(counts), top, total)


def dominant_colours(pixbuf):
    """{colour: share of the screen} on a 9-pixel grid, colours in steps of 16."""
    pixels = pixbuf.get_pixels()
    stride, channels = pixbuf.get_rowstride(), pixbuf.get_n_channels()
    counts = {}
    for y in range(0, pixbuf.get_height(), 9):
        for x in range(0, pixbuf.get_width(), 9):
            at = y * stride + x * channels
            colour = tuple(v // 16 * 16 + 8 for v in pixels[at:at + 3])
            counts[colour] = counts.get(colour, 0) + 1
    total = sum(counts.values())
    return {colour: count / total for colour, count in counts.items()}


def compare_reference(pixbuf, name):
    """A loose comparison with tests/desktop/reference/NAME.json: the same size, and each
    of the reference's dominant colours covering at least half the share it had there
    (within the tolerance), so a blank, crashed or undrawn window fails while text,
    names and numbers may differ."""
    assert_not_blank(pixbuf, name)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "reference", name + ".json")) as source:
        reference = json.load(source)
    assert [pixbuf.get_width(), pixbuf.get_height()] == reference["size"], name
    shares = dominant_colours(pixbuf)
    tolerance = reference["tolerance"]
    for expected in reference["colours"]:
        near = sum(share for colour, share in shares.items()
                   if max(abs(a - b) for a, b in zip(colour, expected["rgb"])) <= tolerance)
        assert near >= expected["share"] / 2, (name, expected, near)


def cli(inst, user, *args):
    env = dict(os.environ, SPONA_CONFIG=os.path.join(WORK, inst + ".conf"),
               SPONA_PASSWORD=user + "-lozinka-42")
    out = subprocess.run([CLI, "--json", *args], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def named(node, name, role=None, contains=False):
    """The first descendant named name (or whose name contains it), waiting for it."""
    def match(n):
        if role is not None and n.roleName != role:
            return False
        return name in (n.name or "") if contains else n.name == name
    return node.findChild(match, requireResult=True)


def wait_until(predicate, what, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError("timed out waiting for " + what)


def press(node, name, contains=False):
    button = named(node, name, "push button", contains)
    wait_until(lambda: button.sensitive, "button %r to be sensitive" % name)
    button.doActionNamed("click")


def editable(node):
    try:
        node.queryEditableText()
        return True
    except Exception:
        return False


def type_into(node, name, text):
    entry = node.findChild(lambda n: n.name == name and n.roleName != "label" and editable(n),
                           requireResult=True)
    entry.queryEditableText().setTextContents(text)
    return entry


# the sign-in page's names, in English and in Serbian Cyrillic (po/sr@latin.po, transliterated)
ENGLISH = {"password": "Password", "sign in": "Sign in", "signed in": "Signed in as"}
CYRILLIC = {"password": "Лозинка", "sign in": "Пријави се", "signed in": "Пријављени сте као"}


def start(inst, user, conf=None, lang=None, names=ENGLISH):
    env = dict(os.environ, SPONA_CONFIG=os.path.join(WORK, (conf or inst) + ".conf"))
    env.pop("SPONA_PASSWORD", None)
    env.pop("SPONA_LANG", None)
    if lang is not None:
        env["SPONA_LANG"] = lang
    process = subprocess.Popen([DESKTOP], env=env)
    RUNNING.append(process)
    app = tree.root.application("spona-desktop")
    window = named(app, "Spona", "frame")
    type_into(window, names["password"], user + "-lozinka-42")
    press(window, names["sign in"])
    named(window, names["signed in"], contains=True)
    return process, app, window


def stop(process):
    process.terminate()
    process.wait(timeout=20)
    time.sleep(1)  # let the AT-SPI registry forget it


def dialog(app, title):
    return named(app, title)


def tab(window, name):
    """Selects a notebook tab (its page tab's Action or Selection) and returns the window."""
    page_tab = named(window, name, "page tab")
    try:
        page_tab.doActionNamed("click")
    except Exception:
        page_tab.select()
    return window


def activate_row(row, open_prefix="Open: "):
    """Opens a list row's case by the row's Open button."""
    press(row, open_prefix + row.name)


def focused_entry(window, name):
    entry = window.findChild(lambda n: n.name == name and n.roleName != "label" and editable(n),
                             requireResult=True)
    wait_until(lambda: entry.focused, "the entry %r to take the focus" % name)
    return entry


def caseload(window, full, stage="intake", tab_name="My cases"):
    """The case in the caseload list: number, name, stage label; returns the row."""
    tab(window, tab_name)
    cases = named(window, {"My cases": "Cases"}.get(tab_name, "Предмети"), "list")
    row = named(cases, full, "list item", contains=True)
    number = cli("csr", "ana", "case", "show", CASE)["number"]
    assert row.name.startswith(number + " · "), (row.name, number)
    assert " · %s" % stage in row.name, row.name
    return row


def lead_agency():
    step("Centre for Social Work: sign in, the case in the caseload")
    process, app, window = start("csr", "ana")
    shot("1-csr-signed-in")
    full = "%s %s" % (FIRST, LAST)
    row = caseload(window, full)
    compare_reference(shot("1-csr-caseload"), "caseload")
    named(window, "Show more cases", "push button")
    for name in ("Priority group", "Partner"):  # the filters, named; "Any ..." at first
        named(window, name)
    activate_row(row)
    named(window, full + ", case", contains=True)
    step("opened the case from the caseload: " + row.name)
    press(window, "Back")
    step("search by a Cyrillic prefix")
    # every connection cut: the search below must reconnect and resume the session
    subprocess.run(os.environ["SPONA_RESTART"].split(), check=True)
    step("server restarted: the desktop has to reconnect and resume")
    prefix = cyrillic(LAST[:9])
    tab(window, "Search")
    type_into(window, "Find a person (name or JMBG)", prefix)
    found = named(window, "Persons found", "list")
    row = named(found, full, contains=True, role="list item")
    assert "stage" in row.name, row.name
    shot("2-csr-search")
    press(window, "Open: " + row.name)
    named(window, full + ", case", contains=True)
    step("open case: " + full)
    identity = named(window, "last name: " + LAST)  # the field's label
    assert identity is not None
    assert_not_blank(shot("3-csr-case"), "the case page")
    plan_preview(app, window, "3b-csr-plan-preview")

    step("add a note")
    press(window, "Add note")
    note = dialog(app, "Add a note")
    type_into(note, "Note", NOTE)
    press(note, "Add note")
    tab(window, "Notes")
    named(window, NOTE, contains=True)

    step("refer to the Employment Bureau")
    press(window, "Refer")
    refer = dialog(app, "Refer to an institution")
    bureau = [i for i in cli("csr", "ana", "directory")["institutions"]
              if i["institution_code"] == "testgrad.zzz"][0]["name"]
    # the directory's full names, the caller's own institution not among them
    press(refer, bureau)
    assert not refer.findChild(lambda n: n.name == "Centar za socijalni rad Testgrad",
                               retry=False, requireResult=False)
    type_into(refer, "Measure", "posredovanje_zaposlenje")
    press(refer, "Refer")
    tab(window, "Referrals")
    named(window, "posredovanje_zaposlenje", contains=True)
    shot("4-csr-referred")

    step("register a person and open a case")
    press(window, "Back")
    press(window, "Register a person")
    register = dialog(app, "Register a person and open a case")
    type_into(register, "First name", "Jovana")
    type_into(register, "Last name", LAST + "ova")
    type_into(register, "Reason for the case", "prijava u centru")
    press(register, "Register and open case")
    named(window, "Jovana %sova, case" % LAST, contains=True)
    named(window, "stage intake", contains=True)
    press(window, "Back")
    reports(app, window, "4b-csr-reports", reference="reports")
    partner_filter(window)
    stop(process)

    hits = cli("csr", "ana", "person", "search", LAST + "ova")["hits"]
    assert len(hits) == 1 and hits[0]["case_id"], hits
    events = cli("csr", "ana", "timeline", CASE)["events"]
    kinds = [e["kind"] for e in events]
    assert "note" in kinds and "referral" in kinds, kinds
    assert any(NOTE[:40] in e["summary"] for e in events), events


def page_count(label):
    """The number in the preview's "N page(s)" label (in any of the catalogs' languages)."""
    return int(label.name.split()[0])


def plan_preview(app, window, shot_name, names=None):
    """Opens the plan's print preview: its page count > 0, page 1 drawn, then Close."""
    names = names or {"preview": "Plan preview", "title": "Activation plan: print preview",
                      "page": "Page 1 of ", "close": "Close", "print": "Print…",
                      "save": "Save as PDF…"}
    step("the plan's print preview")
    press(window, names["preview"])
    preview = dialog(app, names["title"])
    count = preview.findChild(lambda n: n.roleName == "label" and (n.name or "")[:1].isdigit(),
                              requireResult=True)
    pages = page_count(count)
    assert pages > 0, count.name
    named(preview, names["page"] + str(pages))
    for button in (names["print"], names["save"]):
        control = named(preview, button, "push button")
        wait_until(lambda: control.sensitive, button + " to be sensitive")
    step("plan preview: %s" % count.name)
    assert_not_blank(shot(shot_name), "the plan's preview")
    press(preview, names["close"])


def reports(app, window, shot_name, names=None, reference=None, suppressed=False):
    """The Reports page: the key figures shown with their values, the charts, the rows;
    a figure or a row that is not a number says why (suppressed: the view says small
    cells are suppressed); then the report's print preview, its page count > 0."""
    names = names or {"tab": "Reports", "show": "Show figures", "figures": "Key figures",
                      "charts": "Charts of the report", "rows": "All indicators",
                      "preview": "Print preview…", "title": "Indicator report: print preview",
                      "close": "Close", "suppressed": ("suppressed", "not available",
                                                       "not in the report"),
                      "small cells": "Small cells are suppressed"}
    step("the Reports page")
    tab(window, names["tab"])
    press(window, names["show"])
    rows = named(window, names["rows"], "list")
    wait_until(lambda: rows.childCount > 0, "the report's rows")
    figures = named(window, names["figures"])
    boxes = figures.findChildren(lambda n: ": " in (n.name or "") and n.roleName != "label")
    assert len(boxes) >= 6, [b.name for b in boxes]
    for box in boxes:
        value = box.name.split(": ", 1)[1]
        assert value, box.name
        if not value.split(" ")[0].replace(".", "").isdigit():
            assert any(why in value for why in names["suppressed"]), box.name
    for row in rows.children:
        value = row.name.rsplit(": ", 1)[-1]
        if value.startswith("<5") or value.startswith("x"):
            assert any(why in row.name for why in names["suppressed"]), row.name
    named(window, names["charts"])
    step("reports: %s" % "; ".join(b.name for b in boxes[:3]))
    if suppressed:
        named(window, names["small cells"], contains=True)
    if reference is not None:
        compare_reference(shot(shot_name), reference)
    else:
        assert_not_blank(shot(shot_name), "the Reports page")
    press(window, names["preview"])
    preview = dialog(app, names["title"])
    count = preview.findChild(lambda n: n.roleName == "label" and (n.name or "")[:1].isdigit(),
                              requireResult=True)
    assert page_count(count) > 0, count.name
    press(preview, names["close"])


def partner_filter(window):
    """The caseload's Partner filter by the keyboard (Alt+N opens it, Down, Enter): the
    drop-down shows the Bureau or the NGO chosen, the case referred to them is listed and
    the new case without referrals is no longer."""
    step("the caseload's partner filter")
    tab(window, "My cases")
    press(window, "Refresh")
    cases = named(window, "Cases", "list")
    full = "%s %s" % (FIRST, LAST)
    named(cases, "Jovana %sova" % LAST, "list item", contains=True)
    directory = cli("csr", "ana", "directory")["institutions"]
    referred = {i["name"] for i in directory
                if i["institution_code"] in ("testgrad.zzz", "testgrad.ngo")}
    drop = named(window, "Partner", "combo box")

    def chosen():
        """The text the drop-down shows (not "Any partner"), or None."""
        shown = drop.findChildren(lambda n: n.roleName == "label" and (n.name or "") not in
                                  ("", "(None)", "Any partner"))
        return shown[0].name if shown else None

    # the drop-down lists the enabled institutions but the caller's, in the directory's
    # order, after "Any partner": the first one the case was referred to is Down k times
    partners = [i for i in directory
                if i["enabled"] and i["institution_code"] != "testgrad.csr"]
    downs = 1 + next(k for k, i in enumerate(partners) if i["name"] in referred)
    rawinput.keyCombo("<Alt>n")
    time.sleep(1)
    for _ in range(downs):
        rawinput.pressKey("Down")
        time.sleep(0.3)
    rawinput.pressKey("Return")
    wait_until(lambda: chosen() is not None, "the Partner filter to show an institution")
    name = chosen()
    step("partner filter: " + name)
    assert name in referred, (name, referred)
    wait_until(lambda: not cases.findChild(
        lambda n: ("Jovana %sova" % LAST) in (n.name or ""), retry=False,
        requireResult=False), "the case without referrals to leave the list")
    named(cases, full, "list item", contains=True)
    assert not cases.findChild(lambda n: ("Jovana %sova" % LAST) in (n.name or ""),
                               retry=False, requireResult=False)
    shot("4c-csr-partner-filter")


def employment_bureau():
    step("Employment Bureau: accept the referral, record an outcome")
    process, app, window = start("zzz", "zana")
    tab(window, "Inbox")
    row = named(window, "posredovanje_zaposlenje to testgrad.zzz: sent", "list item",
                contains=True)
    assert row.name.endswith("case " + CASE[:8]), row.name
    accept = named(row, "Accept:", "push button", contains=True)
    shot("5-zzz-inbox")
    assert accept.sensitive
    accept.doActionNamed("click")
    accepted = named(window, "posredovanje_zaposlenje to testgrad.zzz: accepted, due (no date), "
                     "case " + CASE[:8], "list item", contains=True)
    complete = named(accepted, "Complete:", "push button", contains=True)
    assert complete.sensitive, "Complete should be possible once accepted"
    assert not named(accepted, "Accept:", "push button", contains=True).sensitive
    press(accepted, "Open case:", contains=True)
    named(window, ", case", contains=True)

    press(window, "Record outcome")
    outcome = dialog(app, "Record an outcome")
    press(outcome, "in training")  # the outcome kind's label, not its code
    type_into(outcome, "Note", "upisana obuka")
    press(outcome, "Record outcome")
    tab(window, "Outcomes")
    named(window, "outcome", contains=True, role="label")
    shot("6-zzz-outcome")
    stop(process)

    referrals = cli("zzz", "zana", "inbox")["referrals"]
    mine = [r for r in referrals if r["case_id"] == CASE]
    assert mine and mine[0]["status"] == "accepted", mine
    kinds = [e["kind"] for e in cli("csr", "ana", "timeline", CASE)["events"]]
    assert "outcome" in kinds and "referral_answer" in kinds, kinds


def ngo():
    step("NGO: the assessment's hidden categories, each with its reason")
    process, app, window = start("ngo", "nada")
    tab(window, "Inbox")
    row = named(window, "case " + CASE[:8], "list item", contains=True)
    # the measure is plan_measures data, which the NGO may not read without consent
    assert "psihosocijalna" not in row.name and "hidden" in row.name, row.name
    press(row, "Open case:", contains=True)
    named(window, ", case", contains=True)
    tab(window, "Assessment")
    for category in ("health and disability", "education and work"):  # the labels
        hidden = named(window, "Hidden: " + category)
        reason = hidden.description
        assert reason and "no decision" not in reason, (category, reason)
        step("hidden %s: %s" % (category, reason))
    # identity without consent: hidden with its reason too, never an empty tab
    tab(window, "Identity")
    hidden = named(window, "Hidden: identity")
    assert hidden.description, "identity hidden without a reason"
    shot("7-ngo-hidden")
    step("NGO: the report is refused with its reason, not shown empty")
    press(window, "Back")
    tab(window, "Reports")
    press(window, "Show figures")
    refused = named(window, "aggregates", "label", contains=True)
    assert refused.name.startswith("hidden: "), refused.name
    stop(process)


def coordinator():
    step("the municipality's coordinator: the suppressed view of the report")
    process, app, window = start("grad", "goran")
    reports(app, window, "7b-grad-reports", suppressed=True)
    stop(process)


def dump(node, out, depth=0):
    """Writes the accessible tree under node (for a failure's report)."""
    try:
        extra = " [editable]" if editable(node) else ""
        out.write("%s%s | %r | %r%s\n" % ("  " * depth, node.roleName, node.name,
                                          node.description, extra))
        for child in node.children:
            dump(child, out, depth + 1)
    except Exception as error:
        out.write("%s(%r)\n" % ("  " * depth, error))


class HoldingProxy:
    """A TCP relay in front of the server that, while held, keeps the server's answers
    from the client (a slow server without any change to the server): the test decides
    when an answer arrives, so nothing depends on timing."""

    def __init__(self, port):
        self.target = ("127.0.0.1", port)
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.released = threading.Event()
        self.released.set()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            client, _ = self.listener.accept()
            server = socket.create_connection(self.target)
            threading.Thread(target=self.pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self.pump, args=(server, client, True), daemon=True).start()

    def pump(self, source, sink, answers):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if answers:
                    self.released.wait()
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def never_blocks():
    step("a slow server: the interface keeps running while a call is pending")
    server = open(os.path.join(WORK, "csr.conf")).read().split("server = ")[1].split()[0]
    proxy = HoldingProxy(int(server.split(":")[1]))
    with open(os.path.join(WORK, "csr-slow.conf"), "w") as conf:
        conf.write(open(os.path.join(WORK, "csr.conf")).read().replace(
            "server = " + server, "server = 127.0.0.1:%d" % proxy.port))
    process, app, window = start("csr", "ana", conf="csr-slow")
    proxy.released.clear()  # from now on the server's answers wait
    type_into(window, "Find a person (name or JMBG)", cyrillic(LAST[:9]))
    named(window, "Searching", "label")
    cancel = named(window, "Cancel", "push button")
    wait_until(lambda: cancel.sensitive, "the busy bar's Cancel to be sensitive")
    # the main loop answers while the search waits: switch tabs and read it back
    tab(window, "Inbox")
    inbox = named(window, "Inbox", "page tab")
    wait_until(lambda: inbox.selected, "the Inbox tab to be selected while the search waits")
    shot("8-slow-pending")
    cancel.doActionNamed("click")
    wait_until(lambda: not cancel.sensitive, "Cancel to end the pending call")
    step("cancelled while the answer was still held")
    proxy.released.set()
    tab(window, "Search")
    type_into(window, "Find a person (name or JMBG)", cyrillic(LAST[:8]))
    named(window, "%s %s" % (FIRST, LAST), "list item", contains=True)
    step("the next search is answered on the same session")
    stop(process)


def keyboard_only():
    step("keyboard only: Ctrl+F, mnemonics, Escape, the language menu (F10)")
    process, app, window = start("csr", "ana")
    rawinput.keyCombo("<Control>f")
    focused_entry(window, "Find a person (name or JMBG)")
    rawinput.keyCombo("<Alt>m")  # _My cases
    cases_tab = named(window, "My cases", "page tab")
    wait_until(lambda: cases_tab.selected, "Alt+M to show My cases")
    rawinput.keyCombo("<Control>f")
    search_tab = named(window, "Search", "page tab")
    wait_until(lambda: search_tab.selected, "Ctrl+F to show Search")
    focused_entry(window, "Find a person (name or JMBG)")
    rawinput.keyCombo("<Alt>g")  # Re_gister a person
    register = dialog(app, "Register a person and open a case")
    focused_entry(register, "First name")
    rawinput.pressKey("Escape")
    wait_until(lambda: not app.findChild(
        lambda n: n.name == "Register a person and open a case" and n.roleName == "frame",
        retry=False, requireResult=False), "Escape to close the dialog")
    step("Escape closed the dialog; the language menu by F10")
    rawinput.pressKey("F10")
    serbian = named(app, "Српски (ћирилица)", contains=True)
    shot("9-keyboard-language-menu")
    for _ in range(8):  # arrow keys to the item, then Enter
        if serbian.focused:
            break
        rawinput.pressKey("Down")
        time.sleep(0.3)
    assert serbian.focused, "the arrow keys did not reach the Serbian Cyrillic item"
    rawinput.pressKey("Return")
    named(window, "Моји предмети", "page tab")  # the pages made again in Serbian Cyrillic
    named(window, "Пријављени сте као", contains=True)
    shot("10-keyboard-sr-Cyrl")
    stop(process)


def serbian_cyrillic():
    """Serbian Cyrillic (SPONA_LANG=sr-Cyrl): the caseload, a case, the plan's print
    preview and the Reports page read in Cyrillic through AT-SPI; their screenshots are
    the ones docs/screenshots/desktop-sr-Cyrl-*.png are made from."""
    step("sr-Cyrl: the labels read through AT-SPI are Cyrillic")
    process, app, window = start("csr", "ana", lang="sr-Cyrl", names=CYRILLIC)
    for name in ("Претрага", "Пристигло", "Моји предмети"):
        named(window, name, "page tab")
    named(window, "Пронађи особу (име или ЈМБГ)", contains=False)
    full = "%s %s" % (FIRST, LAST)
    row = caseload(window, full, stage="пријем", tab_name="Моји предмети")
    named(window, "Прикажи још предмета", "push button")
    assert_not_blank(shot("11-sr-Cyrl-caseload"), "the caseload in Serbian Cyrillic")
    activate_row(row, "Отвори: ")
    named(window, full + ", предмет", contains=True)
    named(window, "Идентитет", "page tab")
    shot("12-sr-Cyrl-case")
    plan_preview(app, window, "sr-Cyrl-plan-preview", {
        "preview": "Преглед плана", "title": "План активације: преглед пре штампе",
        "page": "Страна 1 од ", "close": "Затвори", "print": "Штампај…",
        "save": "Сачувај као ПДФ…"})
    press(window, "Назад")
    reports(app, window, "sr-Cyrl-reports", {
        "tab": "Извештаји", "show": "Прикажи податке", "figures": "Кључни подаци",
        "charts": "Графикони извештаја", "rows": "Сви показатељи",
        "preview": "Преглед пре штампе…",
        "title": "Извештај о показатељима: преглед пре штампе", "close": "Затвори",
        "suppressed": ("прикривено", "није доступно", "није у извештају")})
    stop(process)


BOSNIAN = {"password": "Lozinka", "sign in": "Prijavi se", "signed in": "Prijavljeni ste kao"}


def bosnian():
    """Bosnian (SPONA_LANG=bs): the caseload, the plan's print preview and the Reports
    page read in Bosnian through AT-SPI; their screenshots (bs-*.png) are the ones
    docs/screenshots/desktop-bs-*.png are made from."""
    step("bs: the caseload, the plan's print preview and the Reports page in Bosnian")
    process, app, window = start("csr", "ana", lang="bs", names=BOSNIAN)
    full = "%s %s" % (FIRST, LAST)
    tab(window, "Moji predmeti")
    cases = named(window, "Predmeti", "list")
    row = named(cases, full, "list item", contains=True)
    assert " · prijem" in row.name, row.name
    named(window, "Prikaži još predmeta", "push button")
    compare_reference(shot("bs-caseload"), "caseload")
    activate_row(row, "Otvori: ")
    named(window, full + ", predmet", contains=True)
    named(window, "Identitet", "page tab")
    assert_not_blank(shot("bs-case"), "the case in Bosnian")
    plan_preview(app, window, "bs-plan-preview", {
        "preview": "Pregled plana", "title": "Plan aktivacije: pregled prije štampe",
        "page": "Stranica 1 od ", "close": "Zatvori", "print": "Štampaj…",
        "save": "Sačuvaj kao PDF…"})
    press(window, "Nazad")
    reports(app, window, "bs-reports", {
        "tab": "Izvještaji", "show": "Prikaži podatke", "figures": "Ključni podaci",
        "charts": "Grafikoni izvještaja", "rows": "Svi pokazatelji",
        "preview": "Pregled prije štampe…",
        "title": "Izvještaj o pokazateljima: pregled prije štampe", "close": "Zatvori",
        "suppressed": ("prikriveno", "nije dostupno", "nije u izvještaju")},
        reference="reports")
    stop(process)


def main():
    lead_agency()
    employment_bureau()
    ngo()
    coordinator()
    never_blocks()
    keyboard_only()
    serbian_cyrillic()
    bosnian()
    step("ok")


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # report, keep the exit code a failure
        shot("failure")
        config.searchCutoffCount = 2
        try:
            with open(os.path.join(SHOTS, "failure-tree.txt"), "w") as out:
                for app in tree.root.children:
                    dump(app, out)
        except Exception:
            pass
        print("walkthrough: FAIL: %r" % (error,), file=sys.stderr, flush=True)
        traceback.print_exc()
        for process in RUNNING:
            if process.poll() is None:
                process.kill()
        sys.exit(1)
