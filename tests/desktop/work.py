#!/usr/bin/python3
"""The desktop's work walkthrough (docs/desktop.md, "Tests"), run by walkthrough-session.sh
for desktop.work, on the person and case walkthrough.sh prepares.

As the Centre for Social Work: records an assessment (domains by category), adds a plan
goal and a measure for the Employment Bureau (the referral the server makes for it shows
in the Plan and Referrals tabs and in the Bureau's inbox), records an outcome and adds its
follow-up, records the person's consent for the NGO and withdraws it, and reads who saw
her data (the Disclosures tab). As the NGO: the assessment dialog shows the categories it
may not read as hidden, with their reason. Driven and read only through AT-SPI (dogtail),
with the helpers of walkthrough.py; the server's state is checked with the CLI.
"""
import datetime
import os
import sys
import traceback

from dogtail import config, rawinput, tree

import walkthrough as w
from walkthrough import CASE, FIRST, LAST, cli, dialog, named, press, shot, step, tab, type_into

GOAL = "Zaposlenje do ljeta " + LAST
MEASURE = "Obuka za viljuskar " + LAST
FORM = "SAG-" + LAST


def directory_name(code):
    return [i for i in cli("csr", "ana", "directory")["institutions"]
            if i["institution_code"] == code][0]["name"]


def open_case(window):
    full = "%s %s" % (FIRST, LAST)
    row = w.caseload(window, full)
    w.activate_row(row)
    named(window, full + ", case", contains=True)


def assessment(app, window):
    step("record an assessment: domains by category")
    press(window, "Record assessment")
    form = dialog(app, "Record an assessment")
    for category in ("education and work", "health and disability", "plan and measures"):
        named(form, category, contains=False)  # the categories' parts, by their labels
    press(form, "Education and skills: 2")
    type_into(form, "Notes on Education and skills", "zavrsila kurs racunara")
    press(form, "Transport: 4")
    press(form, "Record assessment")
    tab(window, "Assessment")
    named(window, "Assessment version 2", contains=True)
    named(window, "zavrsila kurs racunara", contains=True)
    shot("w1-csr-assessment")
    view = cli("csr", "ana", "assessment", "show", CASE)
    ratings = {d["domain"]: d["rating"] for d in view["domains"]}
    assert view["version"] == 2 and ratings == {"education_skills": 2, "transport": 4}, view


def plan(app, window, bureau):
    step("edit the plan: a goal and a measure for the Employment Bureau")
    press(window, "Edit plan")
    form = dialog(app, "Edit the plan")
    type_into(form, "Goal", GOAL)
    type_into(form, "Measure", MEASURE)
    press(form, "training")
    press(form, bureau)
    press(form, "Save to the plan")
    tab(window, "Plan")
    named(window, ": %s (open" % GOAL, contains=True)  # its number: the plan's next
    line = named(window, MEASURE, contains=True, role="label")
    assert "testgrad.zzz" in line.name and "→ referral" in line.name, line.name
    tab(window, "Referrals")
    named(window, MEASURE[:30], contains=True, role="label")
    shot("w2-csr-plan")
    view = cli("csr", "ana", "plan", "show", CASE)
    number = [g for g in view["goals"] if g["text"] == GOAL][0]["number"]
    measure = [m for m in view["measures"] if m["description"] == MEASURE][0]
    assert measure["responsible_institution_code"] == "testgrad.zzz", measure
    assert measure["referral_id"], measure
    inbox = cli("zzz", "zana", "inbox")["referrals"]
    assert any(r["referral_id"] == measure["referral_id"] for r in inbox), inbox
    step("the measure refers: referral " + measure["referral_id"])

    step("a change made meanwhile: the editor's save is refused, the editor stays open")
    press(window, "Edit plan")
    form = dialog(app, "Edit the plan")
    named(form, "Goal %d: %s: open" % (number, GOAL), "push button")  # the plan read
    type_into(form, "The person's obligations", "javlja se svake sedmice")
    version = cli("csr", "ana", "plan", "show", CASE)["version"]
    cli("csr", "ana", "plan", "add-goal", CASE, "--text", "Drugi cilj", "--version",
        str(version))
    press(form, "Save to the plan")
    refusal = named(form, "changed meanwhile", "label", contains=True)
    step("refused: " + refusal.name)
    assert app.findChild(lambda n: n.name == "Edit the plan" and n.roleName == "frame",
                         retry=False, requireResult=False), "the editor closed on a refusal"
    assert named(form, "Save to the plan", "push button").sensitive
    shot("w2b-csr-plan-conflict")
    press(form, "Cancel")

    step("edit the plan again: the goal achieved, the measure in progress")
    press(window, "Edit plan")
    form = dialog(app, "Edit the plan")
    achieved = named(form, "Goal %d: %s: achieved" % (number, GOAL), "push button")
    assert named(form, "Goal %d: %s: open" % (number, GOAL), "push button") is not None
    achieved.doActionNamed("click")
    press(form, "(testgrad.zzz): in progress", contains=True)
    press(form, "Save to the plan")
    tab(window, "Plan")
    named(window, "Goal %d: %s (achieved" % (number, GOAL), contains=True)
    named(window, "(in progress, due", contains=True)
    view = cli("csr", "ana", "plan", "show", CASE)
    goals = {g["text"]: g["status"] for g in view["goals"]}
    assert goals[GOAL] == "achieved" and "Drugi cilj" in goals, view["goals"]
    measure = [m for m in view["measures"] if m["description"] == MEASURE][0]
    assert measure["status"] == "in_progress" and measure["referral_id"], measure


