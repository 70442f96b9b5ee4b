#!/usr/bin/python3
"""Drives the dashboard in headless Chromium (Selenium) for tests/e2e/web.sh.

    web_browser.py URL CHECK [ARG...]

Each CHECK prints "ok NAME" or "FAIL NAME: why" lines in the runner's format
and exits non-zero on a failure. Shell commands it needs (traffic from the
client) come in as arguments, so this file knows no addresses.
"""
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

NAME = 'e2e/web'
failed = False


def report(ok, name, why=''):
    global failed
    print(('ok   %s/%s' % (NAME, name)) if ok else ('FAIL %s/%s: %s' % (NAME, name, why)), flush=True)
    failed |= not ok


def browser():
    o = webdriver.ChromeOptions()
    o.binary_location = '/usr/bin/chromium'
    for a in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
              '--window-size=1100,1500', '--no-first-run', '--disable-extensions'):
        o.add_argument(a)
    return webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=o)


def wait_for(what, seconds=15):
    """Polls WHAT() until it returns something true; returns it or None."""
    end = time.time() + seconds
    while time.time() < end:
        try:
            v = what()
            if v:
                return v
        except Exception:   # the page is re-rendering under us
            pass
        time.sleep(0.25)
    return None


def table_text(d, section):
    return d.find_element(By.CSS_SELECTOR, '#%s tbody' % section).text


def injected(d):
    """What an XSS payload would have left: an alert, a marker, extra scripts."""
    try:
        alert = d.switch_to.alert.text
        return 'alert: ' + alert
    except Exception:
        pass
    marks = d.execute_script('return [window.__pwned === 1, document.scripts.length,'
                             ' document.querySelectorAll("[data-pwned], img[src=x]").length]')
    if marks[0] or marks[1] != 1 or marks[2]:
        return 'page changed: %r' % (marks,)
    return ''


def main():
    url, check, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    d = browser()
    try:
        d.get(url)
        if check == 'loads':
            ok = wait_for(lambda: 'enforcing' in d.find_element(By.ID, 'health').text)
            report(bool(ok), 'page_loads', d.find_element(By.ID, 'health').text)
            gen = d.find_element(By.ID, 'status').text
            report('generation' in gen and 'policy' in gen, 'page_shows_policy_generation', gen)
            logs = [l for l in d.get_log('browser') if l['level'] == 'SEVERE']
            report(not logs, 'page_no_console_errors', repr(logs)[:300])
            if len(args) > 0:
                d.save_screenshot(args[0])
        elif check == 'block':   # args: client, rule text, then a command that must pass again
            client, rule = args[0], args[1]
            row = wait_for(lambda: client in table_text(d, 'blocks') and rule in table_text(d, 'blocks'))
            report(bool(row), 'block_shown', table_text(d, 'blocks'))
            d.find_element(By.CSS_SELECTOR, '#blocks tbody button').click()
            gone = wait_for(lambda: client not in table_text(d, 'blocks'))
            report(bool(gone), 'unblock_from_page', table_text(d, 'blocks'))
        elif check == 'pause':   # args: client, probe command that succeeds when online
            client, probe = args[0], args[1:]
            box = d.find_element(By.ID, 'pause-client')
            box.clear()
            box.send_keys(client)
            d.find_element(By.CSS_SELECTOR, '#pause-form button[data-for="30m"]').click()
            row = wait_for(lambda: client in table_text(d, 'paused-table'))
            report(bool(row), 'pause_from_page_listed', table_text(d, 'paused-table'))
            off = subprocess.run(probe, capture_output=True).returncode != 0
            report(off, 'pause_from_page_stops_traffic')
            d.find_element(By.CSS_SELECTOR, '#paused-table tbody button').click()
            gone = wait_for(lambda: client not in table_text(d, 'paused-table'))
            report(bool(gone), 'resume_from_page_listed', table_text(d, 'paused-table'))
            back = wait_for(lambda: subprocess.run(probe, capture_output=True).returncode == 0, 10)
            report(bool(back), 'resume_from_page_restores_traffic')
        elif check == 'xss':     # args: text that must be shown literally, a name for it
            text, name = args[0], args[1]
            shown = wait_for(lambda: text in d.find_element(By.TAG_NAME, 'main').text)
            report(bool(shown), 'xss_%s_rendered_as_text' % name, d.find_element(By.ID, 'top-blocked').text)
            why = injected(d)
            report(not why, 'xss_%s_nothing_injected' % name, why)
        else:
            report(False, 'usage', 'unknown check ' + check)
    finally:
        d.quit()
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
