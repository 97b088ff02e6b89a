#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Drives the Cockpit page "Network pools" in headless Chromium through chromedriver (Selenium), against
# the real netpoold that test-cockpit.sh runs on a private bus, and prints TAP. Every expectation is
# checked on the page and, where the daemon holds the truth, against the daemon itself (busctl).
#
# Usage: drive-page.py URL SCREENSHOT_DIR [URL_AS_NOBODY]
# Environment: NETPOOLCTL, NETPOOL_SIMHOST, DBUS_SYSTEM_BUS_ADDRESS, NP_DIR (its sim/ is the sim host),
# NP_AS_NOBODY (the command prefix that runs a program as the user of URL_AS_NOBODY's session)

import os
import re
import subprocess
import sys
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

URL, SHOTS = sys.argv[1], sys.argv[2]
URL_NOBODY = sys.argv[3] if len(sys.argv) > 3 else None  # the page in a session of the user nobody
AS_NOBODY = os.environ.get("NP_AS_NOBODY", "").split()
NETPOOLCTL = os.environ["NETPOOLCTL"]
SIMHOST = os.environ["NETPOOL_SIMHOST"]
SIM = os.path.join(os.environ["NP_DIR"], "sim")
WAIT = 30  # seconds for anything the page must show; CI's 2 cores run other tests meanwhile
OWNER_UUID = "c0c0c0c0-0000-4000-8000-0000000000c1"


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, desc):
        self.n += 1
        print(f"ok {self.n} - {desc}", flush=True)

    def not_ok(self, desc, detail):
        self.n += 1
        self.failed += 1
        print(f"not ok {self.n} - {desc}", flush=True)
        for line in str(detail).splitlines():
            print(f"#   {line}", flush=True)

    def skip(self, desc, reason):
        self.n += 1
        print(f"ok {self.n} - {desc} # SKIP {reason}", flush=True)

    def done(self):
        print(f"1..{self.n}", flush=True)
        return 0 if self.failed == 0 else 1


tap = Tap()


def check(desc, func):
    """one TAP line: passes when func() returns without raising"""
    try:
        func()
        tap.ok(desc)
        return True
    except Exception as ex:  # a failed expectation, a timeout or a driver error: all are failures
        detail = f"{type(ex).__name__}: {ex}" if str(ex) else traceback.format_exc()
        try:
            page = driver.find_element(By.TAG_NAME, "body").text
        except WebDriverException:
            page = "(unreadable)"
        tap.not_ok(desc, detail.split("\nStacktrace:")[0] + "\npage text:\n" + page[:1500])
        # a dialog left open by the failure would hide the page from the steps after it
        driver.execute_script("document.getElementById('np-modal-root').replaceChildren()")
        return False


def wait_for(what, func, timeout=WAIT):
    """func() until it returns a true value; AssertionError naming what and the last value otherwise"""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = func()
            if last:
                return last
        except WebDriverException as ex:  # the node was re-rendered under us: look again
            last = ex.msg
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not seen in {timeout} s (last: {last!r})")
        time.sleep(0.1)


def run(*argv, check_rc=True):
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if check_rc and result.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed: {result.stderr.strip()}")
    return result


def net_path(name):
    # sd_bus_path_encode of the names this test uses (letters, digits after the first, '-' escaped)
    return "/org/netpool1/network/" + "".join(c if c.isalnum() else f"_{ord(c):02x}" for c in name)


def prop(name, prop_name):
    out = run("busctl", "--system", "get-property", "org.netpool1", net_path(name),
              "org.netpool1.Network", prop_name).stdout.split()
    return " ".join(out[1:])


def device_prop(device_id, prop_name):
    """a Device object's property as busctl prints it, without the type"""
    # sd_bus_path_encode: a leading digit is escaped too
    path = "/org/netpool1/device/" + "".join(c if c.isalnum() and not (i == 0 and c.isdigit()) else
                                             f"_{ord(c):02x}" for i, c in enumerate(device_id))
    out = run("busctl", "--system", "get-property", "org.netpool1", path, "org.netpool1.Device",
              prop_name).stdout.split()
    return " ".join(out[1:]).strip('"')


