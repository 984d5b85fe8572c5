# SPDX-License-Identifier: GPL-2.0
"""The corpus's figures, as Loupe's paper draws them, with matplotlib:

- cumulative(): the share of applications that require each syscall,
  syscalls ordered from the most required down, one series per dataset;
- heatmap(): applications x syscalls, each cell the syscall's class for
  the application;
- plans(): per OS, the applications supported against the syscalls
  implemented, step by step (kbctl plan).

Each writes NAME.png and NAME.svg and returns the numbers it drew, which
corpus/report.py keeps in report.json. Every drawn bar, cell and point
carries an SVG id (gid) that names what it is, so that a test can read
the figure back and check it against those numbers.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Class colours, the same in every figure and in the HTML report.
COLOURS = {"required": "#c0392b", "stub": "#2e86c1", "fake": "#f39c12",
           "either": "#27ae60", "unused": "#f2f3f4"}
SERIES = ["#1f4e79", "#c55a11", "#548235", "#7030a0"]


def save(fig, out, name):
    for ext in ("png", "svg"):
        fig.savefig("%s/%s.%s" % (out, name, ext), dpi=110, bbox_inches="tight",
                    metadata={"Date": None} if ext == "svg" else None)
    plt.close(fig)


def gid(s):
    """An SVG id made of what matplotlib keeps as it is."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in s)


def cumulative(datasets, out, top=60):
    """datasets: [(label, {app: {syscall: class}})]. For each, the share
    (%) of its applications that require each syscall, ordered."""
    drawn = {}
    fig, ax = plt.subplots(figsize=(13, 4.5))
    width = 0.8 / len(datasets)
    order = None
    for k, (label, apps) in enumerate(datasets):
        req = {}
        for cls in apps.values():
            for s, c in cls.items():
                if c == "required":
                    req[s] = req.get(s, 0) + 1
        share = {s: 100.0 * n / len(apps) for s, n in req.items()}
        ranked = sorted(share, key=lambda s: (-share[s], s))
        drawn[label] = {"apps": len(apps), "ranked": [[s, share[s]] for s in ranked]}
        if order is None:
            order = ranked[:top]
        bars = ax.bar([i + k * width for i in range(len(order))],
                      [share.get(s, 0.0) for s in order], width,
                      label="%s (%d apps)" % (label, len(apps)), color=SERIES[k % len(SERIES)])
        for s, b in zip(order, bars):
            b.set_gid(gid("cum-%d-%s" % (k, s)))
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(order))])
    ax.set_xticklabels(order, rotation=90, fontsize=7)
    ax.set_ylabel("applications that require it (%)")
    ax.set_ylim(0, 100)
    ax.set_title("Syscalls required, most required first (the first %d of %s)"
                 % (len(order), datasets[0][0]))
    ax.legend()
    save(fig, out, "cumulative")
    return {"order": order, "series": drawn}


def heatmap(apps, out, top=80):
    """apps: {app: {syscall: class}}: applications x the syscalls most of
    them use, coloured by class."""
    names = sorted(apps)
    used = {}
    for cls in apps.values():
        for s in cls:
            used[s] = used.get(s, 0) + 1
    cols = sorted(used, key=lambda s: (-used[s], s))[:top]
    keys = list(COLOURS)
    grid = [[apps[a].get(s, "unused") for s in cols] for a in names]
    fig, ax = plt.subplots(figsize=(max(8, len(cols) * 0.16), max(4, len(names) * 0.2)))
    # One rectangle per cell (not an image): each carries its gid.
    for y, row in enumerate(grid):
        for x, c in enumerate(row):
            r = plt.Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=COLOURS[c],
                              edgecolor="white", linewidth=0.3)
            r.set_gid(gid("cell-%s-%s" % (names[y], cols[x])))
            ax.add_patch(r)
    ax.set_xlim(-0.5, len(cols) - 0.5)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels(cols, rotation=90, fontsize=6)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names, fontsize=7)
    handles = [plt.Rectangle((0, 0), 1, 1, color=COLOURS[c]) for c in keys]
    ax.legend(handles, keys, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    ax.set_title("Each application's class of the %d syscalls the most applications make"
                 % len(cols))
    save(fig, out, "heatmap")
    return {"apps": names, "syscalls": cols, "cells": grid}


def plans(plans_by_os, out, name="plans"):
    """plans_by_os: {os: [(label, plan JSON of kbctl plan)]}: per OS,
    the applications supported against the syscalls implemented."""
    drawn = {}
    oses = sorted(plans_by_os)
    cols = 4
    rows = (len(oses) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3 * rows), squeeze=False)
    for i, os_name in enumerate(oses):
        ax = axes[i // cols][i % cols]
        drawn[os_name] = {}
        for k, (label, plan) in enumerate(plans_by_os[os_name]):
            total = len(plan["apps"])
            xs = [s["syscalls_implemented"] for s in plan["steps"]]
            ys = [100.0 * s["apps_supported"] / total for s in plan["steps"]]
            line, = ax.step(xs, ys, where="post", color=SERIES[k % len(SERIES)],
                            label=label)
            line.set_gid(gid("plan-%s-%d" % (os_name, k)))
            drawn[os_name][label] = {"apps": total, "points": list(zip(xs, ys))}
        ax.set_title("%s (%d syscalls)" % (os_name, plans_by_os[os_name][0][1]["os"]["syscalls"]),
                     fontsize=9)
        ax.set_ylim(0, 101)
        ax.set_xlabel("syscalls implemented", fontsize=8)
        ax.set_ylabel("apps supported (%)", fontsize=8)
        ax.tick_params(labelsize=7)
        if i == 0:
            ax.legend(fontsize=7)
    for j in range(len(oses), rows * cols):
        axes[j // cols][j % cols].axis("off")
    fig.suptitle("Support plans: applications supported as syscalls are implemented")
    fig.tight_layout()
    save(fig, out, name)
    return drawn
