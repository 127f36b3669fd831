"""docs/benchmarks.md and docs/bench-*.png from bench/results.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

from bench.common import REPO

DOCS = REPO / "docs"

# What was changed to make site.yml faster, with the effect measured by profiling runs (profile_tasks) while the
# change was made: medians of 3 runs before/after on the same machine. The current totals are in the tables.
OPTIMISATIONS: list[tuple[str, str]] = []


def _bar(axis: Any, labels: list[str], stats: list[dict[str, Any]], colours: list[str]) -> None:
    medians = [stat["median"] for stat in stats]
    errors = [[stat["median"] - stat["min"] for stat in stats], [stat["max"] - stat["median"] for stat in stats]]
    bars = axis.bar(labels, medians, yerr=errors, capsize=6, color=colours)
    for rectangle, value, stat in zip(bars, medians, stats, strict=True):
        axis.annotate(
            f"{value:.2f} s",
            (rectangle.get_x() + rectangle.get_width() / 2, stat["max"]),
            ha="center",
            va="bottom",
            xytext=(0, 3),
            textcoords="offset points",
            fontsize=9,
        )


def _plot_converge(data: dict[str, Any]) -> str:
    seconds = data["seconds"]
    figure, axis = plt.subplots(figsize=(8, 4))
    _bar(
        axis,
        ["hand script", "hand\nre-run", "plain\nplaybook", "plain\nre-run", "site.yml", "site.yml\nre-run"],
        [
            seconds["baseline"],
            seconds["baseline_rerun"],
            seconds["plain"],
            seconds["plain_rerun"],
            seconds["site"],
            seconds["site_rerun"],
        ],
        ["#7a7a7a", "#b0b0b0", "#2ca02c", "#98df8a", "#1f77b4", "#6baed6"],
    )
    plain = seconds["plain"]["median"]
    for limit, text, offset in ((plain, "1.0x plain (site goal)", 3), (0.75 * plain, "0.75x plain (re-run goal)", -10)):
        axis.axhline(limit, linestyle="--", linewidth=1, color="#d62728")
        axis.annotate(
            text, (5.45, limit), ha="right", xytext=(0, offset), textcoords="offset points", fontsize=8, color="#d62728"
        )
    axis.set_ylim(top=max(stat["max"] for stat in seconds.values() if "max" in stat) * 1.12)  # room for the labels
    axis.set_ylabel("wall seconds (median, bars = min..max)")
    ratios = data["ratios"]
    axis.set_title(
        f"Converge on a fresh 3-node twin: site.yml = {ratios['site_to_plain']['median']}x the plain playbook, "
        f"re-run = {ratios['rerun_to_plain']['median']}x",
        fontsize=10,
    )
    return _save(figure, "bench-converge.png")


def _plot_latency(detection: dict[str, Any] | None, failover: dict[str, Any] | None) -> str:
    rows: list[tuple[str, dict[str, Any]]] = []
    if detection:
        rows += [
            ("converged → lb_verify poll healthy", detection["route_to_poll_healthy"]),
            ("converged → verify.yml verdict", detection["route_to_verify_finished"]),
        ]
    if failover:
        killed = failover["default_timers"]["node_down"]
        dead = failover["fast_timers"]["dead_link"]
        rows += [
            ("node-down → route withdrawn", killed["route_withdrawn"]),
            ("node-down → verify.yml reports", killed["verify_reported"]),
            ("dead link, hold 3 s → route withdrawn", dead["route_withdrawn"]),
            ("dead link, hold 3 s → verify.yml reports", dead["verify_reported"]),
        ]
    figure, axis = plt.subplots(figsize=(8, 0.6 * len(rows) + 1.2))
    labels = [label for label, _stat in rows][::-1]
    stats = [stat for _label, stat in rows][::-1]
    medians = [max(stat["median"], 0.001) for stat in stats]
    errors = [[stat["median"] - stat["min"] for stat in stats], [stat["max"] - stat["median"] for stat in stats]]
    colours = [
        "#d62728" if "dead link" in label else "#ff7f0e" if "node-down" in label else "#2ca02c" for label in labels
    ]
    axis.barh(labels, medians, xerr=errors, capsize=4, color=colours)
    for index, (value, stat) in enumerate(zip(medians, stats, strict=True)):
        axis.annotate(
            f"{value:.3f} s" if value < 1 else f"{value:.2f} s",
            (stat["max"], index),
            xytext=(4, -4),
            textcoords="offset points",
            fontsize=8,
        )
    axis.set_xscale("log")
    axis.set_xlim(right=max(stat["max"] for stat in stats) * 4)  # room for the labels
    axis.axvline(1.0, linestyle="--", linewidth=1, color="#d62728")
    axis.set_xlabel("seconds, log scale (median, bars = min..max); red line = 1 s")
    axis.set_title("Detection and failover on the 3-node twin", fontsize=10)
    return _save(figure, "bench-latency.png")


def _scale_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    if "converge" in results and "detection" in results:
        seconds = results["converge"]["seconds"]
        rows.append(
            {
                "nodes": 3,
                "up": seconds["up"],
                "site": seconds["site"],
                "verify": results["detection"]["verify_on_converged_twin"],
            }
        )
    rows += results.get("scale", {}).get("results", [])
    return sorted(rows, key=lambda row: row["nodes"])


def _plot_scale(rows: list[dict[str, Any]]) -> str:
    figure, axis = plt.subplots(figsize=(7, 4))
    nodes = [row["nodes"] for row in rows]
    for key, label, colour in (
        ("up", "twin bring-up", "#7a7a7a"),
        ("site", "site.yml", "#1f77b4"),
        ("verify", "verify.yml", "#2ca02c"),
    ):
        medians = [row[key]["median"] for row in rows]
        errors = [
            [row[key]["median"] - row[key]["min"] for row in rows],
            [row[key]["max"] - row[key]["median"] for row in rows],
        ]
        axis.errorbar(nodes, medians, yerr=errors, marker="o", capsize=4, label=label, color=colour)
    axis.set_xticks(nodes)
    axis.set_xlabel("nodes (maximum-paths raised to match)")
    axis.set_ylabel("wall seconds (median, bars = min..max)")
    axis.set_ylim(bottom=0)
    axis.legend()
    axis.set_title("Scale: time against node count", fontsize=10)
    return _save(figure, "bench-scale.png")


def _plot_validation(data: dict[str, Any]) -> str:
    figure, axis = plt.subplots(figsize=(6, 3.5))
    counts = [row["existing_pools"] for row in data["results"]]
    medians = [row["median_ms"] for row in data["results"]]
    axis.plot(counts, medians, marker="o", color="#9467bd")
    for count, value in zip(counts, medians, strict=True):
        axis.annotate(f"{value:.2f} ms", (count, value), xytext=(4, -10), textcoords="offset points", fontsize=8)
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("existing IPPools")
    axis.set_ylabel("ms per validation (median)")
    axis.set_title("lb_cidr_validate against N existing pools", fontsize=10)
    return _save(figure, "bench-validation.png")


def _save(figure: Any, name: str) -> str:
    figure.tight_layout()
    figure.savefig(DOCS / name, dpi=110)
    plt.close(figure)
    return name


def _stat(stat: dict[str, Any], unit: str = "s", digits: int = 2) -> str:
    return f"{stat['median']:.{digits}f} {unit} ({stat['min']:.{digits}f}-{stat['max']:.{digits}f}, n={stat['n']})"


def _met(met: bool) -> str:
    return "met" if met else "**not met**"


def write(results: dict[str, Any]) -> Path:
    DOCS.mkdir(exist_ok=True)
    info = results.get("machine", {})
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`python -m bench`) from `bench/results.json`; do not edit by hand.",
        "Every figure is the median of repeated runs with the spread as (min-max, n=runs); ratios are taken within",
        "one repeat (both sides measured back to back on fresh twins) and then the median of those ratios.",
        "",
        "## Machine",
        "",
        f"{info.get('nproc')} CPUs ({info.get('cpu_model')}), kernel {info.get('kernel')}, Python {info.get('python')},"
        f" ansible-core {info.get('ansible_core')}, FRR {info.get('frr')}, BIRD {info.get('bird')};"
        f" load average at start {info.get('load_average_at_start')}; {info.get('date')}."
        f" The whole run took {results.get('bench_seconds')} s. The machine is shared: absolute seconds move with",
        "the load, the ratios much less.",
        "",
    ]
    if "converge" in results:
        data = results["converge"]
        seconds, ratios = data["seconds"], data["ratios"]
        lines += [
            "## 1. Converge: site.yml beside the plain playbook and the hand-run baseline",
            "",
            "Three ways to the same end state, each on a fresh twin, measured back to back in every repeat:",
            "",
            "- `bench/plain.yml`, what a user would write with kubernetes.core instead of the collection: the IPPool",
            "  and the Service in one `k8s` task, a merge patch of BGPConfiguration `default`, a `k8s_info` wait for",
            "  the external IP and one `command` with vtysh on the router. No validation, no verification.",
            "- `bench/baseline.sh`, the lab's steps by hand: `kubectl apply`, `kubectl patch`, a 0.25 s poll for the",
            "  IP, `vtysh … maximum-paths 4` over SSH, and a wait for 3 next hops in `ip -n tor route`.",
            "- `site.yml`, which also validates every input against the cluster and the router before the first",
            "  write, and ends with `lb_verify` (BGP sessions, ECMP next hops, 30 HTTP flows from the router, JSON",
            "  and Markdown reports).",
            "",
            "| run | wall time | x plain playbook | x hand script | goal |",
            "|---|---|---|---|---|",
            f"| hand script on a fresh twin | {_stat(seconds['baseline'])} | | 1 | |",
            f"| hand script again (nothing to do) | {_stat(seconds['baseline_rerun'])} | | | |",
            f"| plain kubernetes.core playbook on a fresh twin | {_stat(seconds['plain'])} | 1 | | |",
            f"| plain playbook again | {_stat(seconds['plain_rerun'])} | | | |",
            f"| `ansible-playbook site.yml` on a fresh twin | {_stat(seconds['site'])} |"
            f" **{_stat(ratios['site_to_plain'], 'x')}** | {_stat(ratios['site_to_baseline'], 'x')} |"
            f" ≤ 1.0x plain {_met(data['met']['site_to_plain'])}, ≤ 8x hand {_met(data['met']['site_to_baseline'])} |",
            f"| site.yml again (idempotent, 0 changed) | {_stat(seconds['site_rerun'])} |"
            f" **{_stat(ratios['rerun_to_plain'], 'x')}** | {_stat(ratios['rerun_to_baseline'], 'x')} |"
            f" ≤ 0.75x plain {_met(data['met']['rerun_to_plain'])},"
            f" ≤ 6x hand {_met(data['met']['rerun_to_baseline'])} |",
            "",
            f"![converge]({_plot_converge(data)})",
            "",
        ]
        lines += _dry_run_notes(data)
        lines += _converge_notes(data)
    if "detection" in results:
        data = results["detection"]
        lines += [
            "## 2. Detection latency",
            "",
            "The router is put back to `maximum-paths 1`, `playbooks/verify.yml` is started, and `maximum-paths 4`",
            "is set as soon as lb_verify's route task is seen retrying. A thread reads `ip -n tor -j route` in a",
            "tight loop and stamps the moment the kernel route has 3 next hops; the gap is measured from there.",
            "",
            "| from route converged to | seconds | goal |",
            "|---|---|---|",
            f"| lb_verify's polling task sees it healthy | {_stat(data['route_to_poll_healthy'], 's', 3)} |"
            f" < 1 s {'met' if data['met'] else '**not met**'} |",
            f"| verify.yml has finished (verdict, HTTP test, reports) | {_stat(data['route_to_verify_finished'])} | |",
            f"| a whole verify.yml on a converged twin | {_stat(data['verify_on_converged_twin'])} |"
            f" < 3 s {_met(data['verify_on_converged_twin']['median'] < 3.0)} |",
            "",
            "The polling gap is one `lb_verify_poll_interval` (0.2 s) plus one vtysh round trip over SSH (`raw`:",
            "route, sessions and running-config in one call, no module run); the rest of verify.yml is the verdict,",
            "the HTTP flows and the reports, which are done once after the route is seen.",
            "",
        ]
    if "failover" in results:
        data = results["failover"]
        killed = data["default_timers"]["node_down"]
        fast = data["fast_timers"]
        default_hold, fast_hold = data["default_timers"]["negotiated_hold_seconds"], fast["negotiated_hold_seconds"]
        lines += [
            "## 3. Failover",
            "",
            "`k01-worker2` fails. The route is watched as above; `verify.yml` is started the moment the route loses",
            "the node (as a monitoring job would be) with `lb_verify_timeout=1` (one more read after 1 s) and",
            "`lb_verify_fail_on_unhealthy=false`, and must name 10.10.10.12 as missing.",
            "",
            "| fault | BGP timers (negotiated hold) | route withdrawn after | verify.yml reported after |",
            "|---|---|---|---|",
            f"| `bgp-lb-twin node-down` (BIRD stopped) | lab defaults ({default_hold:.0f} s)"
            f" | {_stat(killed['route_withdrawn'], 's', 3)} | {_stat(killed['verify_reported'])} |",
            f"| dead link (node's bridge port down in `tor`) | router: peer group `timers 1 3`"
            f" ({fast_hold:.0f} s)"
            f" | {_stat(fast['dead_link']['route_withdrawn'])} | {_stat(fast['dead_link']['verify_reported'])} |",
            f"| dead link | lab defaults ({data['default_timers']['negotiated_hold_seconds']:.0f} s) |"
            f" not run: {data['not_measured']['dead_link_default_timers']} | |",
            "",
            f"![latency]({_plot_latency(results.get('detection'), data)})",
            "",
        ]
        lines += FAILOVER_NOTES
    elif "detection" in results:
        lines += [f"![latency]({_plot_latency(results['detection'], None)})", ""]
    rows = _scale_rows(results)
    if rows:
        lines += [
            "## 4. Scale",
            "",
            "Fresh twin with N nodes (`bgp-lb-twin up --nodes N`), site.yml with `upstream_ecmp_maximum_paths=N`,",
            "then verify.yml on the converged twin. The 3-node row reuses sections 1 and 2.",
            "",
            "| nodes | twin bring-up | site.yml | verify.yml |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {row['nodes']} | {_stat(row['up'])} | {_stat(row['site'])} | {_stat(row['verify'])} |" for row in rows
        ]
        lines += ["", f"![scale]({_plot_scale(rows)})", ""]
        lines += _scale_notes(rows)
    if "validation" in results:
        data = results["validation"]
        lines += [
            "## 5. Validation",
            "",
            f"{data['what']} (`bench/bench_validation.py`, Python {data['python']}).",
            "",
            "| existing pools | ms per validation |",
            "|---|---|",
        ]
        lines += [
            f"| {row['existing_pools']:,} | {row['median_ms']:.3f} ms ({row['min_ms']:.3f}-{row['max_ms']:.3f},"
            f" n={row['repeats']}) |"
            for row in data["results"]
        ]
        lines += ["", f"![validation]({_plot_validation(data)})", ""]
    target = DOCS / "benchmarks.md"
    target.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return target


def _scale_notes(rows: list[dict[str, Any]]) -> list[str]:
    if len(rows) < 2:
        return []
    first, last = rows[0], rows[-1]
    factor = last["nodes"] / first["nodes"]
    growth = {key: last[key]["median"] / first[key]["median"] for key in ("up", "site", "verify")}
    return [
        f"From {first['nodes']} to {last['nodes']} nodes ({factor:.0f}x the nodes): bring-up x{growth['up']:.1f},"
        f" site.yml x{growth['site']:.2f}, verify.yml x{growth['verify']:.2f}. site.yml does a fixed number of",
        "tasks whatever the node count (the node list is one read), so it stays nearly flat; verify.yml's work per",
        "node is one next hop to compare and a share of the HTTP flows.",
        "",
    ]


# profile_tasks of site.yml on a fresh twin before the speed-up (commit 3b30520, 2026-12-05, this machine): 24.4 s,
# 82 tasks; the plain playbook took 4.65 s in the same sitting.
PROFILE_BEFORE = [
    ("lb_pool : Read the IPPools, Nodes and BGPPeers (3 k8s_info runs)", 2.76),
    ("lb_pool : Apply IPPool loadbalancer-ip-pool", 1.24),
    ("Read the Nodes once to prove the API (k8s_info)", 1.17),
    ("bgp_advertisement : Apply the BGPPeers (unchanged)", 1.07),
    ("bgp_advertisement : Write BGPConfiguration default", 1.03),
    ("lb_service : Apply the Service", 1.01),
    ("lb_verify : Read the Nodes and the Service (k8s_info)", 0.97),
    ("lb_service : Wait for Calico to assign the external IP", 0.93),
    ("bgp_advertisement : Read BGPConfiguration default (k8s_info)", 0.91),
    ("lb_service : Read the LoadBalancer IPPools (k8s_info)", 0.89),
    ("upstream_ecmp : Dry-run the FRR change", 0.86),
    ("lb_verify : Write the JSON report (copy)", 0.77),
    ("lb_verify : Read the BGP sessions and maximum-paths", 0.68),
    ("lb_verify : Write the Markdown report (template)", 0.67),
    ("lb_verify : Read the route", 0.67),
    ("six pure modules (validate, specs, verdict), each", 0.55),
    ("Check that bgp_lb_kubeconfig exists (stat)", 0.51),
    ("lb_verify : Create the report directory (file)", 0.48),
]

WHAT_MOVED = [
    "| change | effect (this machine) |",
    "|---|---|",
    "| the pure modules (`lb_cidr_validate`, the `*_spec` modules, `ecmp_route_check`) run as action plugins in the"
    " controller over the same module_utils | ~0.55 s each as a module run, ~0.02-0.05 s as an action: ~3.5 s |",
    "| reads through kubernetes.core's `k8s` lookup (in the controller, one process for all of a role's reads)"
    " instead of `k8s_info` runs | ~0.35 s per role instead of ~0.9-1.0 s per object kind: ~5 s |",
    "| an apply whose manifest the live object already holds is not sent (`manifest_drift` over the read the role"
    " made anyway); no IP wait for an unchanged Service that has its address | the seeded BGPPeer is never"
    " re-applied; on a re-run no Kubernetes write runs at all: ~1-4 s |",
    "| BGPConfiguration's read-merge-write with its 409 loop in one module (`lb_advert_apply`, over kubernetes.core's"
    " client), its first write based on the preflight's read | one run instead of a read, a spec and a write, and"
    " no recursive `include_tasks` |",
    "| lb_verify: route, sessions and running-config in one vtysh call; reports written by one action on the"
    " controller | ~0.7 s and ~1.8 s (a `file`, a `copy` and a `template` module run) |",
    "| the kubeconfig check is a Jinja `is file` test, not a `stat` run | ~0.5 s |",
    "| every Kubernetes read and write through the collection's bounded actions (`k8s_read`, `k8s_apply`,"
    " `lb_advert_apply`, `k8s_dry_run`, in the controller, no API discovery) instead of kubernetes.core's lookup"
    " and modules, which take no request timeout | no module process per write; see the converge table |",
]


def _dry_run_notes(data: dict[str, Any]) -> list[str]:
    seconds, ratios = data["seconds"], data["ratios"]
    if "dry_run" not in seconds:
        return []
    return [
        "### What the preflight's dry run costs",
        "",
        "Before its first write site.yml submits every write it will make as a server-side dry run (the task"
        " `Dry-run every Kubernetes write of the run`, module `k8s_dry_run`; README, *When something is refused*)."
        " Its time is profile_tasks' figure for that task in the runs above. What a user would run by hand instead,"
        " on the same fresh twin just before site.yml: `kubectl apply --server-side --dry-run=server` of the lab's"
        " three manifests.",
        "",
        "| | seconds | share of the run |",
        "|---|---|---|",
        f"| dry-run task, site.yml on a fresh twin (every write proven) | {_stat(seconds['dry_run'])} |"
        f" {_stat(ratios['dry_run_share'], 'x')} |",
        f"| dry-run task, idempotent re-run (nothing to prove: skipped) | {_stat(seconds['dry_run_rerun'])} |"
        f" {_stat(ratios['dry_run_share_rerun'], 'x')} |",
        f"| `kubectl apply --server-side --dry-run=server` of the 3 manifests | {_stat(seconds['kubectl_dry_run'])} |"
        f" dry-run task / kubectl: {_stat(ratios['dry_run_to_kubectl'], 'x')} |",
        "",
        "On a re-run every object already holds its manifest, so the task is skipped (filter `drifted_manifests`)."
        " Where a write is due, the task runs in the controller (an action plugin, no module process, no API"
        " discovery) and sends the same three dry runs kubectl sends; the rest is Ansible's per-task cost and the"
        " Kubernetes client's kubeconfig load.",
        "",
    ]


def _converge_notes(data: dict[str, Any]) -> list[str]:
    profile = data.get("profile_last_repeat", {}).get("site", [])
    rerun = data.get("profile_last_repeat", {}).get("site_rerun", [])
    lines = [
        "### Where site.yml's time went before, and what moved it",
        "",
        "Before (profile_tasks, fresh twin, commit 3b30520: 24.4 s for site.yml against 4.65 s for the plain"
        " playbook in the same sitting, 82 tasks):",
        "",
        "| task | seconds |",
        "|---|---|",
        *(f"| {task} | {seconds:.2f} |" for task, seconds in PROFILE_BEFORE),
        "",
        *WHAT_MOVED,
        "",
    ]
    for title, rows in (("fresh run", profile), ("idempotent re-run", rerun)):
        if rows:
            lines += [
                f"### Where site.yml's time goes now ({title}, last repeat)",
                "",
                f"profile_tasks: {len(rows)} tasks, {sum(row['seconds'] for row in rows):.1f} s in tasks. Every task"
                " over 0.1 s:",
                "",
                "| task | seconds |",
                "|---|---|",
                *(f"| {row['task']} | {row['seconds']:.2f} |" for row in rows if row["seconds"] >= 0.1),
                "",
            ]
    lines += [
        "### Why each remaining module run is there",
        "",
        "- **Apply IPPool / Service** (`k8s_apply`, server-side apply, in the controller): the writes themselves,"
        " each request bounded; the plain playbook sends both in one `k8s` module run. Neither is sent on a re-run.",
        "- **Wait for the external IP** (`k8s_read` with `until`): Calico assigns the address asynchronously, so a"
        " read must follow the write; it is the looping task (Ansible templates a task's arguments once, not per"
        " retry, so a lookup could not be).",
        "- **Merge into BGPConfiguration** (`lb_advert_apply`, in the controller): the write with its 409 retry loop.",
        "- **Router dry-run and apply** (`frr_bgp` over SSH, check mode then for real): the preflight must read the"
        " router's BGP instance before the first Kubernetes write; the apply is skipped when the dry run found"
        " nothing to change.",
        "- **Route read and HTTP flows** (vtysh, `lb_http_probe` on the router): verification has to run where the"
        " route is.",
        "- **Dry-run every Kubernetes write** (`k8s_dry_run`): every write proven acceptable before the first one"
        " (see above); skipped when nothing drifts.",
        "- **Kubernetes reads** (`k8s_read`, the Kubernetes client's import in the worker): the preflight probe and"
        " one task per role (lb_pool, lb_service, bgp_advertisement, lb_verify), so each role stays usable on its"
        " own. Every Kubernetes request of the run is bounded by `bgp_lb_kubernetes_timeout`.",
        "",
        "The rest is Ansible's own per-task cost (~20-50 ms a task for ~50 tasks) and `ansible-playbook`'s start.",
        "",
    ]
    return lines


FAILOVER_NOTES: list[str] = [
    "What a user can set, and what it buys:",
    "",
    "- A node whose BGP speaker stops (calico-node restarted, node drained and shut down cleanly) closes its TCP",
    "  session: the router withdraws the path in well under a second whatever the timers. `node-down` stops BIRD",
    "  this way, so it measures this case.",
    "- A node that dies without closing TCP (power loss, cable, kernel hang) is noticed only when the hold timer",
    "  expires. Set the timers on the router's peer group: `neighbor CALICO-K8S timers 1 3` under `router bgp`",
    "  (EOS and FRR). BGP uses the smaller hold time the two sides offer, so the router alone sets it. Calico's",
    "  BGPPeer cannot: Calico 3.30's `projectcalico.org/v3` BGPPeer has no keepaliveTime or holdTime (its API",
    "  server refuses a peer that carries them; 3.32 adds keepaliveTime only), so `bgp_advertisement_peers`",
    "  refuses `keepalive_time`/`hold_time` and names this setting instead. The cost: more keepalives, and a busy",
    "  node that misses 3 s of keepalives is dropped.",
    "- BFD (sub-second dead-link detection) needs both ends. FRR's bfdd runs in the twin's `tor`, but Calico",
    "  open-source BGPPeer has no BFD setting and the twin's BIRD (rendered like calico-node) has none, so it is",
    "  not offered by the collection and not measured. The design notes measured ~0.33 s with BFD 100 ms x 3.",
    "- After the route changes, verify.yml reports it one run later (the table's last column is dominated by",
    "  the run itself: Kubernetes read, route and session reads, 30 HTTP flows, reports).",
    "",
]
