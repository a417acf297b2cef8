"""`make demo`: the sample town in the sandbox, a scripted walkthrough, a printed transcript.

Each scene is a module of `bot.demo.scenes` with a `TITLE` and `async def play(stage, cast)`;
`cast` carries the people and groups that later scenes reuse.
"""

from __future__ import annotations

import importlib
import shutil
import time
from pathlib import Path
from typing import Any

from bot.demo.stage import Stage

SCENES = ["foundation", "reports", "households", "pension", "survey", "fieldwork", "cadre"]


async def run_demo(out: Path) -> int:
    """Play every scene against the sandbox and print (and save) the transcript."""
    from services.sample_town import build_sample_town

    # Before the bot and the sandbox start: nothing else runs on the loop yet.
    if out.exists():  # noqa: ASYNC240
        shutil.rmtree(out)
    out.mkdir(parents=True)  # noqa: ASYNC240
    began = time.monotonic()
    print("building the sample town (7 villages, 81 grids, 1084 micro-grids) …", flush=True)
    stage = Stage(out, build_sample_town())
    await stage.open()
    cast: dict[str, Any] = {"out": out}
    try:
        for name in SCENES:
            scene = importlib.import_module(f"bot.demo.scenes.{name}")
            stage.transcript.scene(scene.TITLE)
            await scene.play(stage, cast)
    finally:
        await stage.close()
    text = stage.transcript.text()
    (out / "transcript.txt").write_text(text, encoding="utf-8")
    print(text)
    print(
        f"(transcript saved to {out / 'transcript.txt'}; database {out / 'grid.sqlite3'}; "
        f"{time.monotonic() - began:.1f} s)"
    )
    return 0
