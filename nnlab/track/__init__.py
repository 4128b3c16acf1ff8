"""nnlab.track: watch your own training loop in nnlab (``nnlab watch``, ``nnlab runs``).

    import nnlab.track

    with nnlab.track.init(name="my-cnn", config={"lr": 1e-3}) as run:   # runs_dir=... optional
        for epoch in range(1, epochs + 1):
            for batch in loader:
                run.wait_if_paused()                 # a viewer's pause / single step
                if run.should_stop():                # a viewer's stop
                    break
                if run.save_requested():             # a viewer's save-now
                    torch.save(model.state_dict(), run.path / "checkpoint.pt")
                    run.saved(run.path / "checkpoint.pt")
                loss = step(batch)
                run.log(loss=loss, lr=lr)            # tensors welcome: no device sync here
            run.epoch(epoch, test_accuracy=acc, test_loss=test_loss)
            run.confusion(matrix, labels=classes)
            run.images(sample_images, key="samples", captions=predicted)

API
    init(name="", config=None, runs_dir=None, *, on_save=None, steer=True, quiet=False) -> Run
    Run.log(values=None, /, step=None, **scalars)     Run.epoch(n, /, **metrics)
    Run.confusion(matrix, labels=None, *, step=None, epoch=None)
    Run.images(images, key="images", *, step=None, captions=None)
    Run.should_stop() -> bool    Run.wait_if_paused() -> bool    Run.save_requested() -> bool
    Run.saved(path)   Run.flush()   Run.finish(error=None)   Run.id / .name / .path / .finished
    TrackError (a ValueError): bad input or a finished run, one clear line

Decisions
    * ``init`` twice makes two independent runs (two directories, two control sockets).
    * A metric name is a non-empty str of at most 200 characters without control characters;
      anything else raises TrackError at the ``log`` that first uses it (never truncated: two
      long names cut alike would merge). '/' groups: "train/loss" is charted in group "train".
    * ``step`` defaults to the previous step + 1 (the first ``log`` is step 1).
    * Values: int, float, None, bool (as 0/1), a one-element tensor or numpy value. A CPU tensor
      is read at once (no sync); an accelerator tensor is detached and cloned (asynchronous) and
      read at the next flush: one device sync per flush, none per ``log``. NaN/inf → null.
    * ``log`` writes nothing itself: a daemon thread writes pending records every 0.2 s (or the
      caller's thread once 4096 are pending), in one write() per batch, never fsync'd.
    * Logging after ``finish`` raises TrackError; everything logged before it is written.
    * A write error (disk full) is printed once on stderr and never raised: training goes on,
      lost records are counted in a ``gap`` line once writing works again.
    * ``with init(...) as run``: an exception ends the run *failed* with its text (and the
      traceback as ``detail``) and propagates; Ctrl-C ends it *stopped*. Without ``with``, an
      uncaught exception marks open runs failed (sys.excepthook) and interpreter exit finishes them.
    * Steering is cooperative: pause/step/stop/save reach the script only where it calls
      ``wait_if_paused`` / ``should_stop`` / ``save_requested`` (a Lightning callback does it at
      batch boundaries: nnlab.integrations.lightning). ``steer=False``: no control socket.

Record format (``events.jsonl`` of a run directory with ``"kind": "track"`` in run.json; the
header line and the common events are those of nnlab's own runs; ``t`` is Unix seconds):

    {"event": "scalars", "step": 12, "t": 1764621912.345, "values": {"loss": 0.31, "lr": 0.001, "acc": null}}
    {"event": "epoch_metrics", "epoch": 1, "step": 938, "t": ..., "values": {"test_accuracy": 0.87, "test_loss": 0.36}}
    {"event": "confusion", "step": 938, "epoch": 1, "t": ..., "labels": ["T-shirt", ...], "matrix": [[812, 3, ...], ...]}
    {"event": "images", "step": 938, "key": "samples", "t": ..., "file": "media/images-000001.u8",
     "shape": [16, 28, 28, 1], "dtype": "uint8", "captions": ["Bag", ...] | null}
    {"event": "paused", "epoch": 1, "batch": 412, "t": ...}     # batch = the last logged step
    {"event": "resumed", "t": ...}
    {"event": "saved", "path": "...", "epoch": 1, "batch": 412, "t": ...}
    {"event": "finished", "epochs": 3, "stopped": false, "test_accuracy": 0.88, "seconds": 41.2,
     "reason": "completed" | "stopped", "t": ...}
    {"event": "failed", "message": "RuntimeError: ...", "detail": "Traceback ...", "t": ...}
    {"event": "gap", "dropped": 17, "t": ...}                   # records lost while the disk was full

``values`` holds any metric names; null is a non-finite value (a gap in the chart). An images
file holds the raw uint8 pixels, N*H*W*C bytes in NHWC order (C = 1, 3 or 4), relative to the
run directory; ``records.image_arrays(record, run_path)`` reads it.
"""

from __future__ import annotations

from nnlab.track.records import MAX_NAME, RECORD_KINDS, TrackError, group_of, image_arrays, image_bytes
from nnlab.track.run import Run, init

__all__ = ["MAX_NAME", "RECORD_KINDS", "Run", "TrackError", "group_of", "image_arrays", "image_bytes", "init"]
