#!/usr/bin/python3
"""Pictures of an icesim campaign, from its output files alone (h5py, numpy, matplotlib).

usage: plot_icesim.py DIR   (DIR holds icesim.h5, icesim_events.h5, icesim_tables.h5 and,
                             optionally, metrics.json from --metrics)

Writes into DIR:
  angular_error.png   line-fit angular error and trigger efficiency against muon energy
  event_display.png   the array, one event's pulses coloured by time, the true and fitted tracks
  timeline.png        which rank worked on which packet when (needs metrics.json)
  summaries.png       the run's summaries, merged across workers: trigger efficiency against
                      the generated energy, and pulses per string (from icesim.h5's /summaries)
"""
import json
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import icesim_frames  # noqa: E402


def travel_direction(zenith, azimuth):
    return -np.array([np.sin(zenith) * np.cos(azimuth), np.sin(zenith) * np.sin(azimuth), np.cos(zenith)])


def plot_angular_error(directory):
    with h5py.File(os.path.join(directory, "icesim_tables.h5"), "r") as f:
        truth, fit = f["MCMuon"][:], f["LineFit"][:]
    with h5py.File(os.path.join(directory, "icesim_events.h5"), "r") as f:
        all_muons, trigger = f["MCMuon"][:], f["Trigger"][:]
    if "ok" not in (fit.dtype.names or ()) or len(fit) == 0:
        return None  # no muon passed the trigger
    ok = fit["ok"]
    energy = truth["energy"][ok]
    error = icesim_frames.opening_angle(truth["zenith"], truth["azimuth"], fit["zenith"], fit["azimuth"])[ok]
    edges = np.logspace(2, 6, 13)
    centres = np.sqrt(edges[:-1] * edges[1:])

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 7), sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    top.scatter(energy, error, s=3, alpha=0.3, color="tab:blue", label="events")
    medians = [np.median(error[(energy >= lo) & (energy < hi)]) if np.any((energy >= lo) & (energy < hi)) else np.nan
               for lo, hi in zip(edges[:-1], edges[1:])]
    top.plot(centres, medians, "o-", color="tab:red", label="median")
    top.set_xscale("log")
    top.set_yscale("log")
    top.set_ylabel("line-fit angular error [deg]")
    top.set_title(f"LineFit on {ok.sum()} triggered muons")
    top.legend()
    top.grid(alpha=0.3)

    rates, counts = [], []
    for lo, hi in zip(edges[:-1], edges[1:]):
        selected = (all_muons["energy"] >= lo) & (all_muons["energy"] < hi)
        counts.append(selected.sum())
        rates.append(trigger["passed"][selected].mean() if selected.any() else np.nan)
    bottom.plot(centres, rates, "s-", color="tab:green")
    bottom.set_ylim(0, 1.05)
    bottom.set_xscale("log")
    bottom.set_xlabel("muon energy [GeV]")
    bottom.set_ylabel("trigger efficiency")
    bottom.grid(alpha=0.3)
    fig.tight_layout()
    path = os.path.join(directory, "angular_error.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_event_display(directory):
    geometry, chosen, best, pulses_chosen = None, None, -1, None
    muons = {}
    for _, stop, objects in icesim_frames.frames(os.path.join(directory, "icesim.h5"), stops="GQP"):
        if stop == "G" and geometry is None:
            geometry = icesim_frames.decode(*objects["Geometry"])
        elif stop == "Q":
            event = icesim_frames.event_number(objects)
            muons[event] = icesim_frames.decode(*objects["MCMuon"])
        elif stop == "P":
            event = icesim_frames.event_number(objects)
            pulses = icesim_frames.decode(*objects["CleanedPulses"])
            # A clear event: light on the most strings, but not one of the very brightest.
            strings = len(np.unique(geometry["string"][pulses["module"]]))
            if strings > best and len(pulses["module"]) <= 150:
                chosen, best, pulses_chosen = event, strings, pulses
    if geometry is None or chosen is None:
        return None
    pulses, muon = pulses_chosen, muons[chosen]
    with h5py.File(os.path.join(directory, "icesim_tables.h5"), "r") as f:
        fits = f["LineFit"][:]
    fit = fits[fits["Event"] == chosen][0]

    fig = plt.figure(figsize=(8, 7))
    ax = fig.add_subplot(projection="3d")
    for string in np.unique(geometry["string"]):
        on = geometry["string"] == string
        ax.plot(geometry["x"][on][[0, -1]], geometry["y"][on][[0, -1]], [geometry["z"][on].max(), geometry["z"][on].min()],
                color="0.8", lw=0.6)
    m = pulses["module"]
    scale = 8 + 40 * np.sqrt(pulses["charge"] / pulses["charge"].max())
    points = ax.scatter(geometry["x"][m], geometry["y"][m], geometry["z"][m], c=pulses["time"], s=scale, cmap="rainbow",
                        depthshade=False)
    span = np.linspace(-900, 900, 2)
    true_dir = travel_direction(muon["zenith"], muon["azimuth"])
    line = np.array([muon["x"], muon["y"], muon["z"]])[:, None] + true_dir[:, None] * span
    ax.plot(*line, color="black", lw=1.5, label=f"true muon, {muon['energy']:.0f} GeV")
    fit_dir = travel_direction(fit["zenith"], fit["azimuth"])
    line = np.array([fit["x"], fit["y"], fit["z"]])[:, None] + fit_dir[:, None] * span
    error = icesim_frames.opening_angle(muon["zenith"], muon["azimuth"], fit["zenith"], fit["azimuth"])
    ax.plot(*line, color="tab:red", lw=1.5, ls="--", label=f"line fit, {error:.1f} deg off")
    limit = 700
    ax.view_init(elev=15, azim=-37)  # off the hexagonal grid's rows, so strings do not hide each other
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_zlim(-limit, limit)
    ax.set_xlabel("x [m]")
    ax.set_ylabel("y [m]")
    ax.set_zlabel("z [m]")
    ax.set_title(f"event {chosen}: {len(m)} coincident pulses on {best} strings")
    fig.colorbar(points, ax=ax, shrink=0.6, label="pulse time [ns]")
    ax.legend(loc="upper left")
    path = os.path.join(directory, "event_display.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_timeline(directory):
    metrics_path = os.path.join(directory, "metrics.json")
    if not os.path.exists(metrics_path):
        return None
    with open(metrics_path) as f:
        metrics = json.load(f)
    timeline = metrics["timeline"]
    ranks = sorted({p["rank"] for p in timeline})
    fig, ax = plt.subplots(figsize=(10, 1.2 + 0.7 * len(ranks)))
    durations = np.array([p["end"] - p["start"] for p in timeline])
    norm = matplotlib.colors.LogNorm(vmin=max(durations.min(), 1e-4), vmax=max(durations.max(), 1e-3))
    colours = plt.cm.viridis(norm(np.maximum(durations, 1e-4)))
    for packet, colour in zip(timeline, colours):
        ax.broken_barh([(packet["start"], packet["end"] - packet["start"])], (packet["rank"] - 0.4, 0.8),
                       facecolors=colour)
    ax.set_yticks(ranks)
    ax.set_yticklabels([f"rank {r}" for r in ranks])
    ax.set_xlabel("seconds since the run started")
    busy = {w["rank"]: w["busy_seconds"] for w in metrics["workers"]}
    ax.set_title(f"{metrics['dispatcher']['packets']} packets on {len(ranks)} workers ({metrics['schedule']} schedule, "
                 f"window {metrics['window']})\n" + ", ".join(f"rank {r} busy {busy.get(r, 0):.1f} s" for r in ranks),
                 fontsize=10)
    fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap="viridis"), ax=ax, label="packet time [s]")
    fig.tight_layout()
    path = os.path.join(directory, "timeline.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_summaries(directory):
    with h5py.File(os.path.join(directory, "icesim.h5"), "r") as f:
        if "summaries" not in f:
            return None  # a stopped run, or a file from before summaries
        s = f["summaries"]
        edges = s["IceSimSource/log10_energy/edges"][()]
        generated = s["IceSimSource/log10_energy/counts"][()]
        triggered = s["Trigger/log10_energy/counts"][()]
        n_generated, n_triggered = int(s["IceSimSource/generated"][()]), int(s["Trigger/triggered"][()])
        strings = s["HitMaker/pulses_per_string"]
        string_edges, pulses, charge = strings["edges"][()], strings["counts"][()], strings["sumw"][()]

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    centres = 10 ** (0.5 * (edges[:-1] + edges[1:]))
    seen = generated > 0
    efficiency = np.divide(triggered, generated, out=np.zeros(len(generated)), where=seen)
    error = np.sqrt(efficiency * (1 - efficiency) / np.maximum(generated, 1))
    left.errorbar(centres[seen], efficiency[seen], yerr=error[seen], fmt="s-", color="tab:green")
    left.set_xscale("log")
    left.set_ylim(0, 1.05)
    left.set_xlabel("muon energy [GeV]")
    left.set_ylabel("triggered / generated")
    left.set_title(f"trigger efficiency: {n_triggered} of {n_generated} muons (summaries)")
    left.grid(alpha=0.3)
    numbers = 0.5 * (string_edges[:-1] + string_edges[1:])
    right.bar(numbers, pulses, width=1.0, color="tab:blue", label="pulses")
    right.set_xlabel("string")
    right.set_ylabel("pulses")
    twin = right.twinx()
    twin.plot(numbers, charge, ".", color="tab:orange", label="charge [PE]")
    twin.set_ylabel("charge [PE]")
    right.set_title(f"pulses per string: {int(pulses.sum())} pulses, {charge.sum():.0f} PE")
    fig.tight_layout()
    path = os.path.join(directory, "summaries.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    directory = sys.argv[1]
    for make in (plot_angular_error, plot_event_display, plot_timeline, plot_summaries):
        path = make(directory)
        if path:
            print(path)


if __name__ == "__main__":
    main()
