#!/usr/bin/python3
"""Checks an icesim campaign's output with h5py, numpy and pandas alone (no mpitray):
the tables are there with their documented columns and one row per frame, and the physics makes
sense in ways that could fail: dead modules carry no pulses, the trigger rejects some low-energy
events and keeps most high-energy ones, and the line fit points near the true direction.

usage: check_icesim.py SCRIPTS_DIR FRAMES.h5 EVENT_TABLES.h5 PHYSICS_TABLES.h5
"""
import sys

import h5py
import numpy as np
import pandas

sys.path.insert(0, sys.argv[1])
import icesim_frames  # noqa: E402

frames_path, events_path, physics_path = sys.argv[2:5]
INDEX = ["Run", "Event", "SubEvent"]
COLUMNS = {
    "MCMuon": ["x", "y", "z", "time", "zenith", "azimuth", "energy"],
    "LineFit": ["x", "y", "z", "time", "zenith", "azimuth", "speed", "pulses", "ok"],
    "Trigger": ["passed", "multiplicity", "channels", "time"],
}

# --- the frame file: dead modules never carry pulses --------------------------------------------
dead, dead_sets, q_events, p_events = set(), [], [], []
pulses_checked = pulses_on_other_dead = 0
for position, stop, objects in icesim_frames.frames(frames_path):
    if stop == "D":
        dead = set(icesim_frames.decode(*objects["DeadModules"]).tolist())
        dead_sets.append(dead)
    elif stop == "Q":
        q_events.append(icesim_frames.event_number(objects))
        modules = icesim_frames.decode(*objects["Pulses"])["module"]
        hit_dead = set(modules.tolist()) & dead
        assert not hit_dead, f"Q frame at {position}: pulses on dead modules {sorted(hit_dead)}"
        pulses_checked += len(modules)
        others = set().union(*dead_sets[:-1]) - dead if len(dead_sets) > 1 else set()
        pulses_on_other_dead += len(set(modules.tolist()) & others)
    elif stop == "P":
        p_events.append(icesim_frames.event_number(objects))
assert len(dead_sets) >= 3, f"expected DetectorStatus updates mid-stream, saw {len(dead_sets)} D frames"
assert len({frozenset(s) for s in dead_sets}) == len(dead_sets), "the DetectorStatus updates did not change the dead modules"
# Modules dead under an earlier status do carry pulses once revived: the check above is not vacuous.
assert pulses_on_other_dead > 0, "no pulse on any module that was dead under another DetectorStatus"
print(f"dead modules: {len(dead_sets)} statuses, {pulses_checked} pulses, none on a dead module "
      f"({pulses_on_other_dead} on modules dead under another status)")

# --- the tables ---------------------------------------------------------------------------------
def read_tables(path, expected_rows, expected_events):
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == "mpitray table file", f.attrs["format"]
        assert f.attrs["status"] == "complete", f.attrs["status"]
        tables = {}
        for name in f:
            table = f[name][:]
            assert list(table.dtype.names) == INDEX + COLUMNS[name], (name, table.dtype.names)
            assert len(table) == expected_rows, f"{path}:{name}: {len(table)} rows for {expected_rows} frames"
            assert np.array_equal(table["Event"], expected_events), f"{path}:{name}: rows out of frame order"
            frame = pandas.DataFrame(table)  # what a user does first
            assert list(frame.columns) == INDEX + COLUMNS[name]
            tables[name] = frame
        return tables

events = read_tables(events_path, len(q_events), q_events)
physics = read_tables(physics_path, len(p_events), p_events)
assert sorted(events) == ["MCMuon", "Trigger"] and sorted(physics) == ["LineFit", "MCMuon", "Trigger"]
assert events["Trigger"]["passed"].dtype == bool
print(f"tables: {len(q_events)} Q rows, {len(p_events)} P rows, columns as documented; pandas reads them")

# --- the trigger --------------------------------------------------------------------------------
energy, passed = events["MCMuon"]["energy"].to_numpy(), events["Trigger"]["passed"].to_numpy()
assert np.array_equal(events["Trigger"]["Event"][passed].to_numpy(), np.array(p_events)), "P frames are not the passing Q frames"
low, high = energy < 300, energy > 3000
low_rate, high_rate = passed[low].mean(), passed[high].mean()
print(f"trigger: keeps {low_rate:.0%} of {low.sum()} muons below 300 GeV, {high_rate:.0%} of {high.sum()} above 3 TeV")
assert 0.2 < low_rate < 0.95, "the trigger should reject some low-energy muons, but not nearly all"
assert high_rate >= 0.85 and high.sum() >= 10, "the trigger should keep most high-energy muons"

# --- the line fit -------------------------------------------------------------------------------
truth, fit = physics["MCMuon"], physics["LineFit"]
assert fit["ok"].mean() > 0.9, f"only {fit['ok'].mean():.0%} of the fits succeeded"
error = icesim_frames.opening_angle(truth["zenith"], truth["azimuth"], fit["zenith"], fit["azimuth"])
error = error.to_numpy()[fit["ok"].to_numpy()]
energetic = truth["energy"].to_numpy()[fit["ok"].to_numpy()] > 1000
median_all, median_high = np.median(error), np.median(error[energetic])
print(f"line fit: median angular error {median_all:.1f} deg, {median_high:.1f} deg above 1 TeV ({energetic.sum()} events)")
assert median_high < 10, "the line fit misses high-energy tracks by more than 10 degrees"
assert median_all < 15
