"""A headless run's checks before any work: the config (a resume's too), device, data and memory, the exports."""

from __future__ import annotations

import os

from nnlab.commands.run_output import AppendCsv, AppendJsonl
from nnlab.commands.usage import UsageError, say
from nnlab.i18n import t
from nnlab.run.config import ConfigError, TrainConfig
from nnlab.run.writers import JsonlWriter


def prepare(args, config: TrainConfig, overrides: dict):
    """(config, start_epoch, data) checked before any work, or an exit code: the checkpoint's
    config under the flags given (with --resume), the device, the data, the memory estimate.
    A bad value is a UsageError (exit 2); missing data without --data-dir is exit 1."""
    from nnlab.run.errors import DeviceError
    from nnlab.train import checkpoint as ckpt
    from nnlab.train import data as data_mod
    from nnlab.train import memory
    from nnlab.train.device import resolve_device

    start_epoch = 0
    if args.resume:
        try:
            saved = ckpt.load(args.resume)
        except ckpt.CheckpointError as error:
            raise UsageError(str(error)) from None
        config = saved["config_obj"].with_(**overrides)
        start_epoch = int(saved.get("epoch") or 0)
    try:
        device = resolve_device(config.device)
        location = data_mod.locate(args.data_dir)
        config.validate(train_size=location.train_size or None)
        memory.check_fits(config, location.train_size, location.test_size, device)
    except (DeviceError, ConfigError) as error:
        raise UsageError(str(error)) from None
    except data_mod.DataError as error:
        if args.data_dir:  # a --data-dir that does not hold the data is a bad value
            raise UsageError(str(error)) from None
        say(t("cli.error", message=str(error)))
        return 1
    try:
        data = data_mod.load(args.data_dir)
    except data_mod.DataError as error:
        say(t("cli.error", message=str(error)))
        return 1
    return config, start_epoch, data


def exports(args, start_epoch: int) -> list | None:
    """The --metrics / --csv writers; on a resume an existing file is continued, not replaced
    (--force replaces it). None (after one line) when one cannot even be created."""
    from nnlab.run.writers import CsvWriter

    append = bool(args.resume) and not args.force
    writers: list = []
    try:  # an output that cannot even be created is reported before any training
        if args.metrics:
            keep = append and os.path.isfile(args.metrics)
            writers.append(AppendJsonl(args.metrics) if keep else JsonlWriter(args.metrics))
        if args.csv:
            keep = append and os.path.isfile(args.csv)
            writers.append(AppendCsv(args.csv, start_epoch) if keep else CsvWriter(args.csv))
    except OSError as error:
        for writer in writers:
            writer.close()
        failed = args.csv if args.metrics and writers else args.metrics or args.csv
        say(t("cli.error", message=t("safe.export_failed", path=shown(error, failed), why=error.strerror or error)))
        return None
    return writers


def shown(error: OSError, fallback) -> str:
    return os.fsdecode(error.filename) if error.filename is not None else str(fallback)