def follow_up(app, window):
    step("record an outcome and add its 6-month follow-up")
    press(window, "Record outcome")
    outcome = dialog(app, "Record an outcome")
    # 200 days ago: today is within the 6-month follow-up's window
    when = (datetime.date.today() - datetime.timedelta(days=200)).isoformat()
    type_into(outcome, "Date (YYYY-MM-DD)", when)
    type_into(outcome, "Employer", "Metal d.o.o.")
    type_into(outcome, "Contract type", "fixed_term")
    press(outcome, "Record outcome")
    tab(window, "Outcomes")
    named(window, "outcome", contains=True, role="label")
    press(window, "Add follow-up")
    form = dialog(app, "Add a follow-up")
    named(form, "outcome", contains=True, role="push button")  # the outcome to choose
    press(form, "6 months")
    type_into(form, "Note", "i dalje radi")
    press(form, "Add follow-up")
    w.wait_until(lambda: not app.findChild(
        lambda n: n.name == "Add a follow-up" and n.roleName == "frame", retry=False,
        requireResult=False), "the follow-up dialog to close (no refusal)")
    tab(window, "Outcomes")
    named(window, "  follow-up  ana", contains=True, role="label")
    events = cli("csr", "ana", "timeline", CASE)["events"]
    assert "follow_up" in [e["kind"] for e in events], events


def consent(app, window, ngo):
    step("record the person's consent for the NGO, then withdraw it")
    press(window, "Consent")
    form = dialog(app, "The person's consent")
    records = named(form, "Consent records", "list")
    named(records, "No consent recorded", "list item")
    press(form, ngo)
    press(form, "identity")
    type_into(form, "Signed form reference", FORM)
    press(form, "Record consent")
    row = named(records, "testgrad.ngo · identity", "list item", contains=True)
    w.wait_until(lambda: "in force" in row.name, "the consent to be in force: " + row.name)
    assert FORM in row.name, row.name
    withdraw = named(row, "Withdraw: ", "push button", contains=True)
    assert withdraw.sensitive, "Withdraw should be possible while in force"
    shot("w3-csr-consent")
    withdraw.doActionNamed("click")
    row = named(records, "withdrawn", "list item", contains=True)
    assert "testgrad.ngo · identity" in row.name, row.name
    assert not named(row, "Withdraw: ", "push button", contains=True).sensitive
    shot("w4-csr-consent-withdrawn")
    person = cli("csr", "ana", "case", "show", CASE)["person_id"]
    consents = cli("csr", "ana", "consent", "list", person)["consents"]
    mine = [c for c in consents if c["form_reference"] == FORM]
    assert len(mine) == 1 and mine[0]["withdrawn_at"] and not mine[0]["in_force"], consents
    press(form, "Cancel")


def disclosures(window):
    step("who saw her data: the Disclosures tab")
    tab(window, "Disclosures")
    rows = named(window, "Disclosures", "list")
    # the Bureau read its inbox (plan()): the referral's measure and her identity
    row = named(rows, "testgrad.zzz · zana · inbox", "list item", contains=True)
    assert "plan and measures" in row.name and "clause" in row.name, row.name
    step("disclosure: " + row.name)
    shot("w5-csr-disclosures")


def lead_agency():
    step("Centre for Social Work: the work on a case")
    for inst, user in (("zzz", "zana"), ("ngo", "nada")):  # the CLI's sessions for checks
        cli(inst, user, "login")
    process, app, window = w.start("csr", "ana")
    open_case(window)
    assessment(app, window)
    plan(app, window, directory_name("testgrad.zzz"))
    follow_up(app, window)
    consent(app, window, directory_name("testgrad.ngo"))
    disclosures(window)
    w.stop(process)


def ngo():
    step("NGO: the assessment dialog shows what it may not read as hidden, with why")
    process, app, window = w.start("ngo", "nada")
    tab(window, "Inbox")
    row = named(window, "case " + CASE[:8], "list item", contains=True)
    press(row, "Open case:", contains=True)
    named(window, ", case", contains=True)
    assert not window.findChild(lambda n: n.name == "Disclosures" and n.roleName == "page tab"
                                and n.showing, retry=False, requireResult=False), \
        "the Disclosures tab is for the lead agency"
    rawinput.keyCombo("<Alt>s")  # Record a_ssessment, by the keyboard alone
    form = dialog(app, "Record an assessment")
    w.focused_entry(form, "Assessed on (YYYY-MM-DD)")
    hidden = named(form, "Hidden: health and disability")
    assert hidden.description and "no decision" not in hidden.description, hidden.description
    step("hidden in the dialog: " + hidden.description)
    shot("w6-ngo-assessment-hidden")
    rawinput.pressKey("Escape")
    w.wait_until(lambda: not app.findChild(
        lambda n: n.name == "Record an assessment" and n.roleName == "frame", retry=False,
        requireResult=False), "Escape to close the assessment dialog")
    w.stop(process)


def main():
    lead_agency()
    ngo()
    step("ok")


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # report, keep the exit code a failure
        shot("failure")
        config.searchCutoffCount = 2
        try:
            with open(os.path.join(w.SHOTS, "failure-tree.txt"), "w") as out:
                for app in tree.root.children:
                    w.dump(app, out)
        except Exception:
            pass
        print("work: FAIL: %r" % (error,), file=sys.stderr, flush=True)
        traceback.print_exc()
        for process in w.RUNNING:
            if process.poll() is None:
                process.kill()
        sys.exit(1)