def simhost(*args):
    run(SIMHOST, SIM, "-q", *args)


def daemon_error(path, iface_method, *args, prefix=()):
    """the D-Bus error (name, message) the daemon answers this call with, from dbus-send"""
    result = run(*prefix, "dbus-send", "--system", "--print-reply", "--dest=org.netpool1", path,
                 "org.netpool1." + iface_method, *args, check_rc=False)
    match = re.match(r"Error (\S+): (.*)", result.stderr.strip(), re.S)
    if result.returncode == 0 or not match:
        raise AssertionError(f"expected an error from {iface_method}, got: {result.stdout}{result.stderr}")
    return match.group(1), match.group(2)


NP_IDLE_SEC = int(os.environ.get("NP_IDLE", "3"))   # the daemon's idle time in this test (test-cockpit.sh)


def daemon_pid():
    result = run("busctl", "--system", "call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                 "org.freedesktop.DBus", "GetConnectionUnixProcessID", "s", "org.netpool1", check_rc=False)
    return result.stdout.split()[1] if result.returncode == 0 else None


def allocate(network, mac):
    run(NETPOOLCTL, "--no-ask-password", "allocate", network, "--mac", mac, "--owner", "vm-cockpit",
        "--owner-uuid", OWNER_UUID)


# --- the browser ---

def start_browser():
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1200", "--user-data-dir=" + os.path.join(os.environ["NP_DIR"], "chromium")):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


driver = start_browser()


def css(selector):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def cell(network, column):
    found = css(f"tr[data-network='{network}'] td[data-label='{column}']")
    return found[0].text.strip() if found else None


def click(selector):
    """click what selector finds; the page re-renders on every signal, so a node found may be gone
    a moment later: look it up again then"""
    def attempt():
        try:
            css(selector)[0].click()
            return True
        except (IndexError, StaleElementReferenceException):
            return False
    wait_for("a click on " + selector, attempt)


def click_row(network, action):
    click(f"tr[data-network='{network}'] button[data-action='{action}']")


def wait_cell(network, column, value):
    wait_for(f"{network}: {column} {value}", lambda: cell(network, column) == value)


def page_marker_kept():
    """the page was not reloaded since mark_page(): the marker set in its window is still there"""
    return driver.execute_script("return window.npTestMarker") == "kept"


def mark_page():
    driver.execute_script("window.npTestMarker = 'kept'")


def alerts_text():
    return " ".join(a.text for a in css("#np-alerts .pf-c-alert"))


def screenshot(name):
    path = os.path.join(SHOTS, name)
    driver.save_screenshot(path)
    print(f"# screenshot: {path}", flush=True)


# --- the steps, in order; each builds on the state the one before left ---

def opens_and_lists():
    driver.get(URL)
    wait_for("rows of net-a, net-b, net-bad",
             lambda: {r.get_attribute("data-network") for r in css("tr[data-network]")} ==
             {"net-a", "net-b", "net-bad"})
    for name in ("net-a", "net-b", "net-bad"):
        assert cell(name, "Mode") == "hostdev", cell(name, "Mode")
        assert cell(name, "State") == "inactive", cell(name, "State")
        assert cell(name, "Autostart") == "Off", cell(name, "Autostart")
        for column in ("Connections", "Capacity", "Available"):
            assert cell(name, column) == "0", (name, column, cell(name, column))


def start_updates_live():
    mark_page()
    click_row("net-a", "start")
    wait_cell("net-a", "State", "active")
    capacity = prop("net-a", "Capacity")
    assert capacity != "0", "the daemon says net-a has no device"
    wait_cell("net-a", "Capacity", capacity)
    wait_cell("net-a", "Available", capacity)
    assert prop("net-a", "Active") == "true"
    assert page_marker_kept(), "the page was reloaded"
    assert css("tr[data-network='net-a'] button[data-action='stop']"), "no Stop button once active"


def column_texts(selector):
    """the texts of what selector finds, read in one go; the table re-renders on signals, so a node may go
    stale while read: wait_for() reads it again then"""
    return [c.text for c in css(selector)]


def details_show_devices_and_xml():
    click_row("net-a", "select")
    capacity = int(prop("net-a", "Capacity"))
    wait_for(f"{capacity} devices of net-a", lambda: len(css("#np-devices tr[data-device]")) == capacity)
    states = wait_for("the devices' states", lambda: set(column_texts("#np-devices td[data-label='State']")))
    assert states == {"free"}, states
    pfs = wait_for("the devices' PFs", lambda: set(column_texts("#np-devices td[data-label='PF']")))
    assert pfs == {"eth0"}, pfs
    indexes = wait_for("the devices' VF indexes",
                       lambda: sorted(int(t) for t in column_texts("#np-devices td[data-label='VF index']")))
    assert indexes == list(range(capacity)), indexes
    live = wait_for("live XML", lambda: "<address type='pci'" in css("#np-xml-live")[0].text and
                    css("#np-xml-live")[0].text)
    assert "<pf dev='eth0'/>" in live, live
    inactive = wait_for("inactive XML", lambda: css("#np-xml-inactive")[0].text)
    assert "<pf dev='eth0'/>" in inactive and "<address" not in inactive, inactive


def port_appears():
    mark_page()
    allocate("net-a", "52:54:00:c0:c0:01")
    capacity = int(prop("net-a", "Capacity"))
    wait_cell("net-a", "Connections", "1")
    wait_cell("net-a", "Available", str(capacity - 1))
    def port_row():
        """the port's UUID and its row's text, read in one go: the signals of the allocation re-render the
        table, and a row found may be gone a moment later (wait_for then looks again)"""
        for row in css("#np-ports tr[data-port]"):
            text = row.text
            if "52:54:00:c0:c0:01" in text:
                return row.get_attribute("data-port"), text
        return None
    uuid, text = wait_for("the port's row", port_row)
    assert "vm-cockpit" in text, text
    wait_for("the device held by the port", lambda: [d for d in css("#np-devices tr[data-device]")
                                                     if "in-use" in d.text and uuid in d.text])
    assert page_marker_kept(), "the page was reloaded"
    screenshot("network-pools.png")


def device_ids():
    return [r.get_attribute("data-device") for r in css("#np-devices tr[data-device]")]


def device_cell(device_id, column):
    found = css(f"#np-devices tr[data-device='{device_id}'] td[data-label='{column}']")
    return found[0].text.strip() if found else None


def wait_device(device_id, column, value):
    wait_for(f"device {device_id}: {column} {value}", lambda: device_cell(device_id, column) == value)


def devices_follow_signals():
    """the Device objects' NUMA node, driver and holder; the port's VF lost and back as eth0's numvfs drops to 0
    and returns (the other VFs' rows go and come back); a VF taken outside netpool: all from signals"""
    mark_page()
    calls = subprocess.Popen(["dbus-monitor", "--system", "type='method_call',member='GetDevices'"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        devices_follow_signals_steps()
    finally:
        time.sleep(0.5)
        calls.terminate()
    seen = calls.communicate()[0]
    # netpoolctl's call, and none of the page's
    assert seen.count("member=GetDevices") == 1, "GetDevices calls:\n" + seen


def devices_follow_signals_steps():
    capacity = int(prop("net-a", "Capacity"))
    held = wait_for("the row of the port's VF", lambda: [d for d in device_ids()
                                                          if device_cell(d, "State") == "in-use"])[0]
    free = [d for d in device_ids() if d != held][0]
    for device, column, name in ((held, "NUMA node", "NUMANode"), (held, "Driver", "Driver"),
                                 (free, "NUMA node", "NUMANode"), (free, "Driver", "Driver")):
        assert device_cell(device, column) == device_prop(device, name), \
            (device, column, device_cell(device, column), device_prop(device, name))
    assert device_cell(held, "Driver") == "vfio-pci", device_cell(held, "Driver")
    assert device_cell(free, "Holder") == "\u2014", device_cell(free, "Holder")
    pf = os.path.basename(os.path.realpath(os.path.join(SIM, "sys/class/net/eth0/device")))

    simhost("--set-numvfs", pf, "0")
    wait_for("only the port's VF left", lambda: device_ids() == [held])
    wait_device(held, "State", "lost")
    assert device_prop(held, "State") == "lost", device_prop(held, "State")
    screenshot("device-lost.png")
    simhost("--set-numvfs", pf, str(capacity))
    wait_for(f"{capacity} devices again", lambda: len(device_ids()) == capacity)
    wait_device(held, "State", "in-use")

    simhost("--assign", free)
    wait_device(free, "State", "unavailable")
    wait_device(free, "Holder", "bound to vfio-pci")
    wait_device(free, "Driver", "vfio-pci")
    assert device_prop(free, "Holder") == "bound to vfio-pci", device_prop(free, "Holder")
    simhost("--release", free)
    wait_device(free, "State", "free")
    wait_device(free, "Holder", "\u2014")
    assert page_marker_kept(), "the page was reloaded"
    run(NETPOOLCTL, "devices", "net-a")    # a GetDevices the monitor must see: it is listening


def failure_shows_daemon_message():
    click_row("net-bad", "start")
    text = wait_for("an alert", lambda: "net-bad" in alerts_text() and alerts_text())
    name, message = daemon_error(net_path("net-bad"), "Network.Start", "uint64:0")
    assert name == "org.netpool1.Error.DeviceNotFound", name
    assert message in text and name in text, f"page: {text!r}\ndaemon: {name}: {message!r}"
    assert cell("net-bad", "State") == "inactive"


def autostart_toggles():
    click("label[for='np-autostart-net-b']")
    wait_for("the daemon's Autostart of net-b", lambda: prop("net-b", "Autostart") == "true")
    wait_cell("net-b", "Autostart", "On")


def define_refused_shows_message():
    click("#np-define")
    bad = "<network><name>net-c</name><forward mode='hostdev'><pf dev='eth0'/></forward><bogus/></network>"
    css("#np-define-xml")[0].send_keys(bad)
    click("#np-define-submit")
    text = wait_for("the error in the dialog", lambda: css("#np-define-dialog .pf-c-alert") and
                    css("#np-define-dialog .pf-c-alert")[0].text)
    name, message = daemon_error("/org/netpool1", "Manager.DefineNetwork", "string:" + bad, "uint64:0")
    assert name == "org.netpool1.Error.InvalidXML", name
    assert message in text, f"page: {text!r}\ndaemon: {message!r}"


def define_from_pasted_xml():
    area = css("#np-define-xml")[0]
    area.clear()
    area.send_keys("<network>\n  <name>net-c</name>\n  <forward mode='hostdev' managed='yes'>\n"
                   "    <pf dev='ens1'/>\n  </forward>\n</network>\n")
    click("#np-define-submit")
    wait_for("the dialog closed", lambda: not css("#np-define-dialog"))
    wait_cell("net-c", "State", "inactive")
    assert prop("net-c", "Persistent") == "true"


def port_keeps_daemon_then_port():
    click_row("net-a", "select")
    pid = daemon_pid()
    time.sleep(NP_IDLE_SEC + 2)     # longer than its idle time: a port exists, so it stays (dbus-api.md "Lifetime")
    assert daemon_pid() == pid, f"netpoold (pid {pid}) exited for idleness while a port exists"
    mark_page()
    allocate("net-a", "52:54:00:c0:c0:02")
    wait_cell("net-a", "Connections", "2")
    wait_for("the second port's row", lambda: [r for r in css("#np-ports tr[data-port]")
                                                 if "52:54:00:c0:c0:02" in r.text])
    assert page_marker_kept(), "the page was reloaded"


def idle_exit_then_page_activates():
    pid = daemon_pid()
    wait_for(f"netpoold (pid {pid}) idle exit", lambda: daemon_pid() is None, timeout=60)
    click_row("net-b", "start")
    wait_cell("net-b", "State", "active")
    assert prop("net-b", "Active") == "true"


def stop_confirms_ports():
    click_row("net-a", "stop")
    items = wait_for("the confirmation", lambda: css("#np-stop-ports li") and
                     [i.text for i in css("#np-stop-ports li")])
    assert len(items) == 2, items
    for mac in ("52:54:00:c0:c0:01", "52:54:00:c0:c0:02"):
        assert any(mac in i and "vm-cockpit" in i for i in items), (mac, items)
    assert cell("net-a", "State") == "active", "stopped before the confirmation"
    screenshot("stop-confirmation.png")
    click("#np-stop-confirm")
    wait_cell("net-a", "State", "inactive")
    wait_cell("net-a", "Connections", "0")
    wait_for("no port on net-a", lambda: not css("#np-ports tr[data-port]"))
    assert prop("net-a", "Active") == "false"
    ports = run(NETPOOLCTL, "ports").stdout
    assert "52:54:00:c0:c0:0" not in ports, ports


def undefine_removes():
    click_row("net-c", "undefine")
    wait_for("the undefine confirmation", lambda: css("#np-undefine-confirm"))
    click("#np-undefine-confirm")
    wait_for("net-c gone", lambda: not css("tr[data-network='net-c']"))
    result = run("busctl", "--system", "call", "org.netpool1", "/org/netpool1", "org.netpool1.Manager",
                 "LookupNetwork", "st", "net-c", "0", check_rc=False)
    assert result.returncode != 0, "the daemon still has net-c"


def refusal_turns_buttons_off():
    driver.get(URL_NOBODY)
    wait_cell("net-a", "State", "inactive")
    click_row("net-a", "start")
    text = wait_for("the refusal", lambda: "net-a" in alerts_text() and alerts_text())
    name, message = daemon_error(net_path("net-a"), "Network.Start", "uint64:0", prefix=AS_NOBODY)
    assert name == "org.freedesktop.DBus.Error.AccessDenied", name
    assert message in text and name in text, f"page: {text!r}\ndaemon: {name}: {message!r}"
    reason = wait_for("the reason beside the buttons", lambda: css("[data-refused='net-a']") and
                      css("[data-refused='net-a']")[0].text)
    assert message in reason, reason
    for action in ("start", "undefine"):
        button = css(f"tr[data-network='net-a'] button[data-action='{action}']")[0]
        assert not button.is_enabled(), f"{action} still enabled"
        assert message in button.get_attribute("title"), button.get_attribute("title")
    assert prop("net-a", "Active") == "false", "the refused Start started net-a"
    screenshot("refused.png")


def console_clean():
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"
              and "favicon" not in e["message"]]
    assert not errors, "\n".join(e["message"] for e in errors)


try:
    steps = [
        ("the page opens and lists the networks the test defined, inactive, without devices", opens_and_lists),
        ("Start: state and counts change without a reload", start_updates_live),
        ("a network's devices (Device objects) and its live and inactive XML", details_show_devices_and_xml),
        ("a port allocated with netpoolctl appears with its device, counts change", port_appears),
        ("devices follow their signals: NUMA node, driver, holder; the port's VF lost when eth0's VFs go, "
         "and back", devices_follow_signals),
        ("a failed Start shows the daemon's own message and error name", failure_shows_daemon_message),
        ("the autostart switch sets Autostart in the daemon", autostart_toggles),
        ("a definition the daemon refuses shows its message in the dialog", define_refused_shows_message),
        ("define from pasted XML: the network appears", define_from_pasted_xml),
        ("with the page open and a port held, netpoold stays past its idle time; a second port appears",
         port_keeps_daemon_then_port),
        ("Stop names the ports it releases, then stops with FORCE", stop_confirms_ports),
        ("no port left: netpoold idle-exits (the page does not poll); Start from the page activates it",
         idle_exit_then_page_activates),
        ("Undefine after confirmation removes the network", undefine_removes),
        ("no error in the browser's console", console_clean),
    ]
    if URL_NOBODY:
        steps.append(("as a user polkit is asked about: a refused Start shows the daemon's answer, and "
                      "the network's buttons are off saying why", refusal_turns_buttons_off))
    else:
        tap.skip("as a user polkit is asked about", "no setpriv or no user nobody")
    for desc, step in steps:
        check(desc, step)
    screenshot("final.png")
finally:
    driver.quit()
sys.exit(tap.done())
