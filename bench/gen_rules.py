#!/usr/bin/env python3
"""Deterministic synthetic rule sets for the benchmarks.

Literal-heavy URL, host and path patterns with some alternations, the shape
of a hand-written blocklist: every rule carries a distinctive literal (its
number between two dictionary words), so a literal prefilter has something
to work with and no two rules match the same URL.

  gen_rules.py rules N [--every K] [--response R]
      the first N rules; with --every K only rules K-1, 2K-1, ... (a small
      policy with exactly the same rule texts, for a same-traffic baseline)
  gen_rules.py hits N [--every K]
      one URL per rule that this rule (and no other) matches
  gen_rules.py misses N COUNT
      COUNT URLs of the same shape that no rule of the N matches

Output depends only on the arguments (a fixed-seed PRNG per rule), so two
runs, or two benchmarks, see the same rules and URLs.
"""
import argparse
import random

WORDS = """
acme arcade atlas bingo blaze bolt cactus candy casino chat cloud comet coral
crypto dice dragon echo ember falcon flash galaxy gamer ghost giga glitch
hyper jackpot jungle karma laser lotto lucky magic maze meme mega neon ninja
nova orbit panda pixel pirate planet poker quest rapid retro rocket shadow
slots spin star storm stream sushi tiger titan turbo ultra vapor video viper
vortex wave wild wizard zebra zen zone
""".split()
TLDS = ["com", "net", "org", "io", "tv", "xyz"]
SEED = 0x75726C


def rule_parts(i):
    """(kind, fields) of rule i, from its own PRNG: independent of N."""
    r = random.Random(SEED * 1000003 + i)
    a, b, c = r.sample(WORDS, 3)
    tld1, tld2 = r.sample(TLDS, 2)
    kind = r.choices(["url", "host", "path", "urlpath"], weights=[4, 3, 2, 1])[0]
    return kind, dict(i=i, a=a, b=b, c=c, t1=tld1, t2=tld2, n=r.randrange(100, 999))


def rule_text(i):
    kind, f = rule_parts(i)
    if kind == "url":
        return "url ^https?://([a-z0-9-]+\\.)*{a}-{b}-{i}\\.({t1}|{t2})/".format(**f)
    if kind == "host":
        return "host (^|\\.){a}{i}{b}\\.{t1}$".format(**f)
    if kind == "path":
        return "path ^/{a}/({b}|{c})/[0-9]+/{i}-".format(**f)
    return "url ^https?://[^/]+/{a}{i}/{b}\\?id=[0-9]+&src={c}".format(**f)


def rule_hit(i):
    """A URL that rule i matches and, by its unique literal, no other."""
    kind, f = rule_parts(i)
    if kind == "url":
        return "http://www.{a}-{b}-{i}.{t2}/watch/{n}".format(**f)
    if kind == "host":
        return "http://cdn.{a}{i}{b}.{t1}/index.html".format(**f)
    if kind == "path":
        return "http://site{n}.example.{t1}/{a}/{c}/{n}/{i}-page.html".format(**f)
    return "http://portal{n}.example.{t2}/{a}{i}/{b}?id={n}&src={c}".format(**f)


def selected(n, every):
    return range(every - 1, n, every) if every > 1 else range(n)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["rules", "hits", "misses"])
    ap.add_argument("n", type=int)
    ap.add_argument("count", type=int, nargs="?", default=1000)
    ap.add_argument("--every", type=int, default=1)
    ap.add_argument("--response", choices=["drop", "reset", "page"])
    args = ap.parse_args()
    if args.what == "rules":
        opt = f" response={args.response}" if args.response else ""
        print(f"# {args.n} generated rules (bench/gen_rules.py), every {args.every}")
        for i in selected(args.n, args.every):
            print(f"block {rule_text(i)}{opt} id=g{i}")
    elif args.what == "hits":
        for i in selected(args.n, args.every):
            print(rule_hit(i))
    else:
        # numbers past N: same words, same shapes, no rule's literal
        for k in range(args.count):
            print(rule_hit(args.n + k))


if __name__ == "__main__":
    main()
